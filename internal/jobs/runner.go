// Package jobs is Reckon's background work on connectors: collection with
// discovery, the lifecycle, purge of deleted connectors, the monthly
// connector charge, and the periodic job that runs them, on an injected
// clock. Sources (Azure exports, FOCUS files) are connectors of other kinds
// and run through the same jobs: no trial and no charge, and the billing
// accounts their loads find are theirs to purge. It reaches the catalog
// through cost.Catalog, the cost rows through the Costs it declares, and
// AWS or a source's storage through the Collector it declares; it imports
// no adapter.
package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Costs is the cost-row store: the queries that find a bill's accounts and
// a connector's managed cost, the charge rows it takes, and a deleted
// connector's purge.
type Costs interface {
	Query(ctx context.Context, q *cost.Query) (*cost.Result, error)
	LoadedVersion(ctx context.Context, source string, period time.Time) (string, error)
	ReplacePeriods(ctx context.Context, load cost.Load, src cost.RowSource) (cost.LoadResult, error)
	DeleteBillingAccount(ctx context.Context, payer string) (int64, error)
}

// Collector is the provider side of a connector's collection: AWS for an
// AWS connector, the customer's storage for a source (Azure exports, FOCUS
// files), whose accounts its rows name.
type Collector interface {
	// Accounts returns the accounts the provider names, by account ID
	// (AWS Organizations' names and status). Names it cannot read are a
	// warning, not an error: the rows' own IDs stand in for them.
	Accounts(ctx context.Context, conn cost.Connector) (known map[string]cost.Account, warnings []string, err error)
	// Load loads the report versions that changed, passing register to
	// every load so that the accounts its rows hold become scopes in the
	// same transaction as the rows. It returns a line per billing period
	// and the rows loaded.
	Load(ctx context.Context, conn cost.Connector, register cost.RegisterFunc) (summary []string, rows int64, err error)
}

// Options are what a Runner is built from.
type Options struct {
	Catalog cost.Catalog // required
	Costs   Costs        // required
	// Collector collects connectors; nil where nothing collects, and then
	// a collection is a Conflict and the periodic job skips it.
	Collector Collector
	Clock     cost.Clock   // the system clock when nil
	Log       *slog.Logger // discarded when nil
	// OnCollect, when set, is told of every collection that ran, on demand
	// or periodic: the rows its loads committed (even if a later step
	// failed) and its error. The server's metrics count them.
	OnCollect func(conn cost.ScopeID, rows int64, err error)
}

// Runner runs the jobs. Create it with New; it is safe for concurrent use.
type Runner struct {
	opts Options
}

