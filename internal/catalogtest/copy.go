package catalogtest

import (
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

var listingTests = []test{
	{"every token is listed by ID, hashed as stored", func(t *testing.T, c cost.Catalog) {
		none := read(t, c, func(r cost.CatalogReader) ([]cost.Token, error) { return r.Tokens(t.Context()) })
		check(t, "the tokens of a new catalog", none, []cost.Token(nil))
		_, b := cost.NewToken("bob", at)
		_, a := cost.NewToken("ana", at.Add(time.Second))
		a.ID, b.ID = "0a00000000000000", "0b00000000000000"
		z := cost.Token{ID: "ff00000000000000", User: "ana", Hash: "another hash", Created: at}
		update(t, c, func(tx cost.CatalogTx) error {
			for _, tok := range []cost.Token{z, b, a} {
				must(t, tx.PutToken(t.Context(), tok))
			}
			return nil
		})
		got := read(t, c, func(r cost.CatalogReader) ([]cost.Token, error) { return r.Tokens(t.Context()) })
		check(t, "the tokens", got, []cost.Token{a, b, z})
	}},
	{"a new catalog's contents are new, and one record makes them not", func(t *testing.T, c cost.Catalog) {
		fresh := read(t, c, func(r cost.CatalogReader) (*cost.CatalogContents, error) { return cost.ReadCatalog(t.Context(), r) })
		if !fresh.IsNew() {
			t.Errorf("a new catalog's contents are not new: %s", fresh.Counts())
		}
		update(t, c, func(tx cost.CatalogTx) error {
			return tx.Audit(t.Context(), cost.AuditEntry{Time: at, User: "ana", Action: "login"})
		})
		used := read(t, c, func(r cost.CatalogReader) (*cost.CatalogContents, error) { return cost.ReadCatalog(t.Context(), r) })
		if used.IsNew() {
			t.Error("a catalog with an audit entry reads as new")
		}
	}},
}

// testCopy fills a catalog with records of every kind, copies its
// contents into a new catalog of the same backend, and finds the copy the
// same, record for record: what reckon migrate relies on across backends.
func testCopy(t *testing.T, open func(t *testing.T) cost.Catalog) {
	from, to := open(t), open(t)
	fillEverything(t, from)
	want := read(t, from, func(r cost.CatalogReader) (*cost.CatalogContents, error) { return cost.ReadCatalog(t.Context(), r) })
	target := read(t, to, func(r cost.CatalogReader) (*cost.CatalogContents, error) { return cost.ReadCatalog(t.Context(), r) })
	if !target.IsNew() {
		t.Fatalf("a new catalog is not new: %s", target.Counts())
	}
	if d := want.Diff(target); len(d) == 0 {
		t.Fatal("a filled catalog and a new one differ in nothing")
	}
	update(t, to, func(tx cost.CatalogTx) error { return want.Write(t.Context(), tx) })
	got := read(t, to, func(r cost.CatalogReader) (*cost.CatalogContents, error) { return cost.ReadCatalog(t.Context(), r) })
	if d := want.Diff(got); len(d) > 0 {
		t.Errorf("the copy differs: %v", d)
	}
	check(t, "what was copied", got.Counts(), want.Counts())
	for _, id := range []cost.ScopeID{acctA, groupUS} {
		paths := func(c cost.Catalog) []cost.ScopeID {
			return read(t, c, func(r cost.CatalogReader) ([]cost.ScopeID, error) { return r.GroupPath(t.Context(), id) })
		}
		check(t, "the group path of "+string(id), paths(to), paths(from))
	}
	desc := read(t, to, func(r cost.CatalogReader) ([]cost.Scope, error) { return r.Descendants(t.Context(), groupEU) })
	check(t, "what is below the EU group in the copy", scopeIDs(desc), []cost.ScopeID{acctA, "mg/a", eurozone, groupUS})
}

// fillEverything writes records of every kind, several of some, with a
// tree deeper than one group and IDs that do not sort parents first.
func fillEverything(t *testing.T, c cost.Catalog) {
	ctx := t.Context()
	update(t, c, func(tx cost.CatalogTx) error {
		must(t, tx.PutScope(ctx, cost.Scope{ID: cost.RootGroup, Name: "Acme"}))
		must(t, tx.PutConnector(ctx, connector(connID)))
		deleted := source("connectors/azure")
		deleted.State = cost.StateDeleted
		must(t, tx.PutConnector(ctx, deleted))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: connID, Name: "Acme AWS"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: groupEU, Name: "EU"}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: eurozone, Name: "Eurozone", Group: groupEU}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: groupUS, Name: "US", Group: eurozone}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: payer, Name: "Payer", Connector: connID}))
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: acctA, Name: "A", BillingAccount: payer, Group: groupUS,
			Connector: connID, Status: "SUSPENDED", NamedBy: "ana"}))
		// mg/a sorts before the groups above it: a copy in ID order would
		// put it before its group exists.
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "mg/a", Name: "A group", Group: groupUS}))
		for i, u := range []string{"ana", "bob"} {
			must(t, tx.PutUser(ctx, cost.User{Name: u, Created: at.Add(time.Duration(i) * time.Microsecond)}))
			_, tok := cost.NewToken(u, at)
			must(t, tx.PutToken(ctx, tok))
		}
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "ana", Role: cost.RoleOwner, Scope: cost.RootGroup}))
		must(t, tx.AddAssignment(ctx, cost.Assignment{User: "bob", Role: cost.RoleReader, Scope: acctA}))
		must(t, tx.PutSavedView(ctx, savedView("000000000000000a", acctA, "by service")))
		must(t, tx.PutSavedView(ctx, savedView("000000000000000b", cost.RootGroup, "All")))
		must(t, tx.PutBudget(ctx, budget("b1", acctA, "monthly", "10.000000000000000001")))
		must(t, tx.PutBudget(ctx, budget("b2", cost.RootGroup, "yearly", "-3")))
		must(t, tx.PutAlert(ctx, alert("000000000000000a", acctA, cost.AlertAnomaly, cost.AlertActive, "k1", at)))
		must(t, tx.PutAlert(ctx, alert("000000000000000b", acctA, cost.AlertBudget, cost.AlertResolved, "k2", at.Add(time.Hour))))
		must(t, tx.PutAnomalySubscription(ctx, cost.AnomalySubscription{ID: "s", Scope: acctA, Name: "spikes",
			MinImpact: decimal.MustParse("0.5"), Webhooks: []string{}, Created: at}))
		must(t, tx.PutExchangeRate(ctx, cost.ExchangeRate{From: "EUR", To: "USD", Rate: decimal.MustParse("1.082345678901234567"), Updated: at}))
		for i, action := range []string{"c", "a", "b"} {
			// Two entries of one time: the copy keeps the order appended.
			must(t, tx.Audit(ctx, cost.AuditEntry{Time: at.Add(time.Duration(i/2) * time.Second), User: "ana", Action: action, Scope: acctA}))
		}
		return nil
	})
}
