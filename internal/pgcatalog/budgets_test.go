package pgcatalog

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

var may = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

func budget(scope cost.ScopeID, name, amount string) cost.Budget {
	return cost.Budget{ID: cost.NewBudgetID(), Scope: scope, Name: name, Amount: decimal.MustParse(amount), Currency: "USD",
		Measure: cost.Measure("ActualCost"), TimeGrain: cost.GrainMonthly, StartDate: may, EndDate: may.AddDate(10, 0, 0),
		Filter: "ServiceName = 'Amazon EC2'",
		Notifications: []cost.Notification{{Name: "Actual_GreaterThan_80_Percent", Enabled: true, Operator: cost.OpGreaterThan,
			Threshold: decimal.MustParse("80.5"), ThresholdType: cost.ThresholdActual, ContactEmails: []string{"fin@example.com"},
			ContactRoles: []cost.Role{cost.RoleOwner}, Webhooks: []string{}}},
		Created: may, CreatedBy: "alice", Updated: may, UpdatedBy: "alice"}
}

func alert(scope cost.ScopeID, b cost.Budget, key string, fired time.Time, state cost.AlertState) cost.Alert {
	return cost.Alert{ID: cost.NewAlertID(), Kind: cost.AlertBudget, Scope: scope, State: state, Key: key,
		Budget: &cost.BudgetAlert{BudgetID: b.ID, BudgetName: b.Name, Notification: "Actual_GreaterThan_80_Percent",
			Operator: cost.OpGreaterThan, Threshold: decimal.MustParse("80.5"), ThresholdType: cost.ThresholdActual,
			Amount: b.Amount, Currency: "USD", Spent: decimal.MustParse("1234.567890123456789012"), Forecast: decimal.MustParse("0.000000000000000001"),
			Rates: []cost.ExchangeRate{{From: "EUR", To: "USD", Rate: decimal.MustParse("1.0842"), Updated: may}}},
		Fired: fired, Updated: fired, Message: "over 80.5%", Deliveries: []cost.Delivery{}}
}

func TestBudgetsAlertsSubscriptionsAndRatesRoundTripExactly(t *testing.T) {
	c := newCatalog(t)
	eu := cost.ScopeID("mg/eu")
	big := budget(eu, "big", "99999999999999999999.999999999999999999") // NUMERIC(38,18)'s largest
	small := budget(eu, "Small", "0.000000000000000001")
	onRoot := budget(cost.RootGroup, "root", "1000")
	a1 := alert(eu, big, "budget/"+big.ID+"/n/2026-05", may.Add(time.Hour), cost.AlertActive)
	a2 := alert(eu, small, "budget/"+small.ID+"/n/2026-05", may.Add(2*time.Hour), cost.AlertResolved)
	a3 := alert(cost.RootGroup, onRoot, "budget/"+onRoot.ID+"/n/2026-05", may.Add(3*time.Hour), cost.AlertActive)
	sub := cost.AnomalySubscription{ID: "sub1", Scope: eu, Name: "EU spikes", MinImpact: decimal.MustParse("12.345678901234567890"),
		ContactEmails: []string{"a@example.com"}, ContactRoles: []cost.Role{}, Webhooks: []string{"https://hooks.example.com/x"},
		Created: may, CreatedBy: "alice"}
	rates := cost.Rates{
		{From: "EUR", To: "USD", Rate: decimal.MustParse("1.084212345678901234"), Updated: may},
		{From: "GBP", To: "USD", Rate: decimal.MustParse("1.27"), Updated: may},
	}
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: eu, Name: "EU"}))
		for _, b := range []cost.Budget{big, small, onRoot} {
			must(t, tx.PutBudget(ctx, b))
		}
		for _, a := range []cost.Alert{a1, a2, a3} {
			must(t, tx.PutAlert(ctx, a))
		}
		must(t, tx.PutAnomalySubscription(ctx, sub))
		must(t, tx.PutExchangeRate(ctx, rates[1]))
		must(t, tx.PutExchangeRate(ctx, cost.ExchangeRate{From: "EUR", To: "USD", Rate: decimal.MustParse("2"), Updated: may}))
		return tx.PutExchangeRate(ctx, rates[0]) // replaces the first EUR rate
	})

	t.Run("budgets by scope, then name regardless of case", func(t *testing.T) {
		got := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Budget, error) { return r.Budgets(ctx, "") })
		if want := []cost.Budget{big, small, onRoot}; !reflect.DeepEqual(got, want) {
			t.Errorf("every budget:\n %+v\nwant %+v", got, want)
		}
		got = view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Budget, error) {
			return r.Budgets(ctx, cost.RootGroup)
		})
		if want := []cost.Budget{onRoot}; !reflect.DeepEqual(got, want) {
			t.Errorf("the root's budgets %+v", got)
		}
		one := view(t, c, func(ctx context.Context, r cost.CatalogReader) (cost.Budget, error) {
			b, _, err := r.Budget(ctx, big.ID)
			return b, err
		})
		if one.Amount.String() != "99999999999999999999.999999999999999999" {
			t.Errorf("the amount came back as %s", one.Amount)
		}
	})
	t.Run("alerts the latest fired first, filtered", func(t *testing.T) {
		tests := []struct {
			name   string
			filter cost.AlertFilter
			want   []cost.Alert
		}{
			{"every alert", cost.AlertFilter{}, []cost.Alert{a3, a2, a1}},
			{"by scope", cost.AlertFilter{Scope: eu}, []cost.Alert{a2, a1}},
			{"by state", cost.AlertFilter{State: cost.AlertActive}, []cost.Alert{a3, a1}},
			{"by kind", cost.AlertFilter{Kind: cost.AlertAnomaly}, nil},
			{"by key", cost.AlertFilter{Key: a2.Key}, []cost.Alert{a2}},
			{"by budget", cost.AlertFilter{Budget: big.ID}, []cost.Alert{a1}},
			{"since a time, inclusive", cost.AlertFilter{Since: a2.Fired}, []cost.Alert{a3, a2}},
			{"the newest two", cost.AlertFilter{Limit: 2}, []cost.Alert{a3, a2}},
			{"several fields at once", cost.AlertFilter{Scope: eu, State: cost.AlertActive, Limit: 5}, []cost.Alert{a1}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Alert, error) { return r.Alerts(ctx, tt.filter) })
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("Alerts(%+v):\n %+v\nwant %+v", tt.filter, got, tt.want)
				}
			})
		}
		got := view(t, c, func(ctx context.Context, r cost.CatalogReader) (cost.Alert, error) {
			a, _, err := r.Alert(ctx, a1.ID)
			return a, err
		})
		if !reflect.DeepEqual(got, a1) || got.Budget.Spent.String() != "1234.567890123456789012" {
			t.Errorf("alert %+v, want %+v", got, a1)
		}
	})
	t.Run("subscriptions and rates", func(t *testing.T) {
		subs := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.AnomalySubscription, error) {
			return r.AnomalySubscriptions(ctx, "")
		})
		if !reflect.DeepEqual(subs, []cost.AnomalySubscription{sub}) {
			t.Errorf("subscriptions %+v", subs)
		}
		got := view(t, c, func(ctx context.Context, r cost.CatalogReader) (cost.Rates, error) { return r.ExchangeRates(ctx) })
		if !reflect.DeepEqual(got, rates) {
			t.Errorf("rates %+v, want %+v", got, rates)
		}
	})
	t.Run("a deleted budget leaves its alerts as history", func(t *testing.T) {
		update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
			for _, del := range []func() (bool, error){
				func() (bool, error) { return tx.DeleteBudget(ctx, small.ID) },
				func() (bool, error) { return tx.DeleteAnomalySubscription(ctx, sub.ID) },
				func() (bool, error) { return tx.DeleteExchangeRate(ctx, "GBP", "USD") },
			} {
				if gone, err := del(); err != nil || !gone {
					t.Errorf("a deletion: %v %v, want one deleted", gone, err)
				}
				if gone, err := del(); err != nil || gone {
					t.Errorf("the deletion again: %v %v, want nothing deleted", gone, err)
				}
			}
			return nil
		})
		got := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Alert, error) {
			return r.Alerts(ctx, cost.AlertFilter{Budget: small.ID})
		})
		if len(got) != 1 {
			t.Errorf("the deleted budget's alerts: %+v", got)
		}
	})
}

