package budget_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// monthToDate is a delivery of the month's days before `through` that
// costs total in all, spread over the days by whole cents (day 1 takes
// what does not divide).
func monthToDate(t testing.TB, month, through time.Time, total string) []charge {
	days := int(through.Sub(month).Hours() / 24)
	units := new(big.Rat).Mul(rat(t, total), big.NewRat(100, 1))
	if !units.IsInt() {
		t.Fatalf("%s is not in whole cents", total)
	}
	n := units.Num().Int64()
	var out []charge
	for i := range days {
		c := n / int64(days)
		if i == 0 {
			c += n % int64(days)
		}
		out = append(out, charge{Day: month.AddDate(0, 0, i), Account: member, Service: "Amazon Elastic Compute Cloud",
			Amount: fmt.Sprintf("%d.%02d", c/100, c%100)})
	}
	return out
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// atFull is a budget of 1000 USD a month on the payer's bill with one
// notification, Actual at or above 100%, told by email and webhook.
func atFull(start time.Time) cost.Budget {
	return cost.Budget{Scope: billing, Name: "full", Amount: decimal.FromInt(1000), Currency: "USD", TimeGrain: cost.GrainMonthly,
		StartDate: start, Notifications: []cost.Notification{{Enabled: true, Operator: cost.OpGreaterThanOrEqualTo,
			Threshold: decimal.FromInt(100), ContactEmails: []string{"finops@example.com"}, Webhooks: []string{"https://hooks.example.com/reckon"}}}}
}

func TestRestatements(t *testing.T) {
	oct, nov := day(2026, 10, 1), day(2026, 11, 1)
	for _, c := range []struct {
		name string
		now  time.Time
		// month is delivered again at each step with this month-to-date
		// total, and evaluated.
		totals []string
		// state is the alert's after each step, "" for none; sent the
		// event delivered at the step, "" for nothing.
		states []cost.AlertState
		sent   []string
		audit  []string
	}{{
		name:   "a restatement under the threshold resolves the fired alert, and a second one over it fires it again",
		now:    day(2026, 10, 20).Add(6 * time.Hour),
		totals: []string{"1100.00", "999.99", "1000.00"},
		states: []cost.AlertState{cost.AlertActive, cost.AlertResolved, cost.AlertActive},
		sent:   []string{"fired", "", "refired"},
		audit:  []string{"alert.active", "alert.resolved", "alert.active"},
	}, {
		name:   "a restatement over the threshold fires the alert, and a second one under it resolves it",
		now:    day(2026, 10, 20).Add(6 * time.Hour),
		totals: []string{"900.00", "1000.01", "900.00"},
		states: []cost.AlertState{"", cost.AlertActive, cost.AlertResolved},
		sent:   []string{"", "fired", ""},
		audit:  []string{"alert.active", "alert.resolved"},
	}, {
		name:   "a restatement that stays over the threshold changes nothing",
		now:    day(2026, 10, 20).Add(6 * time.Hour),
		totals: []string{"1100.00", "1250.00", "1000.00"},
		states: []cost.AlertState{cost.AlertActive, cost.AlertActive, cost.AlertActive},
		sent:   []string{"fired", "", ""},
		audit:  []string{"alert.active"},
	}, {
		name:   "a restatement of last month after it ended still resolves and fires last month's alert",
		now:    day(2026, 11, 3).Add(6 * time.Hour),
		totals: []string{"1100.00", "900.00", "1100.00"},
		states: []cost.AlertState{cost.AlertActive, cost.AlertResolved, cost.AlertActive},
		sent:   []string{"fired", "", "refired"},
		audit:  []string{"alert.active", "alert.resolved", "alert.active"},
	}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			store, _ := newStore(t)
			b := saveBudget(t, store, atFull(oct))
			clk := &clock{t: c.now}
			rec := &recorder{clock: clk}
			e := newEvaluator(store, clk, rec, nil)
			through := earliest(c.now.Truncate(24*time.Hour), nov)
			deliveries := 0
			var last cost.AlertState
			changedAt := ""
			for i, total := range c.totals {
				deliver(t, store, oct, fmt.Sprint("v", i), monthToDate(t, oct, through, total))
				must(t, e.Evaluate(ctx))
				must(t, e.Evaluate(ctx)) // evaluating again finds nothing new
				got := rec.take()
				var events []string
				for _, s := range webhooks(got) {
					events = append(events, s.Payload.Event)
				}
				if want := c.sent[i]; want == "" && len(got) > 0 || want != "" && (!slices.Equal(events, []string{want}) || len(emails(got)) != 1) {
					t.Errorf("at %s: sent %d emails and webhooks %v, want %q", total, len(emails(got)), events, want)
				}
				a, ok := alertOf(t, store, b, b.Notifications[0].Name, oct)
				if !ok && c.states[i] != "" || ok && a.State != c.states[i] {
					t.Errorf("at %s: the alert is %q, want %q", total, a.State, c.states[i])
				}
				if !ok {
					continue
				}
				if a.State != last {
					changedAt, last = total, a.State
				}
				if !equalRat(t, a.Budget.Spent, rat(t, changedAt)) {
					t.Errorf("at %s: the alert recorded %s spent, want %s, when it last changed", total, a.Budget.Spent, changedAt)
				}
				if c.sent[i] != "" {
					deliveries += 2
				}
				if len(a.Deliveries) != deliveries {
					t.Errorf("at %s: the alert has %d deliveries, want %d", total, len(a.Deliveries), deliveries)
				}
				if a.State == cost.AlertResolved && (a.Resolved == nil || !a.Resolved.Equal(c.now)) {
					t.Errorf("at %s: resolved at %v, want %s", total, a.Resolved, c.now)
				}
				if a.State == cost.AlertActive && a.Resolved != nil {
					t.Errorf("at %s: an active alert was resolved at %v", total, a.Resolved)
				}
			}
			if got := auditActions(t, store); !slices.Equal(got, c.audit) {
				t.Errorf("audit %v, want %v", got, c.audit)
			}
			if n := len(alerts(t, store, b.ID)); n > 1 {
				t.Errorf("%d alerts, want one per notification and period", n)
			}
		})
	}
}

