package focusfile

import (
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

func TestAWSColumnsMapToProviderDetail(t *testing.T) {
	rows, warns := readAll(t, "testdata/aws-focus-1.0-with-aws-columns.csv")
	r := rows[0]
	if r.ServiceCode != "AmazonEC2" || r.UsageType != "BoxUsage:t3.medium" || r.Operation != "RunInstances" {
		t.Errorf("provider detail %q %q %q", r.ServiceCode, r.UsageType, r.Operation)
	}
	if r.BillingAccountID != "012345678901" || r.SubAccountID != "098765432109" {
		t.Errorf("accounts %q %q: leading zeros must stay", r.BillingAccountID, r.SubAccountID)
	}
	wantTags := []cost.Tag{{Key: "user:env", Value: "prod"}, {Key: "user:team", Value: "web"}}
	if !slices.Equal(r.Tags, wantTags) {
		t.Errorf("tags %q, want %q", r.Tags, wantTags)
	}
	if want := []cost.Tag{{Key: "Environment", Value: "Production"}}; !slices.Equal(r.CostCategories, want) {
		t.Errorf("cost categories %q, want %q", r.CostCategories, want)
	}
	if rows[1].CommitmentDiscountType != "Savings Plan" || rows[1].PricingCategory != "Committed" {
		t.Errorf("commitment %q %q", rows[1].CommitmentDiscountType, rows[1].PricingCategory)
	}
	if q := rows[2].PricingQuantity; !q.Valid || q.Decimal.Cmp(decimal.MustParse("0.000001")) != 0 {
		t.Errorf("PricingQuantity 1.0E-6 read as %v", q)
	}
	if !slices.ContainsFunc(warns, func(w Warning) bool { return strings.Contains(w.Message, "x_Discounts; they are kept in the row") }) {
		t.Errorf("no warning says x_Discounts is not stored: %v", warns)
	}
}

func TestExtraColumnsAndContractedCost(t *testing.T) {
	text := lines("BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,ContractedCost,x_ResourceGroupName,x_SkuTerm",
		"2026-09-01,2026-10-01,2026-09-14,2026-09-15,1,1.2E1,web,NULL")
	rd, err := NewReader(strings.NewReader(text), "in.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); err != nil {
		t.Fatal(err)
	}
	if got := rd.ExtraColumns(); !slices.Equal(got, []string{"x_ResourceGroupName", "x_SkuTerm"}) {
		t.Errorf("ExtraColumns %q", got)
	}
	if got, want := rd.Extra(), []cost.Tag{{Key: "x_ResourceGroupName", Value: "web"}}; !slices.Equal(got, want) {
		t.Errorf("Extra %q, want %q (a NULL cell is empty)", got, want)
	}
	if d, ok := rd.ContractedCost(); !ok || d.Cmp(decimal.FromInt(12)) != 0 {
		t.Errorf("ContractedCost %v %v, want 12", d, ok)
	}
}

func TestServiceProviderNameWinsOverProviderName(t *testing.T) {
	rows, _ := readAll(t, "testdata/google-focus-1.3-service-provider.csv")
	if rows[2].ProviderName != "Example Data Inc." || rows[0].ProviderName != "Google Cloud" {
		t.Fatalf("providers %q %q", rows[2].ProviderName, rows[0].ProviderName)
	}
	if rows[4].ChargeClass != "Correction" || rows[4].ChargeCategory != cost.ChargeAdjustment {
		t.Fatalf("correction read as %q %q", rows[4].ChargeClass, rows[4].ChargeCategory)
	}
}

func TestMicrosoftExport(t *testing.T) {
	rows, _ := readAll(t, "testdata/microsoft-focus-1.0-export.csv")
	if got := rows[1].BilledCost; got.Cmp(decimal.MustParse("0.00000000619947")) != 0 {
		t.Errorf("6.19947E-9 read as %v", got)
	}
	if rows[0].BillingCurrency != "EUR" || rows[0].SubAccountID != "00000000-0000-0000-0000-000000000001" {
		t.Errorf("currency %q, subscription %q", rows[0].BillingCurrency, rows[0].SubAccountID)
	}
	// A null tag value is a key-only tag.
	if want := []cost.Tag{{Key: "cost-center"}, {Key: "team", Value: "data"}}; !slices.Equal(rows[3].Tags, want) {
		t.Errorf("tags %q, want %q", rows[3].Tags, want)
	}
	if len(rows[1].Tags) != 0 {
		t.Errorf("{} read as tags %q", rows[1].Tags)
	}
}

func TestHeaderMatching(t *testing.T) {
	t.Run("names that differ in case are matched, with a warning", func(t *testing.T) {
		text := lines("billingperiodstart,BILLINGPERIODEND,chargePeriodStart,ChargePeriodEnd,billedcost,providername,chargecategory",
			"2026-09-01,2026-10-01,2026-09-14,2026-09-15,2.5,OCI,usage")
		rd, err := NewReader(strings.NewReader(text), "in.csv")
		if err != nil {
			t.Fatal(err)
		}
		row, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		if row.ProviderName != "OCI" || row.ChargeCategory != cost.ChargeUsage || row.EffectiveCost.Cmp(decimal.MustParse("2.5")) != 0 {
			t.Errorf("row %q %q %v: EffectiveCost must default to BilledCost", row.ProviderName, row.ChargeCategory, row.EffectiveCost)
		}
		n := 0
		for _, w := range rd.Warnings() {
			if strings.Contains(w.Message, "differs in case") {
				n++
			}
		}
		if n != 6 {
			t.Errorf("%d case warnings, want 6: %v", n, rd.Warnings())
		}
	})
	t.Run("an exact name wins over one that differs in case", func(t *testing.T) {
		text := lines("billedcost,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost",
			"9,2026-09-01,2026-10-01,2026-09-14,2026-09-15,1")
		rows, err := readString(text)
		if err != nil {
			t.Fatal(err)
		}
		if rows[0].BilledCost.Cmp(decimal.FromInt(1)) != 0 {
			t.Errorf("BilledCost %v, want 1 from the column named exactly", rows[0].BilledCost)
		}
	})
	t.Run("a BOM and surrounding spaces are dropped", func(t *testing.T) {
		text := "\ufeff" + lines("BillingPeriodStart , BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost",
			"2026-09-01,2026-10-01,2026-09-14,2026-09-15,1")
		if _, err := readString(text); err != nil {
			t.Fatal(err)
		}
	})
}

func TestEnumeratedValuesAreSpelledAsFOCUS(t *testing.T) {
	head := "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,ChargeCategory,ChargeFrequency,PricingCategory,ChargeClass"
	rows, err := readString(lines(head, "2026-09-01,2026-10-01,2026-09-14,2026-09-15,1,CREDIT,Usage-based,On-Demand,correction"))
	if err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if r.ChargeCategory != "Credit" || r.ChargeFrequency != "Usage-Based" || r.PricingCategory != "Standard" || r.ChargeClass != "Correction" {
		t.Fatalf("%q %q %q %q", r.ChargeCategory, r.ChargeFrequency, r.PricingCategory, r.ChargeClass)
	}
}

func TestReckonsColumnsAndExtraGoIntoTheRow(t *testing.T) {
	text := lines("BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,ContractedCost,x_Zeta,x_UnblendedCost,x_BlendedCost,x_LineItemType,x_alpha,x_Mid",
		"2026-09-01,2026-10-01,2026-09-14,2026-09-15,1,,z,2.5,2.25,DiscountedUsage,a,",
		"2026-09-01,2026-10-01,2026-09-14,2026-09-15,1,3E-1,,,,,,m")
	rows, err := readString(text)
	if err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if r.UnblendedCost.Cmp(decimal.MustParse("2.5")) != 0 || r.BlendedCost.Cmp(decimal.MustParse("2.25")) != 0 || r.LineItemType != "DiscountedUsage" {
		t.Errorf("x_UnblendedCost %s, x_BlendedCost %s, x_LineItemType %q", r.UnblendedCost, r.BlendedCost, r.LineItemType)
	}
	if r.ContractedCost.Valid {
		t.Errorf("an empty ContractedCost read as %v", r.ContractedCost)
	}
	// Sorted by name, as cost.Row wants: byte order puts capitals first.
	if want := []cost.Tag{{Key: "x_Zeta", Value: "z"}, {Key: "x_alpha", Value: "a"}}; !slices.Equal(r.Extra, want) {
		t.Errorf("Extra %q, want %q", r.Extra, want)
	}
	r = rows[1]
	if !r.ContractedCost.Valid || r.ContractedCost.Decimal.Cmp(decimal.MustParse("0.3")) != 0 || !r.UnblendedCost.IsZero() {
		t.Errorf("ContractedCost %v, x_UnblendedCost %s", r.ContractedCost, r.UnblendedCost)
	}
	if want := []cost.Tag{{Key: "x_Mid", Value: "m"}}; !slices.Equal(r.Extra, want) {
		t.Errorf("Extra %q, want %q", r.Extra, want)
	}
}
