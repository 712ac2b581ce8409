package awscur

import (
	"strings"
	"testing"
)

func TestHeaderMapsLegacyAndSnakeCaseNames(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
	}{
		{"legacy CUR 1.0 names", []string{"identity/LineItemId", "bill/PayerAccountId", "lineItem/LineItemType",
			"lineItem/UsageStartDate", "lineItem/UnblendedCost", "lineItem/NetUnblendedCost", "product/ProductName",
			"product/regionCode", "savingsPlan/SavingsPlanARN", "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"}},
		{"Athena snake_case names", []string{"identity_line_item_id", "bill_payer_account_id", "line_item_line_item_type",
			"line_item_usage_start_date", "line_item_unblended_cost", "line_item_net_unblended_cost", "product_product_name",
			"product_region_code", "savings_plan_savings_plan_a_r_n", "reservation_unused_amortized_upfront_fee_for_billing_period"}},
		{"CUR 2.0 names, which spell ARN as arn", []string{"identity_line_item_id", "bill_payer_account_id", "line_item_line_item_type",
			"line_item_usage_start_date", "line_item_unblended_cost", "line_item_net_unblended_cost", "product_product_name",
			"product_region_code", "savings_plan_savings_plan_arn", "reservation_unused_amortized_upfront_fee_for_billing_period"}},
		{"names in any case", []string{"IDENTITY/LINEITEMID", "Bill/PayerAccountID", "lineitem/lineitemtype",
			"lineItem/usageStartDate", "LineItem/UnblendedCost", "lineItem/NetUnblendedCost", "Product/ProductName",
			"product/RegionCode", "savingsPlan/SavingsPlanArn", "reservation/unusedAmortizedUpfrontFeeForBillingPeriod"}},
	}
	want := []field{fLineItemID, fPayerAccountID, fLineItemType, fUsageStart, fUnblendedCost, fNetUnblendedCost,
		fProductName, fRegionCode, fSavingsPlanARN, fReservationUnusedAmortizedUpfront}
	for _, tt := range tests {
		t.Run(tt.name+" map to the same fields", func(t *testing.T) {
			h, err := parseHeader(append([]string(nil), tt.cells...))
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range want {
				if h.index[f] != i {
					t.Errorf("%s: column %d, want %d (%s)", canonical[f], h.index[f], i, tt.cells[i])
				}
			}
			if len(h.warnings) > 0 {
				t.Errorf("unexpected warnings: %v", h.warnings)
			}
		})
	}
}

func TestTagKeys(t *testing.T) {
	tests := []struct {
		name, column, want string
	}{
		{"a legacy user tag loses its user: prefix", "resourceTags/user:Team", "Team"},
		{"a legacy AWS tag keeps its aws: prefix", "resourceTags/aws:createdBy", "aws:createdBy"},
		{"a tag key may contain a slash", "resourceTags/user:kubernetes.io/cluster", "kubernetes.io/cluster"},
		{"an Athena user tag loses its user_ prefix", "resource_tags_user_cost_center", "cost_center"},
		{"an Athena AWS tag gets its colon back", "resource_tags_aws_created_by", "aws:created_by"},
		{"a tag without a known prefix is kept as written", "resourceTags/Name", "Name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tagKey(tt.column)
			if !ok || got != tt.want {
				t.Errorf("tagKey(%q) = %q, %v; want %q", tt.column, got, ok, tt.want)
			}
		})
	}
	for _, col := range []string{"resource_tags", "resourceTags/", "lineItem/ResourceId", "product/tags"} {
		t.Run(col+" is not a tag column", func(t *testing.T) {
			if got, ok := tagKey(col); ok {
				t.Errorf("tagKey(%q) = %q, want no tag", col, got)
			}
		})
	}
}

