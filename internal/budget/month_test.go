package budget_test

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// spend is a month of the organization's charges: EC2 in the linked
// account around ec2 dollars a weekday (less at weekends), S3 in the payer
// account, and the support plan's fee on the 1st. The amounts have cents,
// and the same month always has the same ones.
func spend(month time.Time, ec2 int) []charge {
	rng := rand.New(rand.NewPCG(uint64(month.Unix()), uint64(ec2)))
	var out []charge
	for d := month; d.Before(month.AddDate(0, 1, 0)); d = d.AddDate(0, 0, 1) {
		cents := ec2*100 - 300 + rng.IntN(601)
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			cents = cents * 7 / 10
		}
		out = append(out,
			charge{Day: d, Account: member, Service: "Amazon Elastic Compute Cloud", Amount: fmt.Sprintf("%d.%02d", cents/100, cents%100)},
			charge{Day: d, Account: payer, Service: "Amazon Simple Storage Service", Amount: fmt.Sprintf("6.%02d", rng.IntN(100))})
		if d.Day() == 1 {
			out = append(out, charge{Day: d, Account: payer, Service: "AWS Support (Business)", Amount: "50.00", Recurring: true})
		}
	}
	return out
}

// before returns the charges of the days before d: what a month-to-date
// delivery made on day d holds.
func before(charges []charge, d time.Time) []charge {
	var out []charge
	for _, c := range charges {
		if c.Day.Before(d) {
			out = append(out, c)
		}
	}
	return out
}

// monthly is the budget: 1000 USD a month on the payer's bill,
// with three Actual thresholds and a Forecasted one, told by email and
// webhook.
func monthly(start time.Time) cost.Budget {
	n := func(op cost.Operator, threshold int64, tt cost.ThresholdType) cost.Notification {
		return cost.Notification{Enabled: true, Operator: op, Threshold: decimal.FromInt(threshold), ThresholdType: tt,
			ContactEmails: []string{"finops@example.com"}, Webhooks: []string{"https://hooks.example.com/reckon"}}
	}
	return cost.Budget{Scope: billing, Name: "platform-monthly", Amount: decimal.FromInt(1000), Currency: "USD",
		TimeGrain: cost.GrainMonthly, StartDate: start, Notifications: []cost.Notification{
			n(cost.OpGreaterThan, 50, cost.ThresholdActual),
			n(cost.OpGreaterThan, 90, cost.ThresholdActual),
			n(cost.OpGreaterThanOrEqualTo, 100, cost.ThresholdActual),
			n(cost.OpGreaterThan, 100, cost.ThresholdForecasted),
		}}
}

// firstDayOver is the first day d of the month on which the cost of the
// days before d crosses the threshold (percent of amount): the day the
// evaluation that reads the delivery made that morning fires.
func firstDayOver(t *testing.T, charges []charge, month time.Time, amount, threshold int64, orEqual bool) time.Time {
	t.Helper()
	limit := new(big.Rat).SetInt64(amount * threshold)
	for d := month; d.Before(month.AddDate(0, 1, 1)); d = d.AddDate(0, 0, 1) {
		spent := new(big.Rat).Mul(sum(t, before(charges, d)), big.NewRat(100, 1))
		if c := spent.Cmp(limit); c > 0 || orEqual && c == 0 {
			return d
		}
	}
	t.Fatalf("the month never crosses %d%%", threshold)
	return time.Time{}
}

