package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
	"github.com/reckon-finops/reckon/internal/querylimit"
	"github.com/reckon-finops/reckon/internal/web"
)

// costStore is a cost store as a server uses it: the queries of the API
// and the budgets, the loads of collections and uploads, and the purge of
// the jobs.
type costStore interface {
	querylimit.Store
	ingest.Store
	DeleteBillingAccount(ctx context.Context, payer string) (int64, error)
}

// backend is what a server runs on: the catalog, the cost store and a
// folder for the files being loaded. It is the embedded DuckDB store in a
// data folder (one process), or the scale-out pair that several replicas
// share.
type backend struct {
	catalog cost.Catalog
	store   costStore
	tempDir string
	duck    *duckstore.Store // the embedded store; nil on the scale-out pair
	scale   *scaleOut        // the scale-out pair; nil on the embedded store
}

// openBackend opens the embedded store in o.dataDir, or the scale-out pair
// when o.storeURL is set. The temporary folder is the data folder's tmp/,
// emptied of what a killed server left there; on the scale-out pair it is
// a folder of this process's own under the system's, removed by Close.
func openBackend(ctx context.Context, o serverOptions) (*backend, error) {
	if o.storeURL != "" {
		scale, err := openScaleOut(ctx, o.storeURL, o.catalogURL)
		if err != nil {
			return nil, err
		}
		tmp, err := os.MkdirTemp("", "reckon-serve-")
		if err != nil {
			scale.Close()
			return nil, err
		}
		return &backend{catalog: scale.catalog, store: scale.store, tempDir: tmp, scale: scale}, nil
	}
	store, err := duckstore.Open(ctx, o.dataDir, o.store)
	if err != nil {
		return nil, err
	}
	// Downloads and uploads a killed server left behind (the store's lock
	// makes tmp/ this process's own).
	tmp := filepath.Join(o.dataDir, "tmp")
	if err := ingest.RemoveDownloads(tmp); err != nil {
		store.Close()
		return nil, err
	}
	return &backend{catalog: store, store: store, tempDir: tmp, duck: store}, nil
}

// queries bounds the store's queries by l; on the scale-out pair,
// concurrent queries run at once (ClickHouse bounds a query's memory
// itself, with the max_memory_usage setting of the store's URL).
func (b *backend) queries(l duckstore.QueryLimits, concurrent int) (*querylimit.Limited, error) {
	if b.duck != nil {
		queries, err := b.duck.Limit(l)
		if err != nil {
			return nil, usageErrorf("--query-memory: %s", cost.ErrorMessage(err))
		}
		return queries, nil
	}
	limits := querylimit.Limits{Timeout: l.Timeout, Concurrent: concurrent}
	if l.Cache != "" && l.Cache != "0" {
		size, err := duckstore.ParseSize(l.Cache)
		if err != nil {
			return nil, usageErrorf("--query-cache: %s", cost.ErrorMessage(err))
		}
		limits.Cache = size
	}
	return querylimit.New(b.store, b.scale.dataVersion, limits)
}

// ready checks that the cost store answers, for GET /readyz: the
// embedded store is in the process; the scale-out store's load versions
// are read from PostgreSQL and its shards are pinged.
func (b *backend) ready(ctx context.Context) error {
	if b.scale == nil {
		return nil
	}
	if _, err := b.scale.dataVersion(ctx); err != nil {
		return err
	}
	return b.scale.store.Ping(ctx)
}

// sessions is where the web UI keeps its sessions: in the catalog that
// the replicas share, or in the process's memory (nil).
func (b *backend) sessions() web.SessionStore {
	if b.scale == nil {
		return nil
	}
	return b.scale.catalog
}

// Close closes the store and the catalog, and removes a temporary folder
// of the process's own.
func (b *backend) Close() error {
	if b.duck != nil {
		return b.duck.Close()
	}
	return errors.Join(b.scale.Close(), os.RemoveAll(b.tempDir))
}

// leads runs the periodic job: on the embedded store, at once (the data
// folder's lock makes the process the only one); on the scale-out pair,
// while this replica holds the lease, which another takes over within
// one lease period when it dies. Changes that other replicas commit to
// the catalog (a budget, a load's accounts) are evaluated by the holder.
func (s *server) leads(ctx context.Context, lease time.Duration, job func(context.Context)) {
	if s.backend.scale == nil {
		job(ctx)
		return
	}
	catalog := s.backend.scale.catalog
	catalog.Lead(ctx, lease, s.log, s.metrics.SetLeader, func(ctx context.Context) {
		s.log.Info("this replica runs the periodic job", "lease", lease)
		done := make(chan struct{})
		go func() {
			defer close(done)
			catalog.Listen(ctx, s.log, func(int64) { s.alerts.Poke() })
		}()
		job(ctx)
		<-done
	})
}

// cleanupEvery is how often the replica running the periodic job drops
// the ClickHouse store's replaced and abandoned loads.
const cleanupEvery = 10 * time.Minute

// cleans drops the ClickHouse store's replaced and abandoned loads every
// cleanupEvery until ctx ends; on the embedded store it does nothing.
func (s *server) cleans(ctx context.Context) {
	if s.backend.scale == nil {
		return
	}
	for {
		dropped, err := s.backend.scale.store.Cleanup(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("clean up the ClickHouse store", "err", err)
		case len(dropped) > 0:
			s.log.Info("dropped the rows of replaced or abandoned loads", "loads", len(dropped))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(cleanupEvery):
		}
	}
}
