package jobs

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// standIn stands in for AWS at the Collector boundary (the real one runs
// end to end in cmd/reckon): Organizations names the payer and one linked
// account, and each collection loads ten rows of that account, billed to
// the connector's payer, through the store with the hook it is given.
type standIn struct {
	store    *duckstore.Store
	calls    int
	warnings []string // what Accounts warns of; with a warning it names nobody
}

func (c *standIn) Accounts(context.Context, cost.Connector) (map[string]cost.Account, []string, error) {
	if c.warnings != nil {
		return nil, c.warnings, nil
	}
	return map[string]cost.Account{"111111111111": {Name: "payer"}, "222222222222": {Name: "web", Status: "ACTIVE"}}, nil, nil
}

func (c *standIn) Load(ctx context.Context, conn cost.Connector, register cost.RegisterFunc) ([]string, int64, error) {
	c.calls++
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows []*cost.Row
	for i := range 10 {
		start := jan.Add(time.Duration(i) * time.Hour)
		rows = append(rows, &cost.Row{ProviderName: "AWS", BillingAccountID: conn.Account(), SubAccountID: "222222222222",
			BillingPeriodStart: jan, BillingPeriodEnd: jan.AddDate(0, 1, 0), ChargePeriodStart: start, ChargePeriodEnd: start.Add(time.Hour),
			ChargeCategory: cost.ChargeUsage, BilledCost: decimal.MustParse("1.5"), EffectiveCost: decimal.MustParse("1.5"),
			BillingCurrency: "USD", ServiceName: "Amazon S3"})
	}
	res, err := c.store.ReplacePeriods(ctx, cost.Load{Source: "aws-cur/" + conn.Account() + "/r", Version: "v1",
		BillingAccount: conn.Account(), Register: register}, &rowList{rows: rows})
	return []string{"loaded January"}, res.Rows, err
}

// trialConnector adds connectors/trial, created by admin at now.
func trialConnector(t *testing.T, store cost.Catalog, now time.Time) {
	change(t, store, func(ctx context.Context, tx cost.CatalogTx) {
		scope, owner := cost.ConnectorCreated("connectors/trial", "trial", "admin")
		must(t, cost.AddScope(ctx, tx, scope))
		must(t, tx.AddAssignment(ctx, owner))
		must(t, tx.PutConnector(ctx, cost.Connector{ID: "connectors/trial", RoleARN: "arn:aws:iam::111111111111:role/r",
			ReportName: "r", Created: now, Creator: "admin", State: cost.StateTrial}))
	})
}

// collected is what OnCollect was told.
type collected struct {
	conn cost.ScopeID
	rows int64
	code string
}

func TestMaintainRunsTheLifecycleAndCollects(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	clock := &movingClock{t: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)}
	var logs bytes.Buffer
	collector := &standIn{store: store}
	var told []collected
	r := newRunner(store, clock, collector, &logs, func(conn cost.ScopeID, rows int64, err error) {
		told = append(told, collected{conn, rows, cost.ErrorCode(err)})
	})
	trialConnector(t, store, clock.Now())
	state := func() cost.ConnectorState {
		return read(t, store, func(ctx context.Context, r cost.CatalogReader) (cost.ConnectorState, error) {
			c, _, err := r.Connector(ctx, "connectors/trial")
			return c.State, err
		})
	}
	// Day 1: a trial collects, and discovery adds the accounts, the creator Owner.
	must(t, r.Maintain(ctx))
	if collector.calls != 1 || state() != cost.StateTrial {
		t.Fatalf("day 1: %d collections, state %s", collector.calls, state())
	}
	if err := store.View(ctx, func(r cost.CatalogReader) error {
		return cost.Authorize(ctx, r, "admin", cost.ActionRead, "aws/accounts/222222222222")
	}); err != nil {
		t.Errorf("the creator is not Owner of the discovered account: %v", err)
	}
	if want := []collected{{"connectors/trial", 10, ""}}; !slices.Equal(told, want) {
		t.Errorf("OnCollect was told %+v, want %+v", told, want)
	}
	// Day 91: the trial ended without auto-renew: disabled, no collection.
	clock.add(91 * 24 * time.Hour)
	must(t, r.Maintain(ctx))
	if collector.calls != 1 || state() != cost.StateDisabled {
		t.Errorf("day 91: %d collections, state %s", collector.calls, state())
	}
	// Three months later it is deleted, with its scopes and its data.
	clock.add(93 * 24 * time.Hour)
	must(t, r.Maintain(ctx))
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
	if strings.Join(changes, ",") != "now Disabled,now Deleted,3 scopes and 10 cost rows deleted" {
		t.Errorf("audited lifecycle changes %v", changes)
	}
	if len(told) != 1 {
		t.Errorf("OnCollect was told of %d collections, want 1", len(told))
	}
}

