package azexport

import (
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// describe renders the row fields a test checks, by FOCUS name.
func describe(r *cost.Row) map[string]string {
	q := func(n cost.NullDecimal) string {
		if !n.Valid {
			return ""
		}
		return n.Decimal.String()
	}
	var tags []string
	for _, t := range r.Tags {
		tags = append(tags, t.Key+"="+t.Value)
	}
	return map[string]string{
		"ProviderName": r.ProviderName, "PublisherName": r.PublisherName, "InvoiceIssuerName": r.InvoiceIssuerName,
		"BillingAccountId": r.BillingAccountID, "BillingAccountName": r.BillingAccountName,
		"SubAccountId": r.SubAccountID, "SubAccountName": r.SubAccountName,
		"BillingPeriodStart": r.BillingPeriodStart.Format(time.RFC3339), "BillingPeriodEnd": r.BillingPeriodEnd.Format(time.RFC3339),
		"ChargePeriodStart": r.ChargePeriodStart.Format(time.RFC3339), "ChargePeriodEnd": r.ChargePeriodEnd.Format(time.RFC3339),
		"ChargeCategory": r.ChargeCategory, "ChargeFrequency": r.ChargeFrequency, "PricingCategory": r.PricingCategory,
		"ChargeDescription": r.ChargeDescription, "BilledCost": r.BilledCost.String(), "EffectiveCost": r.EffectiveCost.String(),
		"ListCost": r.ListCost.String(), "BillingCurrency": r.BillingCurrency, "ServiceName": r.ServiceName,
		"ServiceCategory": r.ServiceCategory, "RegionId": r.RegionID, "RegionName": r.RegionName,
		"ResourceId": r.ResourceID, "ResourceType": r.ResourceType, "PricingQuantity": q(r.PricingQuantity),
		"PricingUnit": r.PricingUnit, "ConsumedQuantity": q(r.ConsumedQuantity), "ConsumedUnit": r.ConsumedUnit,
		"CommitmentDiscountId": r.CommitmentDiscountID, "CommitmentDiscountType": r.CommitmentDiscountType,
		"Tags": strings.Join(tags, ";"), "x_LineItemType": r.LineItemType, "x_ServiceCode": r.ServiceCode,
	}
}

func checkRow(t *testing.T, what string, r *cost.Row, want map[string]string) {
	t.Helper()
	got := describe(r)
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Fatalf("the test checks an unknown field %s", k)
		}
		if g != w {
			t.Errorf("%s: %s = %q, want %q", what, k, g, w)
		}
	}
}