// TestCUR2Sample reads testdata/cur2-sample.csv: snake_case columns with
// the product, resource_tags and cost_category maps as JSON strings.
func TestCUR2Sample(t *testing.T) {
	rows, warnings := readAll(t, "testdata/cur2-sample.csv")
	if len(warnings) > 0 {
		t.Errorf("unexpected warnings: %v", warnings)
	}
	common := map[string]string{
		"ProviderName": "AWS", "BillingAccountID": "012345678901", "BillingAccountName": "Example Corp Payer",
		"InvoiceIssuerName": "Amazon Web Services, Inc.", "InvoiceID": "", "BillingCurrency": "USD",
		"BillingPeriodStart": "2024-03-01T00:00:00Z", "BillingPeriodEnd": "2024-04-01T00:00:00Z",
	}
	tests := []struct {
		name string
		want map[string]string
	}{
		{"EC2 usage takes its service name from the product map and its tags from resource_tags", with(common, map[string]string{
			"LineItemID": "cur2-ec2-usage", "SubAccountID": "012345678901", "SubAccountName": "prod",
			"ServiceName": "Amazon Elastic Compute Cloud", "ServiceCode": "AmazonEC2", "ServiceCategory": "Compute",
			"RegionID": "us-east-1", "RegionName": "US East (N. Virginia)", "AvailabilityZone": "us-east-1a",
			"ChargeCategory": "Usage", "PricingCategory": "Standard", "BilledCost": "0.096", "EffectiveCost": "0.096", "ListCost": "0.096",
			"ChargePeriodStart": "2024-03-01T00:00:00Z", "ChargePeriodEnd": "2024-03-01T01:00:00Z",
			"ResourceID": "i-0a1b2c3d4e5f60718", "ResourceType": "m5.large", "PricingQuantity": "1", "PricingUnit": "Hrs",
			"Tags":           "Team=platform;aws:created_by=IAMUser:AIDAEXAMPLE:alice;cost_center=cc-100",
			"CostCategories": "Environment=prod;Team=platform",
		})},
		{"S3 usage with an empty region code takes the region from the product map, and empty maps give no tags", with(common, map[string]string{
			"LineItemID": "cur2-s3-usage", "SubAccountID": "123456789012", "SubAccountName": "data",
			"ServiceName": "Amazon Simple Storage Service", "ServiceCategory": "Storage", "RegionID": "eu-west-1",
			"BilledCost": "0.000029341", "Tags": "", "CostCategories": "", "PricingQuantity": "0.0012755",
		})},
		{"savings plan covered usage costs its effective cost and names its commitment", with(common, map[string]string{
			"LineItemID": "cur2-sp-covered", "BilledCost": "0.192", "EffectiveCost": "0.121", "PricingCategory": "Committed",
			"CommitmentDiscountID":   "arn:aws:savingsplans::012345678901:savingsplan/3f2b4a10-9c1e-4d5b-8a7f-0e6c5d4b3a21",
			"CommitmentDiscountType": "Savings Plan", "Tags": "Team=batch",
		})},
		{"the savings plan's recurring fee is a purchase whose effective cost is the unused commitment", with(common, map[string]string{
			"LineItemID": "cur2-sp-fee", "ChargeCategory": "Purchase", "ChargeFrequency": "Recurring",
			"BilledCost": "0.5", "EffectiveCost": "0.379", "ServiceName": "Savings Plans for AWS Compute usage",
			"ServiceCategory": "Compute", "RegionID": "", "ConsumedQuantity": "NULL",
		})},
		{"reserved RDS usage costs the reservation's effective cost", with(common, map[string]string{
			"LineItemID": "cur2-ri-usage", "BilledCost": "0", "EffectiveCost": "0.1305", "ListCost": "0.206",
			"CommitmentDiscountType": "Reserved Instance", "CommitmentDiscountID": "arn:aws:rds:us-east-1:012345678901:ri:prod-db-ri-2024",
			"ServiceName": "Amazon Relational Database Service", "ServiceCategory": "Databases", "ConsumedQuantity": "1",
		})},
		{"tax has no region, no pricing category and spans the month", with(common, map[string]string{
			"LineItemID": "cur2-tax", "ChargeCategory": "Tax", "PricingCategory": "", "RegionID": "",
			"BilledCost": "1.23", "EffectiveCost": "1.23", "PricingQuantity": "NULL",
			"ChargePeriodStart": "2024-03-01T00:00:00Z", "ChargePeriodEnd": "2024-04-01T00:00:00Z",
		})},
		{"a credit is a Credit with a negative cost", with(common, map[string]string{
			"LineItemID": "cur2-credit", "ChargeCategory": "Credit", "BilledCost": "-0.5", "EffectiveCost": "-0.5",
		})},
	}
	if len(rows) != len(tests) {
		t.Fatalf("got %d rows, want %d", len(rows), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRow(t, tt.want["LineItemID"], rows[i], tt.want)
		})
	}
}