func TestARestartSendsNothingTwice(t *testing.T) {
	ctx := context.Background()
	oct := day(2026, 10, 1)
	store, dir := newStore(t)
	b := saveBudget(t, store, atFull(oct))
	deliver(t, store, oct, "v1", monthToDate(t, oct, day(2026, 10, 20), "1200.00"))
	clk := &clock{t: day(2026, 10, 20).Add(6 * time.Hour)}
	rec := &recorder{clock: clk}
	must(t, newEvaluator(store, clk, rec, nil).Evaluate(ctx))
	if got := rec.take(); len(got) != 2 {
		t.Fatalf("the first evaluation sent %d, want an email and a webhook", len(got))
	}

	t.Run("a new evaluator over the same store sends nothing", func(t *testing.T) {
		must(t, newEvaluator(store, clk, rec, nil).Evaluate(ctx))
		if got := rec.take(); len(got) != 0 {
			t.Errorf("sent %d again", len(got))
		}
	})
	t.Run("an evaluator over the store reopened from its folder sends nothing", func(t *testing.T) {
		must(t, store.Close())
		reopened := openStore(t, dir)
		must(t, newEvaluator(reopened, clk, rec, nil).Evaluate(ctx))
		if got := rec.take(); len(got) != 0 {
			t.Errorf("sent %d again", len(got))
		}
		as := alerts(t, reopened, b.ID)
		if len(as) != 1 || as[0].State != cost.AlertActive || len(as[0].Deliveries) != 2 || !as[0].Fired.Equal(clk.Now()) {
			t.Errorf("after the restart, alerts %+v, want the one that fired, with its two deliveries", as)
		}
		if got := auditActions(t, reopened); !slices.Equal(got, []string{"alert.active"}) {
			t.Errorf("audit %v", got)
		}
	})
}

