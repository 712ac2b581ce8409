package storetest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// The fixture's billing accounts: one in dollars, one in euros, whose ID
// starts with a zero.
const (
	PayerUSD = "111122223333"
	PayerEUR = "044455556666"
)

func month(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

// Months are the fixture's billing periods.
var Months = []time.Time{month(2026, 8), month(2026, 9), month(2026, 10)}

var (
	services = []string{"Amazon Elastic Compute Cloud", "Amazon Simple Storage Service", "Tax", "Amazon Relational Database Service", ""}
	regions  = []string{"us-east-1", "eu-west-1", "ap-south-1", ""}
	envs     = []string{"prod", "dev", "test", ""} // "" for no tag
)

// fixtureRows are the rows of one billing account and period: n of them,
// with amounts of up to 18 decimal places, drawn from seed.
func fixtureRows(payer string, period time.Time, n int, seed uint64) []*cost.Row {
	rng := rand.New(rand.NewPCG(seed, uint64(period.Unix())))
	currency, accounts := "USD", []string{PayerUSD, "000000000001", "222233334444"}
	if payer == PayerEUR {
		currency, accounts = "EUR", []string{PayerEUR, "055566667777"}
	}
	days := period.AddDate(0, 1, 0).Sub(period) / (24 * time.Hour)
	out := make([]*cost.Row, n)
	for i := range out {
		start := period.Add(time.Duration(rng.IntN(int(days)*24)) * time.Hour)
		// Some charges of a period are dated in the days before it, as
		// AWS bills a late usage line: the billing period is not the
		// charge period.
		if i%97 == 0 {
			start = period.AddDate(0, 0, -1).Add(time.Duration(rng.IntN(24)) * time.Hour)
		}
		billed := amount(rng)
		r := &cost.Row{
			ProviderName: "AWS", PublisherName: "Amazon Web Services, Inc.", InvoiceIssuerName: "Amazon Web Services, Inc.",
			BillingAccountID: payer, SubAccountID: accounts[rng.IntN(len(accounts))],
			BillingPeriodStart: period, BillingPeriodEnd: period.AddDate(0, 1, 0),
			ChargePeriodStart: start, ChargePeriodEnd: start.Add(time.Hour),
			ChargeCategory:    []string{cost.ChargeUsage, cost.ChargeUsage, cost.ChargeTax, cost.ChargeCredit}[rng.IntN(4)],
			ChargeFrequency:   []string{"Usage-Based", "Recurring", "One-Time"}[rng.IntN(3)],
			ChargeDescription: fmt.Sprintf(`line %d, "quoted", with a comma`, i%13),
			BilledCost:        billed, EffectiveCost: amount(rng), ListCost: billed.Add(amount(rng).Abs()),
			BillingCurrency: currency, ServiceName: services[rng.IntN(len(services))], RegionID: regions[rng.IntN(len(regions))],
			ResourceID:       fmt.Sprintf("arn:aws:ec2:::instance/i-%04d", rng.IntN(40)),
			PricingQuantity:  cost.NullDecimal{Decimal: decimal.FromInt(int64(rng.IntN(10))), Valid: true},
			ConsumedQuantity: cost.NullDecimal{Decimal: decimal.MustParse(fmt.Sprintf("%d.25", rng.IntN(100))), Valid: rng.IntN(5) > 0},
			UsageType:        fmt.Sprintf("USE1-Box%d", rng.IntN(6)), LineItemType: "Usage",
			UnblendedCost: billed, BlendedCost: billed,
		}
		if env := envs[rng.IntN(len(envs))]; env != "" {
			r.Tags = append(r.Tags, cost.Tag{Key: "env", Value: env})
		}
		if rng.IntN(3) == 0 {
			r.Tags = append(r.Tags, cost.Tag{Key: "team", Value: fmt.Sprintf("t%d", rng.IntN(4))})
		}
		out[i] = r
	}
	return out
}

// amount is a cost with up to 18 decimal places, sometimes negative, and
// now and then near the largest a store takes.
func amount(rng *rand.Rand) decimal.Decimal {
	switch rng.IntN(50) {
	case 0:
		return decimal.MustParse("99999999.999999999999999999")
	case 1:
		return decimal.MustParse("0.000000000000000001")
	}
	s := fmt.Sprintf("%d.%018d", rng.IntN(1000), rng.Uint64()%1_000_000_000_000_000_000)
	if rng.IntN(10) == 0 {
		s = "-" + s
	}
	return decimal.MustParse(s)
}

// rowList is a cost.RowSource over rows; it fails at failAt when that is
// above 0, as a file cut short does.
type rowList struct {
	rows   []*cost.Row
	i      int
	failAt int
}

func (l *rowList) Next() (*cost.Row, error) {
	if l.failAt > 0 && l.i == l.failAt {
		return nil, fmt.Errorf("the source broke at row %d", l.i)
	}
	if l.i >= len(l.rows) {
		return nil, io.EOF
	}
	l.i++
	return l.rows[l.i-1], nil
}

// fixture is what a test loaded: every row the store should hold.
type fixture struct {
	rows []*cost.Row
}

// loadAll loads each billing account's months as one source each and
// returns the rows.
func loadAll(t *testing.T, s Store, perPeriod int) *fixture {
	t.Helper()
	f := &fixture{}
	for i, payer := range []string{PayerUSD, PayerEUR} {
		for j, m := range Months {
			rows := fixtureRows(payer, m, perPeriod, uint64(10*i+j))
			mustLoad(t, s, cost.Load{Source: "aws-cur/" + payer + "/r", Version: "v1", BillingAccount: payer}, rows)
			f.rows = append(f.rows, rows...)
		}
	}
	return f
}

func mustLoad(t *testing.T, s Store, l cost.Load, rows []*cost.Row) cost.LoadResult {
	t.Helper()
	res, err := s.ReplacePeriods(context.Background(), l, &rowList{rows: rows})
	if err != nil {
		t.Fatalf("load %s %s: %v", l.Source, l.Version, err)
	}
	return res
}