func TestRowsMapToFOCUS(t *testing.T) {
	vm := "/subscriptions/1a2b3c4d-0000-4000-8000-00000000000a/resourcegroups/trey-rg/providers/microsoft.compute/virtualmachines/web-01"
	sp := "/providers/microsoft.billingbenefits/savingsplanorders/1111-aaaa/savingsplans/2222-bbbb"
	tests := []struct {
		name      string
		file      string
		amortized bool
		row       int
		want      map[string]string
	}{
		{"an EA usage row in scientific notation, its IDs lower-cased and its braceless tags read", "testdata/ea-actual.csv", false, 0, map[string]string{
			"ProviderName": "Microsoft", "PublisherName": "Microsoft", "InvoiceIssuerName": "Microsoft",
			"BillingAccountId": "8611537", "BillingAccountName": "Trey Research",
			"SubAccountId": "1a2b3c4d-0000-4000-8000-00000000000a", "SubAccountName": "Trey Prod",
			"BillingPeriodStart": "2026-11-01T00:00:00Z", "BillingPeriodEnd": "2026-12-01T00:00:00Z",
			"ChargePeriodStart": "2026-11-01T00:00:00Z", "ChargePeriodEnd": "2026-11-02T00:00:00Z",
			"ChargeCategory": "Usage", "ChargeFrequency": "Usage-Based", "PricingCategory": "Standard",
			"BilledCost": "0.00000000619947", "EffectiveCost": "0.00000000619947", "ListCost": "0.00000000619947", "BillingCurrency": "GBP",
			"ServiceName": "Virtual Machines", "ServiceCategory": "Compute", "RegionId": "eastus", "RegionName": "",
			"ResourceId": vm, "ResourceType": "microsoft.compute/virtualmachines",
			"PricingQuantity": "24.0", "PricingUnit": "1 Hour", "ConsumedQuantity": "24.0", "ConsumedUnit": "1 Hour",
			"ChargeDescription": "Virtual Machines D2s v3 - US East", "Tags": "env=prod;org=trey",
			"x_LineItemType": "Usage", "x_ServiceCode": "Microsoft.Compute", "CommitmentDiscountId": "",
		}},
		{"a cost with 28 places is rounded half to even at 18", "testdata/ea-actual.csv", false, 1, map[string]string{
			"BilledCost": "0.000000007292255759", "Tags": "env=dev", "ServiceCategory": "Storage",
			"ResourceType": "microsoft.storage/storageaccounts",
		}},
		{"reserved usage is billed at 0 in an actual export, its older region name translated", "testdata/ea-actual.csv", false, 2, map[string]string{
			"BilledCost": "0.0", "EffectiveCost": "0.0", "PricingCategory": "Committed", "RegionId": "eastus", "RegionName": "US East",
			"ResourceId": vm, "CommitmentDiscountId": "b7c2d0f4-0000-4000-8000-0000000000aa", "CommitmentDiscountType": "Reservation",
			"ChargePeriodStart": "2026-11-02T00:00:00Z",
		}},
		{"a reservation purchase is a one-time Purchase named by its product", "testdata/ea-actual.csv", false, 3, map[string]string{
			"ChargeCategory": "Purchase", "ChargeFrequency": "One-Time", "PricingCategory": "Committed", "BilledCost": "1234.5",
			"ServiceName": "Reserved VM Instance, Standard_D2s_v3, US East, 1 Year", "ConsumedQuantity": "", "PricingQuantity": "1.0",
			"CommitmentDiscountType": "Reservation", "ResourceId": "", "RegionId": "",
		}},
		{"a refund is a negative Purchase", "testdata/ea-actual.csv", false, 4, map[string]string{
			"ChargeCategory": "Purchase", "BilledCost": "-300.25", "EffectiveCost": "-300.25", "x_LineItemType": "Refund",
		}},
		{"a rounding adjustment is an Adjustment without pricing category", "testdata/ea-actual.csv", false, 5, map[string]string{
			"ChargeCategory": "Adjustment", "PricingCategory": "", "BilledCost": "-0.000001", "ChargePeriodStart": "2026-11-30T00:00:00Z",
		}},
		{"spot usage is Dynamic, and 1.5E+2 is 150", "testdata/ea-actual.csv", false, 6, map[string]string{
			"PricingCategory": "Dynamic", "BilledCost": "150.0", "SubAccountId": "5e6f7a8b-0000-4000-8000-00000000000b",
			"RegionId": "westeurope", "Tags": "",
		}},
		{"a region written with spaces loses them", "testdata/ea-actual.csv", false, 7, map[string]string{
			"RegionId": "westeurope", "RegionName": "West Europe", "ServiceCategory": "Networking", "Tags": "cost center=42;team=data",
		}},
		{"amortized savings plan usage is effective cost, billed through the purchase", "testdata/mca-amortized.csv", true, 0, map[string]string{
			"BilledCost": "0.0", "EffectiveCost": "12.5", "ListCost": "18.24", "PricingCategory": "Committed",
			"CommitmentDiscountId": sp, "CommitmentDiscountType": "Savings Plan", "BillingCurrency": "EUR",
			"BillingAccountId":   "a1b2c3d4-0000-4000-8000-000000000001:e5f6a7b8-0000-4000-8000-000000000002_2019-05-31",
			"BillingPeriodStart": "2026-10-01T00:00:00Z", "BillingPeriodEnd": "2026-11-01T00:00:00Z",
			"ChargePeriodStart": "2026-10-05T00:00:00Z", "RegionId": "westeurope", "RegionName": "EU West", "Tags": "app=shop;env=prod",
			"SubAccountId": "9f8e7d6c-0000-4000-8000-00000000000c",
		}},
		{"an unused savings plan hour is usage of the commitment", "testdata/mca-amortized.csv", true, 1, map[string]string{
			"ChargeCategory": "Usage", "BilledCost": "0.0", "EffectiveCost": "3.25", "CommitmentDiscountType": "Savings Plan",
		}},
		{"an on-demand row bills what it costs in an amortized export too", "testdata/mca-amortized.csv", true, 2, map[string]string{
			"BilledCost": "7.0", "EffectiveCost": "7.0", "ServiceCategory": "Databases", "Tags": "app=shop",
			"ResourceType": "microsoft.sql/servers/databases",
		}},
		{"tax is Tax", "testdata/mca-amortized.csv", true, 4, map[string]string{
			"ChargeCategory": "Tax", "PricingCategory": "", "ChargeFrequency": "One-Time", "BilledCost": "5.43",
		}},
		{"the older layout stands the subscription for its billing account", kokuDir + "/koku_costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv", false, 1, map[string]string{
			"BillingAccountId": "0039de71-ca37-4a17-a104-17665a50e7fc", "SubAccountId": "0039de71-ca37-4a17-a104-17665a50e7fc",
			"ChargeCategory": "Usage", "ChargeFrequency": "Usage-Based", "BilledCost": "0.00010368", "RegionId": "eastus2",
			"RegionName": "US East 2", "ServiceName": "Storage", "Tags": "project=p1", "ChargePeriodStart": "2019-07-28T00:00:00Z",
			"BillingPeriodStart": "2019-07-01T00:00:00Z", "BillingPeriodEnd": "2019-08-01T00:00:00Z",
			"ResourceId": "/subscriptions/2639de71-ca37-4a17-a104-17665a50e7fc/resourcegroups/costmgmt/providers/microsoft.storage/storageaccounts/costmgmtdiag",
		}},
		{"a koku EA row's inclusive period end becomes FOCUS's exclusive one", kokuDir + "/koku_azure_version_2.csv", false, 1, map[string]string{
			"ChargeCategory": "Purchase", "ChargeFrequency": "Recurring", "PublisherName": "OpenShift on Azure testing",
			"BillingPeriodStart": "2020-09-01T00:00:00Z", "BillingPeriodEnd": "2020-10-01T00:00:00Z", "BillingAccountId": "99999999",
		}},
		{"a camelCase MM/DD/YYYY date", kokuDir + "/koku_camel_azure_version_2.csv", false, 0, map[string]string{
			"ChargePeriodStart": "2023-08-01T00:00:00Z", "BilledCost": "0.0000204972", "RegionId": "eastus", "RegionName": "US East",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, _ := readFile(t, tt.file, Options{Amortized: tt.amortized})
			checkRow(t, fmt.Sprintf("%s row %d", tt.file, tt.row), rows[tt.row], tt.want)
		})
	}
}

