package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// Maintain is the periodic job: it moves every connector's lifecycle on to
// now (a trial ends renewed or disabled; a connector disabled three months
// is deleted, and purged), posts the previous month's connector charges,
// then collects every connector that collects. A connector's failed
// collection is logged with its code and does not stop the others.
func (r *Runner) Maintain(ctx context.Context) error {
	conns, err := r.advance(ctx)
	if err != nil {
		return err
	}
	for _, conn := range conns {
		if conn.State == cost.StateDeleted {
			if err := r.purge(ctx, conn); err != nil {
				return err
			}
		}
	}
	if err := r.postCharges(ctx, conns); err != nil {
		return err
	}
	for _, conn := range conns {
		if !conn.Collects() || r.opts.Collector == nil {
			continue
		}
		if _, err := r.Collect(ctx, conn, Actor); err != nil {
			r.opts.Log.Warn("collection failed", "connector", conn.ID, "code", cost.ErrorCode(err), "err", cost.ErrorMessage(err))
		}
	}
	return ctx.Err()
}

// advance moves every connector's lifecycle on to now, in one transaction,
// auditing each change, and returns the connectors as they now stand.
func (r *Runner) advance(ctx context.Context) ([]cost.Connector, error) {
	var conns []cost.Connector
	err := r.opts.Catalog.Update(ctx, func(tx cost.CatalogTx) error {
		var err error
		if conns, err = tx.Connectors(ctx); err != nil {
			return err
		}
		now := r.opts.Clock.Now()
		for i := range conns {
			if !conns[i].Advance(now) {
				continue
			}
			if err := tx.PutConnector(ctx, conns[i]); err != nil {
				return err
			}
			if err := tx.Audit(ctx, cost.AuditEntry{Time: now, User: Actor, Action: "connector.lifecycle",
				Scope: conns[i].ID, Detail: "now " + string(conns[i].State)}); err != nil {
				return err
			}
		}
		return nil
	})
	return conns, err
}

// purge removes a deleted connector's data, then its scopes and the
// assignments on them; a connector already purged has no scope left and is
// skipped. Data goes first, so that a failure in between leaves the scopes
// for the next run to find and finish.
func (r *Runner) purge(ctx context.Context, conn cost.Connector) error {
	var present bool
	err := r.opts.Catalog.View(ctx, func(cr cost.CatalogReader) (err error) {
		_, present, err = cr.Scope(ctx, conn.ID)
		return err
	})
	if err != nil || !present {
		return err
	}
	rows, err := r.deleteData(ctx, conn)
	if err != nil {
		return err
	}
	return r.opts.Catalog.Update(ctx, func(tx cost.CatalogTx) error {
		gone, err := tx.ConnectorScopes(ctx, conn.ID)
		if err != nil {
			return err
		}
		gone = append(gone, cost.Scope{ID: conn.ID})
		for _, sc := range gone {
			if err := cost.RemoveScope(ctx, tx, sc.ID); err != nil && cost.ErrorCode(err) != cost.ENotFound {
				return err
			}
		}
		return tx.Audit(ctx, cost.AuditEntry{Time: r.opts.Clock.Now(), User: Actor, Action: "connector.purge", Scope: conn.ID,
			Detail: fmt.Sprintf("%d scopes and %d cost rows deleted", len(gone), rows)})
	})
}

// deleteData deletes the cost rows of a deleted connector's billing
// accounts: an AWS connector's is its role's account; a source's are the
// billing accounts its collections discovered.
func (r *Runner) deleteData(ctx context.Context, conn cost.Connector) (int64, error) {
	if !conn.IsSource() {
		return r.opts.Costs.DeleteBillingAccount(ctx, conn.Account())
	}
	var accounts []string
	err := r.opts.Catalog.View(ctx, func(cr cost.CatalogReader) error {
		found, err := cr.ConnectorScopes(ctx, conn.ID)
		for _, sc := range found {
			if sc.ID.Kind() == cost.KindBillingAccount {
				accounts = append(accounts, sc.ID.Key())
			}
		}
		return err
	})
	var rows int64
	for _, account := range accounts {
		if err != nil {
			break
		}
		var n int64
		n, err = r.opts.Costs.DeleteBillingAccount(ctx, account)
		rows += n
	}
	return rows, err
}

// The periodic job runs a minute after start, then every 6 h ± 30 min: the
// original connector read the reports "several times a day".
const (
	PeriodicDelay    = time.Minute
	PeriodicInterval = 6 * time.Hour
)

// Periodic returns the schedule of the periodic job on the Runner's clock:
// Maintain, PeriodicDelay after Run starts, then every PeriodicInterval ±
// 30 min. A failed run is logged; one cut short by the end of Run's
// context is not, as the store rolls its load back.
func (r *Runner) Periodic() *Scheduler {
	return &Scheduler{Clock: r.opts.Clock, Delay: PeriodicDelay, Interval: PeriodicInterval,
		Job: func(ctx context.Context) ([]ingest.Report, error) {
			err := r.Maintain(ctx)
			if err != nil && ctx.Err() == nil {
				r.opts.Log.Error("periodic job failed", "err", err)
			}
			return nil, err
		}}
}
