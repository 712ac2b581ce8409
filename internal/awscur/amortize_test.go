package awscur

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// amortizationColumns gives each amortization column a distinct value, so
// the result names the branch that produced it: 1.1 is the savings plan
// effective cost, 4.5 the unused commitment (7 − 2.5), 3.3 the reservation
// effective cost, 0.46 the unused RI fee (0.4 + 0.06). Every row carries
// every column, so a branch that read the wrong one would show.
var amortizationColumns = []struct {
	f      field
	legacy string
	snake  string
	value  string
}{
	{fSavingsPlanEffectiveCost, "savingsPlan/SavingsPlanEffectiveCost", "savings_plan_savings_plan_effective_cost", "1.1"},
	{fSavingsPlanTotalCommitment, "savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date", "7"},
	{fSavingsPlanUsedCommitment, "savingsPlan/UsedCommitment", "savings_plan_used_commitment", "2.5"},
	{fReservationEffectiveCost, "reservation/EffectiveCost", "reservation_effective_cost", "3.3"},
	{fReservationUnusedAmortizedUpfront, "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation_unused_amortized_upfront_fee_for_billing_period", "0.4"},
	{fReservationUnusedRecurringFee, "reservation/UnusedRecurringFee", "reservation_unused_recurring_fee", "0.06"},
}

const riARN = "arn:aws:ec2:us-east-1:123456789012:reserved-instances/4e5f8d2a-1c3b-4a5d-9e8f-0a1b2c3d4e5f"

// effectiveCostCases has one row per branch of effectiveCost, and one per
// line item type that falls through to the unblended cost.
var effectiveCostCases = []struct {
	name           string
	lineItemType   string
	productCode    string
	reservationARN string
	unblended      string
	want           string
}{
	{"savings plan covered usage costs its savings plan effective cost", "SavingsPlanCoveredUsage", "AmazonEC2", "", "10", "1.1"},
	{"a savings plan recurring fee costs the commitment left unused", "SavingsPlanRecurringFee", "ComputeSavingsPlans", "", "7", "4.5"},
	{"a savings plan negation costs nothing", "SavingsPlanNegation", "AmazonEC2", "", "-10", "0"},
	{"a savings plan upfront fee costs nothing: it is amortized into covered usage", "SavingsPlanUpfrontFee", "ComputeSavingsPlans", "", "8760", "0"},
	{"discounted usage costs its reservation effective cost", "DiscountedUsage", "AmazonEC2", riARN, "0", "3.3"},
	{"an RI fee costs the unused amortized upfront fee plus the unused recurring fee", "RIFee", "AmazonEC2", riARN, "12", "0.46"},
	{"a fee with a reservation ARN is an RI upfront payment and costs nothing", "Fee", "AmazonEC2", riARN, "1000", "0"},
	{"a fee without a reservation ARN costs its unblended cost", "Fee", "AWSSupportBusiness", "", "100", "100"},
	{"a refund of compute savings plans costs nothing", "Refund", "ComputeSavingsPlans", "", "-50", "0"},
	{"a refund of another product costs its unblended cost", "Refund", "AmazonS3", "", "-5", "-5"},
	{"usage costs its unblended cost", "Usage", "AmazonEC2", "", "0.096", "0.096"},
	{"tax costs its unblended cost", "Tax", "AmazonEC2", "", "1.23", "1.23"},
	{"a credit costs its unblended cost", "Credit", "AmazonEC2", "", "-0.5", "-0.5"},
	{"a bundled discount costs its unblended cost", "BundledDiscount", "AmazonEC2", "", "-0.01", "-0.01"},
	{"a discount costs its unblended cost", "Discount", "AmazonEC2", "", "-0.02", "-0.02"},
	{"a private rate discount costs its unblended cost", "PrivateRateDiscount", "AmazonEC2", "", "-0.03", "-0.03"},
	{"an EDP discount costs its unblended cost", "EdpDiscount", "AmazonEC2", "", "-0.04", "-0.04"},
	{"a line item type AWS adds tomorrow costs its unblended cost", "SomeFutureDiscount", "AmazonEC2", "", "-0.05", "-0.05"},
}

// fakeAmounts is a row's amortization columns by field.
type fakeAmounts map[field]string

func (m fakeAmounts) amount(f field) (decimal.Decimal, error) {
	s, ok := m[f]
	if !ok || s == "" {
		return decimal.Zero, nil
	}
	return decimal.Parse(s)
}

func legacyName(f field) string {
	for _, c := range amortizationColumns {
		if c.f == f {
			return c.legacy
		}
	}
	return canonical[f]
}