func TestADismissedAlert(t *testing.T) {
	ctx := context.Background()
	oct := day(2026, 10, 1)
	store, _ := newStore(t)
	b := saveBudget(t, store, atFull(oct))
	now := day(2026, 10, 20).Add(6 * time.Hour)
	clk := &clock{t: now}
	rec := &recorder{clock: clk}
	e := newEvaluator(store, clk, rec, nil)
	name := b.Notifications[0].Name
	step := func(version, total string) cost.Alert {
		t.Helper()
		deliver(t, store, oct, version, monthToDate(t, oct, day(2026, 10, 20), total))
		must(t, e.Evaluate(ctx))
		a, ok := alertOf(t, store, b, name, oct)
		if !ok {
			t.Fatalf("at %s: no alert", total)
		}
		return a
	}
	a := step("v1", "1100.00")
	rec.take()
	change(t, store, func(ctx context.Context, tx cost.CatalogTx) error {
		a.State, a.Dismissed, a.DismissedBy = cost.AlertDismissed, &now, "carol@example.com"
		return tx.PutAlert(ctx, a)
	})

	t.Run("it stays dismissed while the cost stays over", func(t *testing.T) {
		for _, total := range []string{"1100.00", "1300.00"} {
			if a := step("over-"+total, total); a.State != cost.AlertDismissed || a.DismissedBy != "carol@example.com" {
				t.Errorf("at %s: %s by %q, want dismissed by carol", total, a.State, a.DismissedBy)
			}
		}
		if got := rec.take(); len(got) != 0 {
			t.Errorf("sent %d for a dismissed alert", len(got))
		}
	})
	t.Run("it resolves when a restatement takes the cost under", func(t *testing.T) {
		if a := step("under", "800.00"); a.State != cost.AlertResolved {
			t.Errorf("%s, want resolved", a.State)
		}
		if got := rec.take(); len(got) != 0 {
			t.Errorf("sent %d on resolving", len(got))
		}
	})
	t.Run("it fires again, active and no longer dismissed, when the cost goes over once more", func(t *testing.T) {
		a := step("over-again", "1000.00")
		if a.State != cost.AlertActive || a.Dismissed != nil || a.DismissedBy != "" {
			t.Errorf("%s, dismissed %v by %q: want active and not dismissed", a.State, a.Dismissed, a.DismissedBy)
		}
		if got := webhooks(rec.take()); len(got) != 1 || got[0].Payload.Event != "refired" {
			t.Errorf("sent %v, want one refired webhook", got)
		}
	})
}

func TestADisabledNotificationNeverFires(t *testing.T) {
	ctx := context.Background()
	oct := day(2026, 10, 1)
	store, _ := newStore(t)
	b := atFull(oct)
	off := b.Notifications[0]
	off.Enabled, off.Threshold, off.Name = false, decimal.FromInt(10), "off"
	b.Notifications = append(b.Notifications, off)
	b = saveBudget(t, store, b)
	clk := &clock{}
	rec := &recorder{clock: clk}
	e := newEvaluator(store, clk, rec, nil)
	for _, d := range []time.Time{day(2026, 10, 2), day(2026, 10, 20), day(2026, 11, 2)} {
		clk.set(d.Add(6 * time.Hour))
		deliver(t, store, oct, d.Format(time.DateOnly), monthToDate(t, oct, earliest(d, day(2026, 11, 1)), "2000.00"))
		must(t, e.Evaluate(ctx))
	}
	var fired []string
	for _, s := range webhooks(rec.take()) {
		fired = append(fired, s.Payload.Alert.Budget.Notification)
	}
	if !slices.Equal(fired, []string{b.Notifications[0].Name}) {
		t.Errorf("fired %v, want only the enabled notification, once", fired)
	}
	if _, ok := alertOf(t, store, b, "off", oct); ok {
		t.Error("the disabled notification has an alert")
	}
}

