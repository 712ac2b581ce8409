package awscur

import (
	"strconv"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// lineItemTypes is every lineItem/LineItemType value in aws-facts.md, with
// the FOCUS columns it maps to.
var lineItemTypes = []struct {
	lineItemType string
	category     string
	frequency    string
}{
	{"Usage", cost.ChargeUsage, "Usage-Based"},
	{"DiscountedUsage", cost.ChargeUsage, "Usage-Based"},
	{"SavingsPlanCoveredUsage", cost.ChargeUsage, "Usage-Based"},
	{"SavingsPlanNegation", cost.ChargeUsage, "Usage-Based"},
	{"SavingsPlanUpfrontFee", cost.ChargePurchase, "One-Time"},
	{"SavingsPlanRecurringFee", cost.ChargePurchase, "Recurring"},
	{"RIFee", cost.ChargePurchase, "Recurring"},
	{"Fee", cost.ChargePurchase, "One-Time"},
	{"Tax", cost.ChargeTax, "Recurring"},
	{"Credit", cost.ChargeCredit, "One-Time"}, // as AWS's own FOCUS export; pre-1.0 converters said Adjustment
	{"Refund", cost.ChargeAdjustment, "One-Time"},
	{"BundledDiscount", cost.ChargeUsage, "Usage-Based"},
	{"Discount", cost.ChargeUsage, "Usage-Based"},
	{"PrivateRateDiscount", cost.ChargeUsage, "Usage-Based"},
	{"EdpDiscount", cost.ChargeUsage, "Usage-Based"},
}

func TestChargeCategoryOfEveryLineItemType(t *testing.T) {
	for _, tt := range lineItemTypes {
		t.Run(tt.lineItemType+" is "+tt.category, func(t *testing.T) {
			if got := chargeCategory(tt.lineItemType); got != tt.category {
				t.Errorf("ChargeCategory: got %q, want %q", got, tt.category)
			}
			if got := chargeFrequency(tt.lineItemType); got != tt.frequency {
				t.Errorf("ChargeFrequency: got %q, want %q", got, tt.frequency)
			}
		})
	}
	t.Run("a line item type AWS adds later is usage, as every new discount type is", func(t *testing.T) {
		if got := chargeCategory("SomeNewDiscount"); got != cost.ChargeUsage {
			t.Errorf("got %q, want Usage", got)
		}
	})
	t.Run("credit is never an adjustment", func(t *testing.T) {
		if got := chargeCategory("Credit"); got == cost.ChargeAdjustment {
			t.Error("Credit maps to Adjustment, as pre-FOCUS-1.0 converters did")
		}
	})
}

// TestChargeCategoryThroughTheReader reads one row of every type.
func TestChargeCategoryThroughTheReader(t *testing.T) {
	lines := []string{"identity/LineItemId,bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost"}
	for i, tt := range lineItemTypes {
		lines = append(lines, strings.Join([]string{strconv.Itoa(i), "123456789012", tt.lineItemType, "2023-11-01T00:00:00Z", "1"}, ","))
	}
	rows, _ := readString(t, csvLines(lines...))
	for i, tt := range lineItemTypes {
		t.Run("a "+tt.lineItemType+" row is "+tt.category, func(t *testing.T) {
			checkRow(t, tt.lineItemType, rows[i], map[string]string{"ChargeCategory": tt.category, "ChargeFrequency": tt.frequency})
		})
	}
}

func TestPricingCategory(t *testing.T) {
	tests := []struct {
		name, lineItemType, term, usageType, want string
	}{
		{"on-demand usage is standard", "Usage", "OnDemand", "BoxUsage:m5.large", "Standard"},
		{"spot usage is dynamic", "Usage", "Spot", "", "Dynamic"},
		{"spot usage without a term is dynamic by its usage type", "Usage", "", "USE1-SpotUsage:m5.large", "Dynamic"},
		{"reserved usage is committed", "DiscountedUsage", "Reserved", "", "Committed"},
		{"savings plan covered usage is committed whatever its term", "SavingsPlanCoveredUsage", "OnDemand", "", "Committed"},
		{"a commitment purchase is committed", "SavingsPlanRecurringFee", "", "", "Committed"},
		{"usage with no term is other", "Usage", "", "", "Other"},
		{"tax has no pricing category", "Tax", "", "", ""},
		{"a credit has no pricing category", "Credit", "OnDemand", "", ""},
		{"a refund has no pricing category", "Refund", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pricingCategory(chargeCategory(tt.lineItemType), tt.lineItemType, tt.term, tt.usageType); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestServiceCategory(t *testing.T) {
	tests := []struct {
		name, productCode, usageType, want string
	}{
		{"EC2 instances are compute", "AmazonEC2", "USE1-BoxUsage:m5.large", "Compute"},
		{"EBS volumes billed under EC2 are storage", "AmazonEC2", "USE1-EBS:VolumeUsage.gp3", "Storage"},
		{"S3 is storage", "AmazonS3", "TimedStorage-ByteHrs", "Storage"},
		{"data transfer billed under EC2 is networking", "AmazonEC2", "USE1-DataTransfer-Out-Bytes", "Networking"},
		{"a NAT gateway billed under EC2 is networking", "AmazonEC2", "USE1-NatGateway-Hours", "Networking"},
		{"SQS, under its real code AWSQueueService, is integration", "AWSQueueService", "Requests-Tier1", "Integration"},
		{"KMS, under its real code awskms, is security", "awskms", "KMS-Requests", "Security"},
		{"a product code Reckon does not know is other", "AmazonSomethingNew", "", "Other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := serviceCategory(tt.productCode, tt.usageType); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInvoiceIssuerWithoutTheInvoicingEntityColumn(t *testing.T) {
	csv := "bill/PayerAccountId,bill/BillingEntity,lineItem/LegalEntity,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost\n" +
		"012345678901,AWS,Amazon Web Services EMEA SARL,Usage,2026-08-01T00:00:00Z,1\n" +
		"012345678901,AWS Marketplace,\"Red Hat, Inc.\",Usage,2026-08-01T00:00:00Z,1\n"
	rows, _, err := readCUR(strings.NewReader(csv), "older.csv")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct{ publisher, issuer string }{
		{"Amazon Web Services EMEA SARL", "Amazon Web Services EMEA SARL"},
		{"Red Hat, Inc.", "Amazon Web Services, Inc."},
	} {
		if rows[i].PublisherName != want.publisher || rows[i].InvoiceIssuerName != want.issuer {
			t.Errorf("row %d: publisher %q, issuer %q; want %q, %q", i,
				rows[i].PublisherName, rows[i].InvoiceIssuerName, want.publisher, want.issuer)
		}
	}
}