func TestHeaderProblems(t *testing.T) {
	const head = "bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost"
	const row = "123456789012,Usage,2023-11-01T00:00:00Z,1"
	tests := []struct {
		name     string
		header   string
		row      string
		warnings []string
		wantTags string
	}{
		{name: "unknown columns are ignored without a warning",
			header: head + ",product/somethingNew,discount/Whatever", row: row + ",a,b"},
		{name: "a duplicated column is warned about and the first is used",
			header: head + ",lineItem/UnblendedCost", row: row + ",2",
			warnings: []string{"column lineItem/UnblendedCost: the column appears twice"}},
		{name: "a tag key written twice is warned about and the first is used",
			header: head + ",resourceTags/user:Team,resourceTags/Team", row: row + ",x,y",
			warnings: []string{"the tag key Team appears twice"}, wantTags: "Team=x"},
		{name: "an empty header cell is warned about",
			header: head + ",", row: row + ",z",
			warnings: []string{"column #5: the header cell is empty"}},
		{name: "two names run together are warned about",
			header: head + ",pricing/OfferingClasspricing/PurchaseOption", row: row + ",Standard",
			warnings: []string{"column pricing/OfferingClasspricing/PurchaseOption: the header cell is malformed"}},
		{name: "a tag column without a key is warned about",
			header: head + ",resourceTags/user:", row: row + ",v",
			warnings: []string{"the tag column has no key"}},
		{name: "a byte order mark is not part of the first column's name",
			header: "\ufeff" + head, row: row},
		{name: "tag columns come out sorted by key",
			header: head + ",resourceTags/user:b,resourceTags/aws:createdBy,resourceTags/user:A", row: row + ",2,3,1",
			wantTags: "A=1;aws:createdBy=3;b=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, warnings := readString(t, csvLines(tt.header, tt.row))
			checkWarnings(t, warnings, tt.warnings)
			for _, w := range warnings {
				if w.File != "test.csv" || w.Line != 1 {
					t.Errorf("warning %q: file %q line %d, want test.csv line 1", w, w.File, w.Line)
				}
			}
			checkRow(t, "row", rows[0], map[string]string{"BillingAccountID": "123456789012", "BilledCost": "1", "Tags": tt.wantTags})
		})
	}
	t.Run("a bad cell in the first column is reported without the byte order mark", func(t *testing.T) {
		rd, err := NewReader(strings.NewReader("\ufefflineItem/UnblendedCost,bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate\nabc,1,Usage,2023-11-01\n"), "f.csv")
		if err != nil {
			t.Fatal(err)
		}
		_, err = rd.Next()
		if pe := mustParseError(t, err); pe.Column != "lineItem/UnblendedCost" {
			t.Errorf("column %q, want lineItem/UnblendedCost", pe.Column)
		}
	})
}