func TestUnusedCommitmentInAnActualExportWarns(t *testing.T) {
	in := lines("SubscriptionId,Date,CostInBillingCurrency,BillingCurrency,ChargeType,PricingModel",
		"s,2026-11-01,1,USD,UnusedReservation,Reservation", "s,2026-11-01,1,USD,UnusedReservation,Reservation",
		"s,2026-11-01,1,USD,Fee,", "s,2026-11-01,1,USD,Fee,")
	rows, warnings := readString(t, in, Options{})
	if len(warnings) != 2 || !strings.Contains(warnings[0].String(), "only amortized exports hold") ||
		!strings.Contains(warnings[1].String(), `"Fee" is not a ChargeType`) {
		t.Errorf("warnings %v", warnings)
	}
	if rows[2].ChargeCategory != cost.ChargeAdjustment {
		t.Errorf("an unknown charge type reads as %q", rows[2].ChargeCategory)
	}
}

func TestHeaderQuirks(t *testing.T) {
	t.Run("a BOM, spaces and any case in the header are read", func(t *testing.T) {
		rows, _ := readString(t, "\ufeff SUBSCRIPTIONID ,date,costinbillingcurrency,BillingCurrencyCode\r\nS,2026-11-01T00:00:00.0000000Z,2,EUR\r\n", Options{})
		checkRow(t, "row", rows[0], map[string]string{"SubAccountId": "s", "BilledCost": "2.0", "BillingCurrency": "EUR", "ChargePeriodStart": "2026-11-01T00:00:00Z"})
	})
	t.Run("a column twice is read from the first, with a warning", func(t *testing.T) {
		rows, warnings := readString(t, lines("SubscriptionId,Date,Cost,Currency,Cost", "s,2026-11-01,2,EUR,3"), Options{})
		if rows[0].BilledCost.String() != "2.0" || len(warnings) != 1 || warnings[0].Column != "Cost" {
			t.Errorf("cost %s, warnings %v", rows[0].BilledCost, warnings)
		}
	})
	t.Run("SubscriptionGuid wins over SubscriptionId, which old EA files number", func(t *testing.T) {
		rows, _ := readString(t, lines("SubscriptionId,SubscriptionGuid,Date,PreTaxCost,Currency", "123,ABC-D,2026-11-01,2,EUR"), Options{})
		checkRow(t, "row", rows[0], map[string]string{"SubAccountId": "abc-d"})
	})
}

