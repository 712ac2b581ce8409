package api

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// movingClock is a clock the test moves.
type movingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movingClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movingClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingCollector stands in for AWS at the Collector boundary (the real
// one runs end to end in cmd/reckon): it finds one linked account.
type countingCollector struct{ calls int }

func (c *countingCollector) Collect(_ context.Context, conn cost.Connector) (*Collection, error) {
	c.calls++
	return &Collection{Rows: 10, BillingAccount: cost.Account{ID: conn.BillingAccount(), Name: "payer"},
		Accounts: []cost.Account{{ID: "aws/accounts/222222222222", Name: "web"}}}, nil
}

func TestMaintainRunsTheLifecycleAndCollects(t *testing.T) {
	ctx := context.Background()
	store, err := duckstore.Open(ctx, t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := &movingClock{t: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)}
	var logs bytes.Buffer
	collector := &countingCollector{}
	s := New(store, clock, slog.New(slog.NewTextHandler(&logs, nil))).WithCollector(collector)
	must(t, store.UpdateCatalog(ctx, func(c *duckstore.Catalog) ([]cost.AuditEntry, error) {
		scope, owner := cost.ConnectorCreated("connectors/trial", "trial", "admin")
		must(t, c.Hierarchy.Add(scope))
		c.Assignments = append(c.Assignments, owner)
		c.Connectors = append(c.Connectors, cost.Connector{ID: "connectors/trial", RoleARN: "arn:aws:iam::111111111111:role/r",
			ReportName: "r", Created: clock.Now(), Creator: "admin", State: cost.StateTrial})
		return nil, nil
	}))
	state := func() cost.ConnectorState {
		c, err := store.LoadCatalog(ctx)
		must(t, err)
		return c.Connectors[0].State
	}
	// Day 1: a trial collects, and discovery adds the accounts, the creator Owner.
	must(t, s.Maintain(ctx))
	c, _ := store.LoadCatalog(ctx)
	if collector.calls != 1 || state() != cost.StateTrial {
		t.Fatalf("day 1: %d collections, state %s", collector.calls, state())
	}
	if !cost.Can("admin", cost.ActionRead, "aws/accounts/222222222222", c.Hierarchy, c.Assignments) {
		t.Error("the creator is not Owner of the discovered account")
	}
	// Day 91: the trial ended without auto-renew: disabled, no collection.
	clock.add(91 * 24 * time.Hour)
	must(t, s.Maintain(ctx))
	if collector.calls != 1 || state() != cost.StateDisabled {
		t.Errorf("day 91: %d collections, state %s", collector.calls, state())
	}
	// Three months later it is deleted.
	clock.add(93 * 24 * time.Hour)
	must(t, s.Maintain(ctx))
	if state() != cost.StateDeleted {
		t.Errorf("three months disabled: state %s", state())
	}
	c, _ = store.LoadCatalog(ctx)
	for _, id := range []cost.ScopeID{"connectors/trial", "aws/billing/111111111111", "aws/accounts/222222222222"} {
		if _, ok := c.Hierarchy.Scope(id); ok {
			t.Errorf("%s is still there after deletion", id)
		}
	}
	if len(c.Assignments) != 0 {
		t.Errorf("assignments on deleted scopes remain: %+v", c.Assignments)
	}
	log, _ := store.AuditLog(ctx)
	var changes []string
	for _, e := range log {
		if e.Action == "connector.lifecycle" || e.Action == "connector.purge" {
			changes = append(changes, e.Detail)
		}
	}
	if strings.Join(changes, ",") != "now Disabled,now Deleted,3 scopes and 0 cost rows deleted" {
		t.Errorf("audited lifecycle changes %v", changes)
	}
	if m := string(s.metrics.text()); !strings.Contains(m, `reckon_collections_total{connector="connectors/trial",result="ok"} 1`) || !strings.Contains(m, "reckon_rows_loaded_total 10") {
		t.Errorf("metrics:\n%s", m)
	}
}
