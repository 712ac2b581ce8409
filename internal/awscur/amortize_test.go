package awscur

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// amortizationColumns gives each amortization column a distinct value, so
// the result names the branch and the columns that produced it. Gross: 1.1
// is the savings plan effective cost, 4.5 the unused commitment (7 − 2.5),
// 3.3 the reservation effective cost, 0.46 the unused RI fee (0.4 + 0.06).
// Net (10% off): 0.99, 4.05 (4.5 × 6.3/7, the net commitment 3.6 + 2.7 of
// the gross 4 + 3), 2.97 and 0.414 (0.36 + 0.054). Every row carries every
// column of its kind, so a branch that read the wrong one would show.
var amortizationColumns = []struct {
	f      field
	legacy string
	snake  string
	value  string
	net    bool
}{
	{fSavingsPlanEffectiveCost, "savingsPlan/SavingsPlanEffectiveCost", "savings_plan_savings_plan_effective_cost", "1.1", false},
	{fSavingsPlanTotalCommitment, "savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date", "7", false},
	{fSavingsPlanUsedCommitment, "savingsPlan/UsedCommitment", "savings_plan_used_commitment", "2.5", false},
	{fSavingsPlanAmortizedUpfrontCommitment, "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", "savings_plan_amortized_upfront_commitment_for_billing_period", "4", false},
	{fSavingsPlanRecurringCommitment, "savingsPlan/RecurringCommitmentForBillingPeriod", "savings_plan_recurring_commitment_for_billing_period", "3", false},
	{fReservationEffectiveCost, "reservation/EffectiveCost", "reservation_effective_cost", "3.3", false},
	{fReservationUnusedAmortizedUpfront, "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation_unused_amortized_upfront_fee_for_billing_period", "0.4", false},
	{fReservationUnusedRecurringFee, "reservation/UnusedRecurringFee", "reservation_unused_recurring_fee", "0.06", false},
	{fSavingsPlanNetEffectiveCost, "savingsPlan/NetSavingsPlanEffectiveCost", "savings_plan_net_savings_plan_effective_cost", "0.99", true},
	{fSavingsPlanNetAmortizedUpfrontCommitment, "savingsPlan/NetAmortizedUpfrontCommitmentForBillingPeriod", "savings_plan_net_amortized_upfront_commitment_for_billing_period", "3.6", true},
	{fSavingsPlanNetRecurringCommitment, "savingsPlan/NetRecurringCommitmentForBillingPeriod", "savings_plan_net_recurring_commitment_for_billing_period", "2.7", true},
	{fReservationNetEffectiveCost, "reservation/NetEffectiveCost", "reservation_net_effective_cost", "2.97", true},
	{fReservationNetUnusedAmortizedUpfront, "reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod", "reservation_net_unused_amortized_upfront_fee_for_billing_period", "0.36", true},
	{fReservationNetUnusedRecurringFee, "reservation/NetUnusedRecurringFee", "reservation_net_unused_recurring_fee", "0.054", true},
}

const riARN = "arn:aws:ec2:us-east-1:123456789012:reserved-instances/4e5f8d2a-1c3b-4a5d-9e8f-0a1b2c3d4e5f"

