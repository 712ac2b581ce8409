package synth_test

import (
	"bytes"
	"errors"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/azexport"
	"github.com/reckon-finops/reckon/internal/synth"
)

// The generated exports read back, through Reckon's Azure reader, to the
// totals the generator kept: BilledCost from the actual exports,
// EffectiveCost from the amortized ones, by subscription.
func TestGeneratedAzureExportsReadBackToTheirTotals(t *testing.T) {
	o := synth.DemoAzureOptions(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	months, want := synth.GenerateAzure(o)
	if len(months) != o.Months {
		t.Fatalf("%d months, want %d", len(months), o.Months)
	}
	billed, effective := map[string]*big.Rat{}, map[string]*big.Rat{}
	for _, m := range months {
		for _, e := range []struct {
			data      []byte
			amortized bool
			rows      int
			into      map[string]*big.Rat
		}{{m.Actual, false, m.ActualRows, billed}, {m.Amortized, true, m.AmortizedRows, effective}} {
			r, err := azexport.NewReader(bytes.NewReader(e.data), "gen.csv", azexport.Options{Amortized: e.amortized})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for {
				row, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				v := row.BilledCost
				if e.amortized {
					v = row.EffectiveCost
				}
				x, _ := new(big.Rat).SetString(v.String())
				sum := e.into[row.SubAccountID]
				if sum == nil {
					sum = new(big.Rat)
					e.into[strings.Clone(row.SubAccountID)] = sum
				}
				sum.Add(sum, x)
				if !row.BillingPeriodStart.Equal(m.Start) || row.BillingCurrency != "EUR" || row.BillingAccountID != "8611537" {
					t.Fatalf("row %d: period %s currency %s account %s", n, row.BillingPeriodStart, row.BillingCurrency, row.BillingAccountID)
				}
			}
			if n != e.rows {
				t.Errorf("%d rows read, the generator wrote %d", n, e.rows)
			}
		}
	}
	for _, s := range o.Subscriptions {
		for name, c := range map[string]struct {
			got  *big.Rat
			want int64
		}{"billed": {billed[s.ID], want.Billed[s.ID]}, "effective": {effective[s.ID], want.Effective[s.ID]}} {
			w, _ := new(big.Rat).SetString(synth.Micro(c.want))
			if c.got == nil || c.got.Cmp(w) != 0 || c.want == 0 {
				t.Errorf("%s %s: read %v, generated %s", s.Name, name, c.got, synth.Micro(c.want))
			}
		}
	}
	if want.BilledTotal != want.EffectiveTotal {
		t.Errorf("the reservation's purchase (%s billed) and its amortization (%s effective) should cost the same in total",
			synth.Micro(want.BilledTotal), synth.Micro(want.EffectiveTotal))
	}
}