// New returns a Runner built from opts.
func New(opts Options) *Runner {
	if opts.Clock == nil {
		opts.Clock = cost.SystemClock{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Runner{opts: opts}
}

// CollectionInfo is what the collections of the connector found, periodic
// and on demand, as the catalog keeps it (Connector.Collection): when it
// last checked and loaded, and the last failure's code and message; false
// before the first.
func (r *Runner) CollectionInfo(ctx context.Context, conn cost.ScopeID) (cost.CollectionInfo, bool, error) {
	var info *cost.CollectionInfo
	err := r.opts.Catalog.View(ctx, func(cr cost.CatalogReader) error {
		c, ok, err := cr.Connector(ctx, conn)
		if ok {
			info = c.Collection
		}
		return err
	})
	if err != nil || info == nil {
		return cost.CollectionInfo{}, false, err
	}
	return *info, true, nil
}

// record keeps a collection's outcome with its connector, in the catalog,
// where every replica reads it; a connector deleted meanwhile keeps
// nothing.
func (r *Runner) record(ctx context.Context, conn cost.ScopeID, started time.Time, rows int64, err error) {
	werr := r.opts.Catalog.Update(ctx, func(tx cost.CatalogTx) error {
		c, ok, err2 := tx.Connector(ctx, conn)
		if err2 != nil || !ok {
			return err2
		}
		info := cost.CollectionInfo{}
		if c.Collection != nil {
			info = c.Collection.Copy()
		}
		info.Record(started, rows > 0, time.Time{}, err)
		c.Collection = &info
		return tx.PutConnector(ctx, c)
	})
	if werr != nil {
		r.opts.Log.Warn("record the collection's outcome", "connector", conn, "err", werr)
	}
}

// Actor is who the periodic job acts as in the audit log.
const Actor = "reckon"

// Collect runs one collection of conn and registers what it found: the
// billing account and the linked accounts its bill holds, with the
// assignments discovery grants. The loads register the accounts their rows
// hold inside their own transactions (no reader sees rows without their
// scopes); the accounts are registered again after, which names existing
// ones and adds any a load could not. actor is who asked: a user, or Actor
// for the periodic job.
func (r *Runner) Collect(ctx context.Context, conn cost.Connector, actor string) (*cost.CollectResult, error) {
	if !conn.Collects() {
		return nil, cost.Errorf(cost.EConflict, "connector %s is %s and does not collect", conn.ID, conn.State)
	}
	if r.opts.Collector == nil {
		return nil, cost.Errorf(cost.EConflict, "this server does not collect")
	}
	started := r.opts.Clock.Now().UTC()
	res, rows, err := r.collect(ctx, conn, actor)
	if ctx.Err() == nil {
		r.record(ctx, conn.ID, started, rows, err) // a collection cut short by shutdown is not a failure of the source
	}
	if r.opts.OnCollect != nil {
		r.opts.OnCollect(conn.ID, rows, err)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// collect loads and discovers. rows is what the loads committed, even when
// a later step failed.
func (r *Runner) collect(ctx context.Context, conn cost.Connector, actor string) (*cost.CollectResult, int64, error) {
	known, warnings, err := r.opts.Collector.Accounts(ctx, conn)
	if err != nil {
		return nil, 0, err
	}
	registrar := &cost.Registrar{Known: known,
		Template: cost.Registration{Connector: conn.ID, Owner: conn.Creator, Group: conn.DefaultGroup, Time: r.opts.Clock.Now()}}
	summary, rows, err := r.opts.Collector.Load(ctx, conn, registrar.Register)
	if errors.Is(err, cost.ErrCatalogChanged) {
		// Someone changed the catalog while a period loaded: that period
		// was not committed. Load again; the periods committed are skipped.
		var more []string
		var n int64
		more, n, err = r.opts.Collector.Load(ctx, conn, registrar.Register)
		summary, rows = append(summary, more...), rows+n
	}
	if err != nil {
		return nil, rows, err
	}
	// An AWS connector's bill is its role's account: everything its view
	// holds is registered again, named from Organizations. A source's
	// billing accounts are what its loads found, registered by them.
	reg := cost.Registration{Time: r.opts.Clock.Now()}
	if !conn.IsSource() {
		if reg, err = r.found(ctx, conn, known); err != nil {
			return nil, rows, err
		}
	}
	if len(registrar.Skipped) > 0 {
		what := "12-digit AWS account numbers"
		if conn.IsSource() {
			what = "account IDs Reckon can make scopes of"
		}
		warnings = append(warnings, fmt.Sprintf("account IDs %s are not %s: their cost is loaded, but no scope shows it",
			strings.Join(registrar.Skipped, ", "), what))
	}
	res := &cost.CollectResult{Summary: summary, Warnings: warnings, Discovered: append([]cost.ScopeID{}, registrar.Added...)}
	err = r.opts.Catalog.Update(ctx, func(tx cost.CatalogTx) error {
		if err := tx.Audit(ctx, cost.AuditEntry{Time: reg.Time, User: actor, Action: "connector.collect", Scope: conn.ID}); err != nil {
			return err
		}
		if conn.IsSource() {
			return nil
		}
		added, err := cost.RegisterAccounts(ctx, tx, reg)
		res.Discovered = append(res.Discovered, added...)
		return err
	})
	if err != nil {
		return nil, rows, err
	}
	return res, rows, nil
}

// found is the registration of what conn's billing account holds: the
// payer and the linked accounts its view has rows of, named from known.
func (r *Runner) found(ctx context.Context, conn cost.Connector, known map[string]cost.Account) (cost.Registration, error) {
	payer := conn.Account()
	reg := cost.Registration{
		BillingAccount: cost.Account{ID: conn.BillingAccount(), Name: cmp.Or(known[payer].Name, payer), Status: known[payer].Status},
		Connector:      conn.ID, Owner: conn.Creator, Group: conn.DefaultGroup,
	}
	view, err := cost.ViewOf(cost.Scope{ID: reg.BillingAccount.ID}, nil)
	if err != nil {
		return reg, err
	}
	held, err := r.opts.Costs.Query(ctx, view.Restrict(&cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
		GroupBy: []cost.Dimension{{Column: "SubAccountId"}}}))
	if err != nil {
		return reg, err
	}
	for _, row := range held.Rows {
		id := row.Groups[0]
		scope, err := cost.LinkedAccountID(id)
		if err != nil {
			return reg, err
		}
		reg.Accounts = append(reg.Accounts, cost.Account{ID: scope, Name: cmp.Or(known[id].Name, id), Status: known[id].Status})
	}
	reg.Time = r.opts.Clock.Now()
	return reg, nil
}