// effectiveCostCases has one row per branch of effectiveCost, and one per
// line item type that falls through to the billed cost. net is the row's
// lineItem/NetUnblendedCost; want is EffectiveCost without net columns (the
// amortized cost), wantNet with them (the net amortized cost).
var effectiveCostCases = []struct {
	name           string
	lineItemType   string
	productCode    string
	reservationARN string
	unblended, net string
	want, wantNet  string
}{
	{"savings plan covered usage costs its savings plan effective cost", "SavingsPlanCoveredUsage", "AmazonEC2", "", "10", "10", "1.1", "0.99"},
	{"a savings plan recurring fee costs the commitment left unused", "SavingsPlanRecurringFee", "ComputeSavingsPlans", "", "7", "6.3", "4.5", "4.05"},
	{"a savings plan negation costs nothing", "SavingsPlanNegation", "AmazonEC2", "", "-10", "-10", "0", "0"},
	{"a savings plan upfront fee costs nothing: it is amortized into covered usage", "SavingsPlanUpfrontFee", "ComputeSavingsPlans", "", "8760", "7884", "0", "0"},
	{"discounted usage costs its reservation effective cost", "DiscountedUsage", "AmazonEC2", riARN, "0", "0", "3.3", "2.97"},
	{"an RI fee costs the unused amortized upfront fee plus the unused recurring fee", "RIFee", "AmazonEC2", riARN, "12", "10.8", "0.46", "0.414"},
	{"a fee with a reservation ARN is an RI upfront payment and costs nothing", "Fee", "AmazonEC2", riARN, "1000", "900", "0", "0"},
	{"a fee without a reservation ARN costs its billed cost", "Fee", "AWSSupportBusiness", "", "100", "90", "100", "90"},
	{"a refund of compute savings plans costs nothing", "Refund", "ComputeSavingsPlans", "", "-50", "-45", "0", "0"},
	{"a refund of another product costs its billed cost", "Refund", "AmazonS3", "", "-5", "-5", "-5", "-5"},
	{"usage costs its billed cost", "Usage", "AmazonEC2", "", "0.096", "0.0864", "0.096", "0.0864"},
	{"tax costs its billed cost", "Tax", "AmazonEC2", "", "1.23", "1.23", "1.23", "1.23"},
	{"a credit costs its billed cost", "Credit", "AmazonEC2", "", "-0.5", "-0.5", "-0.5", "-0.5"},
	{"a bundled discount costs its billed cost", "BundledDiscount", "AmazonEC2", "", "-0.01", "-0.01", "-0.01", "-0.01"},
	{"a discount costs its billed cost", "Discount", "AmazonEC2", "", "-0.02", "-0.02", "-0.02", "-0.02"},
	{"a private rate discount costs its billed cost, 0 when spread into the usage's net cost", "PrivateRateDiscount", "AmazonEC2", "", "-0.03", "0", "-0.03", "0"},
	{"an EDP discount costs its billed cost, 0 when spread into the usage's net cost", "EdpDiscount", "AmazonEC2", "", "-0.04", "0", "-0.04", "0"},
	{"a line item type AWS adds tomorrow costs its billed cost", "SomeFutureDiscount", "AmazonEC2", "", "-0.05", "-0.05", "-0.05", "-0.05"},
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

func (m fakeAmounts) has(f field) bool { return m[f] != "" }

func (m fakeAmounts) cellError(f field, problem string) error {
	return &ParseError{Column: legacyName(f), Problem: problem}
}

func legacyName(f field) string {
	for _, c := range amortizationColumns {
		if c.f == f {
			return c.legacy
		}
	}
	return canonical[f]
}

// amortizationValues returns the gross columns, and the net ones too when
// net is set.
func amortizationValues(net bool) fakeAmounts {
	m := fakeAmounts{}
	for _, c := range amortizationColumns {
		if net || !c.net {
			m[c.f] = c.value
		}
	}
	return m
}

func TestEffectiveCostFormula(t *testing.T) {
	for _, net := range []bool{false, true} {
		mode := "without net columns, "
		if net {
			mode = "with net columns, "
		}
		for _, tt := range effectiveCostCases {
			t.Run(mode+tt.name, func(t *testing.T) {
				billed, want := tt.unblended, tt.want
				if net {
					billed, want = tt.net, tt.wantNet
				}
				got, err := effectiveCost(tt.lineItemType, tt.productCode, tt.reservationARN, decimal.MustParse(billed), amortizationValues(net))
				if err != nil {
					t.Fatal(err)
				}
				if got != decimal.MustParse(want) {
					t.Errorf("effectiveCost(%s, %s, billed %s) = %s, want %s", tt.lineItemType, tt.productCode, billed, got, want)
				}
			})
		}
	}
}

func TestEffectiveCostReadsEachNetCellOrItsGrossColumn(t *testing.T) {
	gross := amortizationValues(false)
	with := func(kv ...any) fakeAmounts {
		m := fakeAmounts{}
		for k, v := range gross {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(field)] = kv[i+1].(string)
		}
		return m
	}
	tests := []struct {
		name, lineItemType, want string
		columns                  fakeAmounts
	}{
		{"an empty net effective cost cell leaves covered usage at its gross effective cost", "SavingsPlanCoveredUsage", "1.1",
			with(fSavingsPlanNetEffectiveCost, "")},
		{"an empty net effective cost cell leaves discounted usage at its gross effective cost", "DiscountedUsage", "3.3",
			with(fReservationNetEffectiveCost, "")},
		{"an RI fee with only the net unused recurring fee nets that part alone", "RIFee", "0.454",
			with(fReservationNetUnusedRecurringFee, "0.054")},
		{"an RI fee with only the net unused upfront fee nets that part alone", "RIFee", "0.42",
			with(fReservationNetUnusedAmortizedUpfront, "0.36")},
		{"a recurring fee with only the net recurring commitment scales by (4 + 2.7) / 7", "SavingsPlanRecurringFee", "4.307142857142857143",
			with(fSavingsPlanNetRecurringCommitment, "2.7")},
		{"a recurring fee with no gross commitment to scale by costs the commitment left unused", "SavingsPlanRecurringFee", "4.5",
			with(fSavingsPlanAmortizedUpfrontCommitment, "", fSavingsPlanRecurringCommitment, "", fSavingsPlanNetRecurringCommitment, "6")},
		{"a recurring fee whose net commitment equals the gross costs the commitment left unused", "SavingsPlanRecurringFee", "4.5",
			with(fSavingsPlanNetAmortizedUpfrontCommitment, "4", fSavingsPlanNetRecurringCommitment, "3")},
		{"a recurring fee whose net commitment is 0 (fully credited) costs nothing", "SavingsPlanRecurringFee", "0",
			with(fSavingsPlanNetAmortizedUpfrontCommitment, "0", fSavingsPlanNetRecurringCommitment, "0")},
		{"a recurring fee without used commitment costs the whole commitment", "SavingsPlanRecurringFee", "7",
			fakeAmounts{fSavingsPlanTotalCommitment: "7"}},
		{"an RI fee with only the unused recurring fee costs that fee", "RIFee", "0.06",
			fakeAmounts{fReservationUnusedRecurringFee: "0.06"}},
		{"covered usage without its effective cost columns costs nothing", "SavingsPlanCoveredUsage", "0", fakeAmounts{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := effectiveCost(tt.lineItemType, "", "", decimal.MustParse("99"), tt.columns)
			if err != nil {
				t.Fatal(err)
			}
			if got != decimal.MustParse(tt.want) {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestMulDivRoundsHalfToEven(t *testing.T) {
	tests := []struct{ x, n, d, want string }{
		{"1", "2", "3", "0.666666666666666667"},
		{"0.000000000000000001", "1", "2", "0"},
		{"0.000000000000000003", "1", "2", "0.000000000000000002"},
		{"-0.000000000000000003", "1", "2", "-0.000000000000000002"},
		{"4.5", "6.3", "-7", "-4.05"},
	}
	for _, tt := range tests {
		t.Run(tt.x+" × "+tt.n+" / "+tt.d+" is "+tt.want, func(t *testing.T) {
			got, ok := mulDiv(decimal.MustParse(tt.x), decimal.MustParse(tt.n), decimal.MustParse(tt.d))
			if !ok || got != decimal.MustParse(tt.want) {
				t.Errorf("got %s, %v", got, ok)
			}
		})
	}
	if _, ok := mulDiv(decimal.MustParse("1000000000000"), decimal.MustParse("1000000000"), decimal.MustParse("0.001")); ok {
		t.Error("a result past 10^19 was accepted")
	}
}

func TestEffectiveCostReportsABadColumn(t *testing.T) {
	tests := []struct {
		lineItemType string
		bad          field
		net          bool
	}{
		{"SavingsPlanCoveredUsage", fSavingsPlanEffectiveCost, false},
		{"SavingsPlanCoveredUsage", fSavingsPlanNetEffectiveCost, true},
		{"SavingsPlanRecurringFee", fSavingsPlanTotalCommitment, false},
		{"SavingsPlanRecurringFee", fSavingsPlanUsedCommitment, false},
		{"SavingsPlanRecurringFee", fSavingsPlanAmortizedUpfrontCommitment, true},
		{"SavingsPlanRecurringFee", fSavingsPlanNetRecurringCommitment, true},
		{"DiscountedUsage", fReservationEffectiveCost, false},
		{"DiscountedUsage", fReservationNetEffectiveCost, true},
		{"RIFee", fReservationUnusedAmortizedUpfront, false},
		{"RIFee", fReservationNetUnusedRecurringFee, true},
	}
	for _, tt := range tests {
		t.Run(tt.lineItemType+" fails on an unreadable "+legacyName(tt.bad), func(t *testing.T) {
			cols := amortizationValues(tt.net)
			cols[tt.bad] = "n/a"
			_, err := effectiveCost(tt.lineItemType, "", "", decimal.Zero, cols)
			if !errors.Is(err, decimal.ErrSyntax) {
				t.Errorf("got %v, want decimal.ErrSyntax", err)
			}
		})
	}
	t.Run("a recurring fee scaled past 10^19 names the net commitment column", func(t *testing.T) {
		cols := fakeAmounts{fSavingsPlanTotalCommitment: "1000000000000", fSavingsPlanRecurringCommitment: "0.001",
			fSavingsPlanNetRecurringCommitment: "1000000000"}
		_, err := effectiveCost("SavingsPlanRecurringFee", "", "", decimal.Zero, cols)
		if pe := mustParseError(t, err); pe.Column != "savingsPlan/NetRecurringCommitmentForBillingPeriod" {
			t.Errorf("column %q", pe.Column)
		}
	})
}

// TestEffectiveCostThroughTheReader writes every case as a CSV row, in the
// legacy and the Athena header, with and without net columns, and reads it
// back with NewReader.
func TestEffectiveCostThroughTheReader(t *testing.T) {
	for _, style := range []string{"legacy", "snake_case"} {
		for _, net := range []bool{false, true} {
			name := "a " + style + " CUR without net columns amortizes every line item type"
			if net {
				name = "a " + style + " CUR with net columns amortizes every line item type net of discounts"
			}
			t.Run(name, func(t *testing.T) {
				rows, _ := readString(t, effectiveCostCSV(style == "legacy", net))
				if len(rows) != len(effectiveCostCases) {
					t.Fatalf("got %d rows, want %d", len(rows), len(effectiveCostCases))
				}
				for i, tt := range effectiveCostCases {
					billed, want := tt.unblended, tt.want
					if net {
						billed, want = tt.net, tt.wantNet
					}
					checkRow(t, tt.name, rows[i], map[string]string{
						"LineItemID": "row-" + strconv.Itoa(i), "LineItemType": tt.lineItemType,
						"EffectiveCost": want, "BilledCost": billed, "UnblendedCost": tt.unblended,
					})
				}
			})
		}
	}
}

func effectiveCostCSV(legacy, net bool) string {
	header := []string{"identity/LineItemId", "bill/PayerAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate",
		"lineItem/ProductCode", "lineItem/UnblendedCost", "reservation/ReservationARN", "lineItem/NetUnblendedCost"}
	if !legacy {
		header = []string{"identity_line_item_id", "bill_payer_account_id", "line_item_line_item_type", "line_item_usage_start_date",
			"line_item_product_code", "line_item_unblended_cost", "reservation_reservation_a_r_n", "line_item_net_unblended_cost"}
	}
	if !net {
		header = header[:len(header)-1]
	}
	for _, c := range amortizationColumns {
		switch {
		case c.net && !net:
		case legacy:
			header = append(header, c.legacy)
		default:
			header = append(header, c.snake)
		}
	}
	lines := []string{strings.Join(header, ",")}
	for i, tt := range effectiveCostCases {
		cells := []string{"row-" + strconv.Itoa(i), "123456789012", tt.lineItemType, "2023-11-01T00:00:00Z",
			tt.productCode, tt.unblended, tt.reservationARN}
		if net {
			cells = append(cells, tt.net)
		}
		for _, c := range amortizationColumns {
			if net || !c.net {
				cells = append(cells, c.value)
			}
		}
		lines = append(lines, strings.Join(cells, ","))
	}
	return csvLines(lines...)
}
