package pgcatalog

import (
	"context"
	"io/fs"
	"sync"
	"testing"
)

func TestReplicasStartingAtOnceApplyEachMigrationOnce(t *testing.T) {
	url := testDatabase(t)
	ctx := context.Background()
	const replicas = 4
	var wg sync.WaitGroup
	opened := make([]*Catalog, replicas)
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() { opened[i], errs[i] = Open(ctx, url, Options{Key: testKey}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(opened[i].Close)
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	must(t, err)
	var applied, roots int
	must(t, opened[0].pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied))
	must(t, opened[0].pool.QueryRow(ctx, `SELECT count(*) FROM scopes WHERE id = 'mg/root'`).Scan(&roots))
	if applied != len(files) || roots != 1 {
		t.Errorf("%d migrations recorded for %d files, %d roots; want one each", applied, len(files), roots)
	}
	// And opening again applies nothing.
	again := openAt(t, url, Options{Key: testKey})
	must(t, again.pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied))
	if applied != len(files) {
		t.Errorf("%d migrations recorded after a reopen", applied)
	}
}