func allAmortizationColumns() fakeAmounts {
	m := fakeAmounts{}
	for _, c := range amortizationColumns {
		m[c.f] = c.value
	}
	return m
}

func TestEffectiveCostFormula(t *testing.T) {
	for _, tt := range effectiveCostCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := effectiveCost(tt.lineItemType, tt.productCode, tt.reservationARN, decimal.MustParse(tt.unblended), allAmortizationColumns())
			if err != nil {
				t.Fatal(err)
			}
			if want := decimal.MustParse(tt.want); got != want {
				t.Errorf("effectiveCost(%s, %s, unblended %s) = %s, want %s", tt.lineItemType, tt.productCode, tt.unblended, got, want)
			}
		})
	}
}

func TestEffectiveCostTreatsAbsentColumnsAsZero(t *testing.T) {
	tests := []struct {
		name, lineItemType, want string
		columns                  fakeAmounts
	}{
		{"a recurring fee without used commitment costs the whole commitment", "SavingsPlanRecurringFee", "7", fakeAmounts{fSavingsPlanTotalCommitment: "7"}},
		{"an RI fee with only the unused recurring fee costs that fee", "RIFee", "0.06", fakeAmounts{fReservationUnusedRecurringFee: "0.06"}},
		{"covered usage without its effective cost column costs nothing", "SavingsPlanCoveredUsage", "0", fakeAmounts{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := effectiveCost(tt.lineItemType, "", "", decimal.MustParse("99"), tt.columns)
			if err != nil {
				t.Fatal(err)
			}
			if want := decimal.MustParse(tt.want); got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
}

func TestEffectiveCostReportsABadColumn(t *testing.T) {
	tests := []struct {
		lineItemType string
		bad          field
	}{
		{"SavingsPlanCoveredUsage", fSavingsPlanEffectiveCost},
		{"SavingsPlanRecurringFee", fSavingsPlanTotalCommitment},
		{"SavingsPlanRecurringFee", fSavingsPlanUsedCommitment},
		{"DiscountedUsage", fReservationEffectiveCost},
		{"RIFee", fReservationUnusedAmortizedUpfront},
		{"RIFee", fReservationUnusedRecurringFee},
	}
	for _, tt := range tests {
		t.Run(tt.lineItemType+" fails on an unreadable "+legacyName(tt.bad), func(t *testing.T) {
			cols := allAmortizationColumns()
			cols[tt.bad] = "n/a"
			_, err := effectiveCost(tt.lineItemType, "", "", decimal.Zero, cols)
			if !errors.Is(err, decimal.ErrSyntax) {
				t.Errorf("got %v, want decimal.ErrSyntax", err)
			}
		})
	}
}

// TestEffectiveCostThroughTheReader writes every case as a CSV row, in the
// legacy and the Athena header, and reads it back with NewReader.
func TestEffectiveCostThroughTheReader(t *testing.T) {
	for _, style := range []string{"legacy", "snake_case"} {
		t.Run("a "+style+" CUR amortizes every line item type", func(t *testing.T) {
			rows, _ := readString(t, effectiveCostCSV(style == "legacy"))
			if len(rows) != len(effectiveCostCases) {
				t.Fatalf("got %d rows, want %d", len(rows), len(effectiveCostCases))
			}
			for i, tt := range effectiveCostCases {
				checkRow(t, tt.name, rows[i], map[string]string{
					"LineItemID": "row-" + strconv.Itoa(i), "LineItemType": tt.lineItemType,
					"EffectiveCost": tt.want, "BilledCost": tt.unblended, "UnblendedCost": tt.unblended,
				})
			}
		})
	}
}

func effectiveCostCSV(legacy bool) string {
	header := []string{"identity/LineItemId", "bill/PayerAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate",
		"lineItem/ProductCode", "lineItem/UnblendedCost", "reservation/ReservationARN"}
	if !legacy {
		header = []string{"identity_line_item_id", "bill_payer_account_id", "line_item_line_item_type", "line_item_usage_start_date",
			"line_item_product_code", "line_item_unblended_cost", "reservation_reservation_a_r_n"}
	}
	for _, c := range amortizationColumns {
		if legacy {
			header = append(header, c.legacy)
		} else {
			header = append(header, c.snake)
		}
	}
	lines := []string{strings.Join(header, ",")}
	for i, tt := range effectiveCostCases {
		cells := []string{"row-" + strconv.Itoa(i), "123456789012", tt.lineItemType, "2023-11-01T00:00:00Z",
			tt.productCode, tt.unblended, tt.reservationARN}
		for _, c := range amortizationColumns {
			cells = append(cells, c.value)
		}
		lines = append(lines, strings.Join(cells, ","))
	}
	return csvLines(lines...)
}
