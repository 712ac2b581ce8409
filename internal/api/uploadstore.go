package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// Store returns s with every load made through it guarded and recorded for
// this upload, in the load's own transaction: before the load's Register
// hook, cost.AuthorizeLoad refuses rows of scopes the caller does not
// control (rolling the whole load back); after it, an audit entry records
// who loaded what and how many rows. The entry commits with the rows, or
// neither does.
func (u Upload) Store(s ingest.Store) ingest.Store {
	if u.check != nil {
		return &checkStore{Store: s, up: u}
	}
	return &uploadStore{Store: s, up: u}
}

type uploadStore struct {
	ingest.Store
	up Upload
}

func (s *uploadStore) ReplacePeriods(ctx context.Context, load cost.Load, rows cost.RowSource) (cost.LoadResult, error) {
	counted := &countedRows{src: rows}
	register, up := load.Register, s.up
	load.Register = func(ctx context.Context, tx cost.CatalogTx, found []cost.LoadedAccount) error {
		if err := cost.AuthorizeLoad(ctx, tx, up.User, up.Group, withBilling(found, load.BillingAccount)); err != nil {
			return err
		}
		if register != nil {
			if err := register(ctx, tx, found); err != nil {
				return err
			}
		}
		scope := up.Group
		if id, err := cost.BillingAccountID(load.BillingAccount); err == nil && load.BillingAccount != "" {
			scope = id
		}
		return tx.Audit(ctx, cost.AuditEntry{Time: up.time, User: up.User, Action: "cost.upload", Scope: scope,
			Detail: fmt.Sprintf("%s: %s, version %s, %d rows", up.name, load.Source, load.Version, counted.n)})
	}
	return s.Store.ReplacePeriods(ctx, load, counted)
}

// withBilling adds the load's billing account to the accounts its rows
// hold when no row names it: a load without rows still empties its
// periods (ingest.Loader.AllowEmpty).
func withBilling(found []cost.LoadedAccount, billing string) []cost.LoadedAccount {
	if billing == "" {
		return found
	}
	for _, a := range found {
		if a.BillingAccountID == billing {
			return found
		}
	}
	return append(found[:len(found):len(found)], cost.LoadedAccount{Provider: "AWS", BillingAccountID: billing})
}

// countedRows counts the rows a load reads, and says where each is.
type countedRows struct {
	src cost.RowSource
	n   int64
}

func (c *countedRows) Next() (*cost.Row, error) {
	row, err := c.src.Next()
	if err == nil {
		c.n++
	}
	return row, err
}

// Where is the source's own answer (cost.RowLocator).
func (c *countedRows) Where() string {
	if l, ok := c.src.(cost.RowLocator); ok {
		return l.Where()
	}
	return ""
}

// checkStore reads a load's rows and checks the caller's rights on the
// accounts they hold, against the catalog as it stands, and stores
// nothing: a folder's loads run through it first (Upload.checking).
type checkStore struct {
	ingest.Store // LoadedVersion, so that versions loaded already are skipped as they will be
	up           Upload
}

func (s *checkStore) ReplacePeriods(ctx context.Context, load cost.Load, rows cost.RowSource) (cost.LoadResult, error) {
	seen := map[cost.LoadedAccount]bool{}
	var found []cost.LoadedAccount
	for {
		row, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return cost.LoadResult{}, err
		}
		a := cost.LoadedAccount{Provider: row.ProviderName, BillingAccountID: row.BillingAccountID, SubAccountID: row.SubAccountID}
		if !seen[a] {
			// The row's strings alias the reader's buffer.
			a = cost.LoadedAccount{Provider: strings.Clone(a.Provider), BillingAccountID: strings.Clone(a.BillingAccountID),
				SubAccountID: strings.Clone(a.SubAccountID)}
			seen[a] = true
			found = append(found, a)
		}
	}
	return cost.LoadResult{}, s.up.check.View(ctx, func(r cost.CatalogReader) error {
		return cost.AuthorizeLoad(ctx, r, s.up.User, s.up.Group, withBilling(found, load.BillingAccount))
	})
}