func TestValues(t *testing.T) {
	for in, want := range map[string]string{
		"US East 2": "eastus2", "East US 2": "eastus2", "EastUS": "eastus", "EU West": "westeurope", "westeurope": "westeurope",
		"Unassigned": "", "": "", "global": "global",
	} {
		if got := regionID(in); got != want {
			t.Errorf("regionID(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		`"env": "prod","org": "trey"`: "env=prod;org=trey", `{"env":"prod"}`: "env=prod", ``: "", `{}`: "", ` `: "",
		`{"n": 1, "b": true, "z": null, "e": "", "": "x"}`: "b=true;n=1", `"a": "\u00e9"`: "a=é",
	} {
		tags, err := parseTags([]byte(in), nil)
		var got []string
		for _, t := range tags {
			got = append(got, t.Key+"="+t.Value)
		}
		if err != nil || strings.Join(got, ";") != want {
			t.Errorf("parseTags(%q) = %v, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`env`, `{"a":"b"} x`, `"a": "b"}`, `[1]`} {
		if _, err := parseTags([]byte(in), nil); err == nil {
			t.Errorf("parseTags(%q) accepted", in)
		}
	}
	for in, want := range map[string]string{
		"6.19947E-9": "0.00000000619947", "0.0000000072922557592391990000": "0.000000007292255759", "-1.5e+2": "-150.0",
		"0.0000000000000000005": "0.0", "0.0000000000000000015": "0.000000000000000002", "1234567890123456789": "1234567890123456789.0",
	} {
		if got, err := parseAmount([]byte(in)); err != nil || got.String() != want {
			t.Errorf("parseAmount(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1,5", "NaN", "Infinity", "0x10", "1e19", "-1E+19", "$5"} {
		if _, err := parseAmount([]byte(in)); err == nil {
			t.Errorf("parseAmount(%q) accepted", in)
		}
	}
}

func TestRepeatedCellsReadAlike(t *testing.T) {
	in := lines(eaHead, `S,2026-11-01,VM,1,USD,"""b"": ""2"",""a"": ""1"""`, `s,2026-11-01,VM,1,USD,"""b"": ""2"",""a"": ""1"""`,
		`s,2026-11-01,VM,1,USD,`, `S,2026-11-01,VM,1,USD,"""b"": ""2"",""a"": ""1"""`)
	rows, _ := readString(t, in, Options{})
	for i, want := range []string{"a=1;b=2", "a=1;b=2", "", "a=1;b=2"} {
		checkRow(t, fmt.Sprintf("row %d", i), rows[i], map[string]string{"Tags": want, "SubAccountId": "s"})
	}
	rd, err := NewReader(strings.NewReader(lines(eaHead, `s,2026-11-01,VM,1,USD,"{""a"":"`, `s,2026-11-01,VM,1,USD,"{""a"":"`)), "t.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := rd.Next(); err == nil || mustParseError(t, err).Column != "Tags" {
			t.Errorf("a repeated bad Tags cell: %v", err)
		}
	}
}

// The reader remembers the last subscription; what it remembers must not
// alias the line it came from (FuzzReader found this).
func TestARepeatedSubscriptionSurvivesTheNextLine(t *testing.T) {
	// A byte at a time, so that bufio moves what it holds on every read.
	in := iotest.OneByteReader(strings.NewReader(lines("MeterCategory,SubscriptionId,Date,Cost,Currency",
		"VM,sub-1,2026-11-01,1,USD", "Storage,sub-1,2026-11-01,1,USD")))
	rows, _, err := readAll(in, "t.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if r.SubAccountID != "sub-1" {
			t.Errorf("row %d: SubAccountId %q", i, r.SubAccountID)
		}
	}
}

func TestUnusedCommitmentInAnAmortizedExportBillsNothing(t *testing.T) {
	// Some dialects leave PricingModel empty on unused commitment rows; the
	// purchase bills them all the same.
	in := lines("SubscriptionId,Date,CostInBillingCurrency,BillingCurrency,ChargeType,PricingModel",
		"s,2026-11-01,1.5,USD,UnusedReservation,", "s,2026-11-01,2.5,USD,UnusedSavingsPlan,SavingsPlan", "s,2026-11-01,3,USD,Usage,OnDemand")
	rows, _ := readString(t, in, Options{Amortized: true})
	for i, want := range [][2]string{{"0", "1.5"}, {"0", "2.5"}, {"3", "3"}} {
		if rows[i].BilledCost.String() != want[0] && rows[i].BilledCost.String() != want[0]+".0" ||
			rows[i].EffectiveCost.String() != want[1] && rows[i].EffectiveCost.String() != want[1]+".0" {
			t.Errorf("row %d: BilledCost %s, EffectiveCost %s; want %s and %s", i, rows[i].BilledCost, rows[i].EffectiveCost, want[0], want[1])
		}
	}
}