func TestAMonthOnAFakeClock(t *testing.T) {
	ctx := context.Background()
	store, _ := newStore(t)
	aug, sep, oct, nov := day(2026, 8, 1), day(2026, 9, 1), day(2026, 10, 1), day(2026, 11, 1)
	deliver(t, store, aug, "aug-final", spend(aug, 16))
	deliver(t, store, sep, "sep-final", spend(sep, 16))
	october := spend(oct, 30)
	b := saveBudget(t, store, monthly(sep))

	clk := &clock{}
	rec := &recorder{clock: clk}
	e := newEvaluator(store, clk, rec, nil)
	// fired holds the days each notification's alert was delivered on, by
	// period and notification.
	fired := map[string][]time.Time{}
	for d := oct; !d.After(nov); d = d.AddDate(0, 0, 1) {
		clk.set(d.Add(5 * time.Hour))
		if d.Before(nov) {
			deliver(t, store, oct, "oct-"+d.Format(time.DateOnly), before(october, d))
		} else {
			deliver(t, store, oct, "oct-final", october)
		}
		for _, hour := range []time.Duration{6, 18} {
			clk.set(d.Add(hour * time.Hour))
			must(t, e.Evaluate(ctx))
			got := rec.take()
			hooks := webhooks(got)
			if len(emails(got)) != len(hooks) {
				t.Errorf("%s: %d emails for %d webhook posts", clk.Now().Format(time.DateTime), len(emails(got)), len(hooks))
			}
			for _, s := range hooks {
				a := s.Payload.Alert.Budget
				key := a.Period.Start.Format("2006-01") + " " + a.Notification
				fired[key] = append(fired[key], d)
				if s.Payload.Event != "fired" {
					t.Errorf("%s: %s was %s, want fired", d.Format(time.DateOnly), key, s.Payload.Event)
				}
			}
		}
	}
	for key, days := range fired {
		var on []string
		for _, d := range days {
			on = append(on, d.Format(time.DateOnly))
		}
		t.Logf("%s fired on %v", key, on)
	}

	t.Run("the actual alerts fire at 50, 90 and 100 percent on the days the costs cross them", func(t *testing.T) {
		var last time.Time
		for _, c := range []struct {
			name      string
			threshold int64
			orEqual   bool
		}{{"Actual_GreaterThan_50_Percent", 50, false}, {"Actual_GreaterThan_90_Percent", 90, false}, {"Actual_GreaterThanOrEqualTo_100_Percent", 100, true}} {
			want := firstDayOver(t, october, oct, 1000, c.threshold, c.orEqual)
			if got := fired["2026-10 "+c.name]; len(got) != 1 || !got[0].Equal(want) {
				t.Errorf("%s fired on %v, want once on %s", c.name, got, want.Format(time.DateOnly))
			}
			if !want.After(last) {
				t.Errorf("%s crosses on %s, not after the threshold below it (%s)", c.name, want.Format(time.DateOnly), last.Format(time.DateOnly))
			}
			last = want
		}
	})
	t.Run("the forecast alert fires once, before the actual cost reaches 100 percent", func(t *testing.T) {
		got := fired["2026-10 Forecasted_GreaterThan_100_Percent"]
		full := fired["2026-10 Actual_GreaterThanOrEqualTo_100_Percent"]
		if len(got) != 1 || len(full) != 1 || !got[0].Before(full[0]) {
			t.Errorf("Forecasted 100%% fired on %v and Actual 100%% on %v, want the forecast once and first", got, full)
		}
	})
	t.Run("last month's period is judged on the first day and only then", func(t *testing.T) {
		septemberSpent := sum(t, spend(sep, 16))
		for _, n := range b.Notifications {
			got := fired["2026-09 "+n.Name]
			spent, _ := decimal.Parse(septemberSpent.FloatString(2))
			if want := n.ThresholdType == cost.ThresholdActual && n.Crosses(spent, b.Amount); want != (len(got) == 1) || len(got) > 1 ||
				len(got) == 1 && !got[0].Equal(oct) {
				t.Errorf("September's %s fired on %v with September at %s, want once on the 1st only if it crosses", n.Name, got, spent)
			}
		}
	})
	t.Run("each alert is stored once per notification and period, active, with its deliveries", func(t *testing.T) {
		for _, a := range alerts(t, store, b.ID) {
			if a.State != cost.AlertActive || len(a.Deliveries) != 2 || a.Key == "" {
				t.Errorf("%s %s: state %s, %d deliveries, want active with an email and a webhook", a.Budget.Period.Start.Format("2006-01"),
					a.Budget.Notification, a.State, len(a.Deliveries))
			}
		}
		if got := len(alerts(t, store, b.ID)); got != len(fired) {
			t.Errorf("%d alerts stored, %d delivered", got, len(fired))
		}
		for _, action := range auditActions(t, store) {
			if action != "alert.active" {
				t.Errorf("audit entry %s, want only alert.active: nothing resolved", action)
			}
		}
	})
	t.Run("October's alerts record the month's spend on the day they fired", func(t *testing.T) {
		a, ok := alertOf(t, store, b, "Actual_GreaterThanOrEqualTo_100_Percent", oct)
		if !ok {
			t.Fatal("no 100% alert")
		}
		if want := sum(t, before(october, a.Fired.Truncate(24*time.Hour))); !equalRat(t, a.Budget.Spent, want) {
			t.Errorf("the 100%% alert recorded %s spent, want %s", a.Budget.Spent, want.FloatString(2))
		}
		if a.Fired.Hour() != 6 {
			t.Errorf("the 100%% alert fired at %s, want at the first evaluation after the delivery", a.Fired.Format(time.DateTime))
		}
	})
}

