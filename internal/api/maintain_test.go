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
	s := New(Options{Catalog: store, Costs: store, Clock: clock, Log: slog.New(slog.NewTextHandler(&logs, nil)), Collector: collector})
	change(t, store, func(ctx context.Context, tx cost.CatalogTx) {
		scope, owner := cost.ConnectorCreated("connectors/trial", "trial", "admin")
		must(t, cost.AddScope(ctx, tx, scope))
		must(t, tx.AddAssignment(ctx, owner))
		must(t, tx.PutConnector(ctx, cost.Connector{ID: "connectors/trial", RoleARN: "arn:aws:iam::111111111111:role/r",
			ReportName: "r", Created: clock.Now(), Creator: "admin", State: cost.StateTrial}))
	})
	state := func() cost.ConnectorState {
		return read(t, store, func(ctx context.Context, r cost.CatalogReader) (cost.ConnectorState, error) {
			c, _, err := r.Connector(ctx, "connectors/trial")
			return c.State, err
		})
	}
	// Day 1: a trial collects, and discovery adds the accounts, the creator Owner.
	must(t, s.Maintain(ctx))
	if collector.calls != 1 || state() != cost.StateTrial {
		t.Fatalf("day 1: %d collections, state %s", collector.calls, state())
	}
	if err := store.View(ctx, func(r cost.CatalogReader) error {
		return cost.Authorize(ctx, r, "admin", cost.ActionRead, "aws/accounts/222222222222")
	}); err != nil {
		t.Errorf("the creator is not Owner of the discovered account: %v", err)
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
	left := read(t, store, func(ctx context.Context, r cost.CatalogReader) ([]cost.Scope, error) { return r.Scopes(ctx) })
	if len(left) != 1 || left[0].ID != cost.RootGroup {
		t.Errorf("after deletion the scopes are %+v, want only the root", left)
	}
	if as := read(t, store, func(ctx context.Context, r cost.CatalogReader) ([]cost.Assignment, error) {
		return r.Assignments(ctx, cost.AssignmentFilter{})
	}); len(as) != 0 {
		t.Errorf("assignments on deleted scopes remain: %+v", as)
	}
	log := read(t, store, func(ctx context.Context, r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(ctx) })
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