func TestDeletingAScopeTakesWhatIsOnIt(t *testing.T) {
	c := newCatalog(t)
	eu, us := cost.ScopeID("mg/eu"), cost.ScopeID("mg/us")
	now := may
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		for _, s := range []cost.ScopeID{eu, us} {
			must(t, cost.AddScope(ctx, tx, cost.Scope{ID: s, Name: string(s)}))
			must(t, tx.AddAssignment(ctx, cost.Assignment{User: "alice", Role: cost.RoleOwner, Scope: s}))
			_, err := cost.SaveView(ctx, tx, cost.SavedView{ID: cost.NewViewID(), Scope: s, Name: "v", Chart: cost.ChartTable,
				Created: now, Updated: now}, now)
			must(t, err)
			b := budget(s, "b", "10")
			must(t, tx.PutBudget(ctx, b))
			must(t, tx.PutAlert(ctx, alert(s, b, "k"+string(s), now, cost.AlertActive)))
			must(t, tx.PutAnomalySubscription(ctx, cost.AnomalySubscription{ID: "sub" + string(s), Scope: s, Name: "s"}))
			must(t, tx.Audit(ctx, cost.AuditEntry{Time: now, User: "alice", Action: "scope.create", Scope: s}))
		}
		return nil
	})
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error { return tx.DeleteScope(ctx, eu) })
	type left struct{ scope, assignments, views, budgets, alerts, subs, audit int }
	count := func(s cost.ScopeID) left {
		return view(t, c, func(ctx context.Context, r cost.CatalogReader) (left, error) {
			var l left
			_, ok, err := r.Scope(ctx, s)
			if ok {
				l.scope = 1
			}
			as, err2 := r.Assignments(ctx, cost.AssignmentFilter{Scope: s})
			vs, err3 := r.SavedViews(ctx, s)
			bs, err4 := r.Budgets(ctx, s)
			als, err5 := r.Alerts(ctx, cost.AlertFilter{Scope: s})
			ss, err6 := r.AnomalySubscriptions(ctx, s)
			audit, err7 := r.AuditLog(ctx)
			for _, e := range audit {
				if e.Scope == s {
					l.audit++
				}
			}
			l.assignments, l.views, l.budgets, l.alerts, l.subs = len(as), len(vs), len(bs), len(als), len(ss)
			for _, e := range []error{err, err2, err3, err4, err5, err6, err7} {
				if e != nil {
					return l, e
				}
			}
			return l, nil
		})
	}
	if got, want := count(eu), (left{audit: 1}); got != want {
		t.Errorf("the deleted scope left %+v, want only its audit entry (%+v)", got, want)
	}
	if got, want := count(us), (left{1, 1, 1, 1, 1, 1, 1}); got != want {
		t.Errorf("the other scope has %+v, want %+v", got, want)
	}
}