// A month whose forecast hovers around the amount: October costs a little
// less than the months before it, and ends under 1000.
func TestAForecastNearTheAmountMailsOnce(t *testing.T) {
	ctx := context.Background()
	store, _ := newStore(t)
	aug, sep, oct, nov := day(2026, 8, 1), day(2026, 9, 1), day(2026, 10, 1), day(2026, 11, 1)
	deliver(t, store, aug, "aug-final", spend(aug, 27))
	deliver(t, store, sep, "sep-final", spend(sep, 27))
	october := spend(oct, 26)
	b := monthly(oct)
	b.Notifications = b.Notifications[3:] // Forecasted > 100%
	b = saveBudget(t, store, b)
	name := b.Notifications[0].Name
	clk := &clock{}
	rec := &recorder{clock: clk}
	e := newEvaluator(store, clk, rec, nil)
	var sent []string
	for d := oct; d.Before(nov); d = d.AddDate(0, 0, 1) {
		clk.set(d.Add(6 * time.Hour))
		deliver(t, store, oct, "oct-"+d.Format(time.DateOnly), before(october, d))
		must(t, e.Evaluate(ctx))
		for _, s := range webhooks(rec.take()) {
			sent = append(sent, d.Format(time.DateOnly)+" "+s.Payload.Event)
		}
		if a, ok := alertOf(t, store, b, name, oct); ok && a.State != cost.AlertActive {
			t.Errorf("%s: the forecast alert is %s while October runs", d.Format(time.DateOnly), a.State)
		}
	}
	t.Run("it fires once, on the first day, however the forecast moves after", func(t *testing.T) {
		if want := []string{"2026-10-01 fired"}; !slices.Equal(sent, want) {
			t.Errorf("sent %v, want %v", sent, want)
		}
	})
	t.Run("it is resolved when the month ends under the amount", func(t *testing.T) {
		if total := sum(t, october); total.Cmp(big.NewRat(1000, 1)) >= 0 {
			t.Fatalf("October costs %s, not under 1000", total.FloatString(2))
		}
		clk.set(nov.Add(6 * time.Hour))
		deliver(t, store, oct, "oct-final", october)
		must(t, e.Evaluate(ctx))
		a, _ := alertOf(t, store, b, name, oct)
		if a.State != cost.AlertResolved || !equalRat(t, a.Budget.Forecast, sum(t, october)) {
			t.Errorf("after October: %s with a forecast of %s, want resolved at the month's cost", a.State, a.Budget.Forecast)
		}
		if got := rec.take(); len(got) != 0 {
			t.Errorf("sent %d on resolving", len(got))
		}
	})
}