func TestHeaderMissingRequiredColumn(t *testing.T) {
	tests := []struct {
		name, header, column string
	}{
		{"a legacy CUR without the payer", "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost", "bill/PayerAccountId"},
		{"a legacy CUR without the line item type", "bill/PayerAccountId,lineItem/UsageStartDate,lineItem/UnblendedCost", "lineItem/LineItemType"},
		{"a legacy CUR without the unblended cost", "bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/BlendedCost", "lineItem/UnblendedCost"},
		{"a legacy CUR with no time at all", "bill/PayerAccountId,lineItem/LineItemType,lineItem/UnblendedCost", "lineItem/UsageStartDate"},
		{"a snake_case CUR without the unblended cost", "bill_payer_account_id,line_item_line_item_type,line_item_usage_start_date", "line_item_unblended_cost"},
		{"a snake_case CUR with no time at all", "bill_payer_account_id,line_item_line_item_type,line_item_unblended_cost", "line_item_usage_start_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused, naming "+tt.column, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.header+"\n"), "s3://bucket/report-1.csv.gz")
			pe := mustParseError(t, err)
			if pe.Column != tt.column || pe.File != "s3://bucket/report-1.csv.gz" || pe.Line != 1 {
				t.Errorf("got file %q line %d column %q, want s3://bucket/report-1.csv.gz line 1 column %q", pe.File, pe.Line, pe.Column, tt.column)
			}
			if msg := pe.Error(); !strings.Contains(msg, tt.column) || !strings.Contains(msg, "s3://bucket/report-1.csv.gz") {
				t.Errorf("message %q does not name the file and the column", msg)
			}
		})
	}
	t.Run("identity/TimeInterval alone is enough time", func(t *testing.T) {
		rows, _ := readString(t, csvLines("bill/PayerAccountId,lineItem/LineItemType,lineItem/UnblendedCost,identity/TimeInterval",
			"123456789012,Usage,1,2023-11-01T05:00:00Z/2023-11-01T06:00:00Z"))
		checkRow(t, "row", rows[0], map[string]string{"ChargePeriodStart": "2023-11-01T05:00:00Z", "ChargePeriodEnd": "2023-11-01T06:00:00Z",
			"BillingPeriodStart": "2023-11-01T00:00:00Z", "BillingPeriodEnd": "2023-12-01T00:00:00Z"})
	})
}

func TestSnakeCase(t *testing.T) {
	for legacy, want := range map[string]string{
		"bill/PayerAccountId":     "bill_payer_account_id",
		"lineItem/LineItemType":   "line_item_line_item_type",
		"lineItem/UnblendedCost":  "line_item_unblended_cost",
		"lineItem/UsageStartDate": "line_item_usage_start_date",
		"identity/TimeInterval":   "identity_time_interval",
	} {
		if got := snakeCase(legacy); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", legacy, got, want)
		}
	}
}

// TestHeaderMapsTheNetColumnsOfARealManifest takes the column list of a real
// manifest of an account with discounts, in its legacy names and their
// Athena and CUR 2.0 snake_case form, and finds every column the net
// amortized cost reads.
func TestHeaderMapsTheNetColumnsOfARealManifest(t *testing.T) {
	m := readManifest(t, "testdata/manifests/manifest-2019-12.json")
	want := map[field]string{
		fNetUnblendedCost:                         "lineItem/NetUnblendedCost",
		fReservationNetEffectiveCost:              "reservation/NetEffectiveCost",
		fReservationNetUnusedAmortizedUpfront:     "reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod",
		fReservationNetUnusedRecurringFee:         "reservation/NetUnusedRecurringFee",
		fSavingsPlanNetEffectiveCost:              "savingsPlan/NetSavingsPlanEffectiveCost",
		fSavingsPlanAmortizedUpfrontCommitment:    "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
		fSavingsPlanRecurringCommitment:           "savingsPlan/RecurringCommitmentForBillingPeriod",
		fSavingsPlanNetAmortizedUpfrontCommitment: "savingsPlan/NetAmortizedUpfrontCommitmentForBillingPeriod",
		fSavingsPlanNetRecurringCommitment:        "savingsPlan/NetRecurringCommitmentForBillingPeriod",
	}
	for _, style := range []string{"legacy", "snake_case"} {
		t.Run("in "+style+" names", func(t *testing.T) {
			var cells []string
			for _, c := range m.Columns {
				name := c.Category + "/" + c.Name
				if style == "snake_case" {
					name = snakeCase(name)
				}
				cells = append(cells, name)
			}
			h, err := parseHeader(cells)
			if err != nil {
				t.Fatal(err)
			}
			for f, legacy := range want {
				name := legacy
				if style == "snake_case" {
					name = snakeCase(legacy)
				}
				if i := h.index[f]; i < 0 || h.names[i] != name {
					t.Errorf("%s is not mapped (index %d)", name, i)
				}
			}
		})
	}
}