// refusing is a mail server and a webhook receiver that refuse everything.
type refusing struct{ recorder }

func (r *refusing) Email(ctx context.Context, to string, m budget.Email) error {
	_ = r.recorder.Email(ctx, to, m)
	return errors.New("550 mailbox unavailable")
}

func (r *refusing) Post(ctx context.Context, url string, body []byte) cost.Delivery {
	d := r.recorder.Post(ctx, url, body)
	d.Status, d.Attempts, d.StatusCode, d.Error = "failed", 3, 503, "503 Service Unavailable"
	return d
}

func TestAFailedDeliveryIsRecordedAndNotRetried(t *testing.T) {
	ctx := context.Background()
	oct := day(2026, 10, 1)
	store, _ := newStore(t)
	b := saveBudget(t, store, atFull(oct))
	deliver(t, store, oct, "v1", monthToDate(t, oct, day(2026, 10, 20), "1200.00"))
	clk := &clock{t: day(2026, 10, 20).Add(6 * time.Hour)}
	n := &refusing{recorder{clock: clk}}
	var logs bytes.Buffer
	e := newEvaluator(store, clk, n, &logs)
	must(t, e.Evaluate(ctx))
	must(t, e.Evaluate(ctx))
	if got := n.take(); len(got) != 2 {
		t.Errorf("tried %d sends, want an email and a webhook once: delivery is at most once", len(got))
	}
	a, ok := alertOf(t, store, b, b.Notifications[0].Name, oct)
	if !ok || a.State != cost.AlertActive {
		t.Fatalf("alert %+v, want it active though its deliveries failed", a)
	}
	var got []string
	for _, d := range a.Deliveries {
		got = append(got, fmt.Sprintf("%s %s %d %d %s", d.Channel, d.Status, d.Attempts, d.StatusCode, d.Error))
	}
	want := []string{"email failed 1 0 550 mailbox unavailable", "webhook failed 3 503 503 Service Unavailable"}
	if !slices.Equal(got, want) {
		t.Errorf("deliveries %q, want %q", got, want)
	}
	for _, warn := range []string{"alert email failed", "alert webhook failed"} {
		if !strings.Contains(logs.String(), warn) {
			t.Errorf("the log does not say %q: %s", warn, logs.String())
		}
	}
}

func TestNoAlertLooksBackBeforeItsBudget(t *testing.T) {
	ctx := context.Background()
	sep, oct := day(2026, 9, 1), day(2026, 10, 1)
	store, _ := newStore(t)
	deliver(t, store, sep, "final", monthToDate(t, sep, oct, "1500.00"))
	deliver(t, store, oct, "v1", monthToDate(t, oct, day(2026, 10, 20), "400.00"))
	clk := &clock{t: day(2026, 10, 20).Add(6 * time.Hour)}
	for _, c := range []struct {
		name    string
		created time.Time
		want    []string // the periods that fired
	}{
		{"a budget created in October does not fire for September, which it starts in", day(2026, 10, 15), nil},
		{"a budget created in September fires for September, evaluated as the period before", day(2026, 9, 10), []string{"2026-09-01"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := atFull(sep)
			b.Name, b.Created = "from-"+c.created.Format("2006-01-02"), c.created
			b = saveBudget(t, store, b)
			rec := &recorder{clock: clk}
			must(t, newEvaluator(store, clk, rec, nil).Evaluate(ctx))
			var got []string
			for _, s := range webhooks(rec.take()) {
				got = append(got, s.Payload.Alert.Budget.Period.Start.Format(time.DateOnly))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("fired for %v, want %v", got, c.want)
			}
		})
	}
}