func TestACollectionRegistersWhatItFound(t *testing.T) {
	for _, c := range []struct {
		name     string
		warnings []string
		payer    string // the billing account's name
		account  string // the linked account's name
	}{
		{"with Organizations' names, the accounts are named from it", nil, "payer", "web"},
		{"without access to Organizations, the IDs stand in and the warning is passed on",
			[]string{"no access to AWS Organizations"}, "111111111111", "222222222222"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			store := openStore(t)
			now := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
			trialConnector(t, store, now)
			var logs bytes.Buffer
			r := newRunner(store, fixedClock{now}, &standIn{store: store, warnings: c.warnings}, &logs, nil)
			conn := read(t, store, func(ctx context.Context, r cost.CatalogReader) (cost.Connector, error) {
				conn, _, err := r.Connector(ctx, "connectors/trial")
				return conn, err
			})
			res, err := r.Collect(ctx, conn, "ana")
			must(t, err)
			want := []cost.ScopeID{"aws/billing/111111111111", "aws/accounts/222222222222"}
			if !slices.Equal(res.Discovered, want) || !slices.Equal(res.Warnings, c.warnings) || !slices.Equal(res.Summary, []string{"loaded January"}) {
				t.Errorf("result %+v, want discovered %v and warnings %v", res, want, c.warnings)
			}
			names := map[cost.ScopeID]string{}
			for _, s := range read(t, store, func(ctx context.Context, r cost.CatalogReader) ([]cost.Scope, error) { return r.Scopes(ctx) }) {
				names[s.ID] = s.Name
			}
			if names[want[0]] != c.payer || names[want[1]] != c.account {
				t.Errorf("names %v, want %s and %s", names, c.payer, c.account)
			}
			log := read(t, store, func(ctx context.Context, r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(ctx) })
			if !slices.ContainsFunc(log, func(e cost.AuditEntry) bool {
				return e.Action == "connector.collect" && e.User == "ana" && e.Scope == "connectors/trial"
			}) {
				t.Errorf("no connector.collect entry by ana in %+v", log)
			}
		})
	}
}

func TestACollectionIsRefusedWhereItCannotRun(t *testing.T) {
	store := openStore(t)
	now := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	for _, c := range []struct {
		name      string
		collector Collector
		state     cost.ConnectorState
	}{
		{"a disabled connector does not collect", &standIn{store: store}, cost.StateDisabled},
		{"a runner without a collector does not collect", nil, cost.StateTrial},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRunner(store, fixedClock{now}, c.collector, &logs, nil)
			conn := cost.Connector{ID: "connectors/x", RoleARN: "arn:aws:iam::111111111111:role/r", State: c.state}
			if _, err := r.Collect(context.Background(), conn, "ana"); cost.ErrorCode(err) != cost.EConflict {
				t.Errorf("Collect = %v, want a Conflict", err)
			}
		})
	}
}

func TestThePeriodicJobRunsAMinuteAfterStartThenEverySixHours(t *testing.T) {
	store := openStore(t)
	start := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	clock := &stepClock{now: start, stop: 4}
	trialConnector(t, store, start)
	var logs bytes.Buffer
	var ran []time.Time
	r := newRunner(store, clock, &standIn{store: store}, &logs, func(cost.ScopeID, int64, error) { ran = append(ran, clock.Now()) })
	sched := r.Periodic()
	sched.Wait, sched.Rand = clock.Wait, func() float64 { return 0.5 } // no jitter
	sched.Run(context.Background())
	if want := []time.Duration{time.Minute, 6 * time.Hour, 6 * time.Hour, 6 * time.Hour}; !slices.Equal(clock.waits, want) {
		t.Errorf("waits %v, want %v", clock.waits, want)
	}
	first := start.Add(time.Minute)
	if want := []time.Time{first, first.Add(6 * time.Hour), first.Add(12 * time.Hour)}; !slices.EqualFunc(ran, want, time.Time.Equal) {
		t.Errorf("the job collected at %v, want %v", ran, want)
	}
	if info := sched.Info(); !info.LastChecked.Equal(first.Add(12*time.Hour)) || info.Error != nil {
		t.Errorf("info %+v, want checked at the third run without error", info)
	}
}
