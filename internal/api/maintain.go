package api

import (
	"context"
	"fmt"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Maintain is the periodic job: it moves every connector's lifecycle on to
// now (a trial ends renewed or disabled; a connector disabled three months
// is deleted, and purged), posts the previous month's connector charges,
// then collects every connector that collects. A connector's failure is
// logged with its code and does not stop the others.
func (s *Server) Maintain(ctx context.Context) error {
	var conns []cost.Connector
	err := s.catalog.Update(ctx, func(tx cost.CatalogTx) error {
		var err error
		if conns, err = tx.Connectors(ctx); err != nil {
			return err
		}
		now := s.clock.Now()
		for i := range conns {
			if !conns[i].Advance(now) {
				continue
			}
			if err := tx.PutConnector(ctx, conns[i]); err != nil {
				return err
			}
			if err := tx.Audit(ctx, cost.AuditEntry{Time: now, User: "reckon", Action: "connector.lifecycle",
				Scope: conns[i].ID, Detail: "now " + string(conns[i].State)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, conn := range conns {
		if conn.State == cost.StateDeleted {
			if err := s.purge(ctx, conn); err != nil {
				return err
			}
		}
	}
	if err := s.postCharges(ctx, conns); err != nil {
		return err
	}
	for _, conn := range conns {
		if !conn.Collects() || s.opts.Collector == nil {
			continue
		}
		if _, err := s.collect(ctx, conn, "reckon"); err != nil {
			s.log.Warn("collection failed", "connector", conn.ID, "code", cost.ErrorCode(err), "err", cost.ErrorMessage(err))
		}
	}
	return ctx.Err()
}

// purge removes a deleted connector's data, then its scopes and the
// assignments on them; a connector already purged has no scope left and is
// skipped. Data goes first, so that a failure in between leaves the scopes
// for the next run to find and finish.
func (s *Server) purge(ctx context.Context, conn cost.Connector) error {
	var present bool
	err := s.catalog.View(ctx, func(r cost.CatalogReader) (err error) {
		_, present, err = r.Scope(ctx, conn.ID)
		return err
	})
	if err != nil || !present {
		return err
	}
	rows, err := s.costs.DeleteBillingAccount(ctx, conn.Account())
	if err != nil {
		return err
	}
	return s.catalog.Update(ctx, func(tx cost.CatalogTx) error {
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
		return tx.Audit(ctx, cost.AuditEntry{Time: s.clock.Now(), User: "reckon", Action: "connector.purge", Scope: conn.ID,
			Detail: fmt.Sprintf("%d scopes and %d cost rows deleted", len(gone), rows)})
	})
}
