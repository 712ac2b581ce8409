package pgcatalog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reckon-finops/reckon/internal/cost"
)

const groupLimit = 3

var errFull = errors.New("the root holds enough groups")

// addGroupIfRoom is a check and its change: create a group under the root
// if it holds fewer than groupLimit, pausing between the two so that
// concurrent Updates would interleave if they could.
func addGroupIfRoom(ctx context.Context, tx cost.CatalogTx, id cost.ScopeID) error {
	children, err := tx.Children(ctx, cost.RootGroup)
	if err != nil {
		return err
	}
	if len(children) >= groupLimit {
		return errFull
	}
	time.Sleep(20 * time.Millisecond)
	return tx.PutScope(ctx, cost.Scope{ID: id, Name: string(id), Group: cost.RootGroup})
}

func TestConcurrentChecksAndChangesNeverPassTheLimit(t *testing.T) {
	url := testDatabase(t)
	// Two catalogs on one database: two replicas.
	replicas := []*Catalog{openAt(t, url, Options{Key: testKey}), openAt(t, url, Options{Key: testKey})}
	ctx := context.Background()
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			errs[i] = replicas[i%2].Update(ctx, func(tx cost.CatalogTx) error {
				return addGroupIfRoom(ctx, tx, cost.ScopeID(fmt.Sprintf("mg/g%d", i)))
			})
		})
	}
	wg.Wait()
	added := 0
	for _, err := range errs {
		switch {
		case err == nil:
			added++
		case !errors.Is(err, errFull):
			t.Fatal(err)
		}
	}
	children := view(t, replicas[0], func(ctx context.Context, r cost.CatalogReader) ([]cost.Scope, error) {
		return r.Children(ctx, cost.RootGroup)
	})
	if added != groupLimit || len(children) != groupLimit {
		t.Errorf("%d Updates succeeded and the root holds %v; want %d of each", added, ids(children), groupLimit)
	}
}

// TestWithoutTheLockTheSameChecksDoPassTheLimit is the control: the same
// check and change in plain READ COMMITTED transactions, all checking
// before any writes, overshoot. It shows the test above can fail.
func TestWithoutTheLockTheSameChecksDoPassTheLimit(t *testing.T) {
	const writers = 5
	// A connection each, or the last would wait for one held at the barrier.
	c := openAt(t, testDatabase(t), Options{Key: testKey, MaxConns: writers + 1})
	ctx := context.Background()
	var checked, done sync.WaitGroup
	checked.Add(writers)
	errs := make([]error, writers)
	for i := range writers {
		done.Go(func() {
			errs[i] = pgx.BeginFunc(ctx, c.pool, func(ptx pgx.Tx) error {
				tx := &catalogTx{q: ptx, keys: c.keys}
				children, err := tx.Children(ctx, cost.RootGroup)
				checked.Done()
				if err != nil {
					return err
				}
				checked.Wait() // every check made before any change
				if len(children) >= groupLimit {
					return errFull
				}
				return tx.PutScope(ctx, cost.Scope{ID: cost.ScopeID(fmt.Sprintf("mg/g%d", i)), Group: cost.RootGroup})
			})
		})
	}
	done.Wait()
	for _, err := range errs {
		must(t, err)
	}
	children := view(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Scope, error) {
		return r.Children(ctx, cost.RootGroup)
	})
	if len(children) != writers {
		t.Errorf("without the lock the root holds %d groups, want all %d", len(children), writers)
	}
}

func TestAViewSeesOneSnapshotWhileAnUpdateCommits(t *testing.T) {
	c := newCatalog(t)
	ctx := context.Background()
	update(t, c, func(ctx context.Context, tx cost.CatalogTx) error {
		return cost.AddScope(ctx, tx, cost.Scope{ID: "mg/a", Name: "A"})
	})
	read := func(r cost.CatalogReader) (string, error) {
		scopes, err := r.Scopes(ctx)
		if err != nil {
			return "", err
		}
		path, err := r.GroupPath(ctx, "mg/b")
		return fmt.Sprint(ids(scopes), path), err
	}
	var before, during string
	must(t, c.View(ctx, func(r cost.CatalogReader) error {
		var err error
		if before, err = read(r); err != nil {
			return err
		}
		// Another change commits while the View is open.
		must(t, c.Update(ctx, func(tx cost.CatalogTx) error {
			if err := cost.AddScope(ctx, tx, cost.Scope{ID: "mg/b", Name: "B", Group: "mg/a"}); err != nil {
				return err
			}
			return tx.PutScope(ctx, cost.Scope{ID: "mg/a", Name: "A renamed"})
		}))
		during, err = read(r)
		return err
	}))
	if before != during {
		t.Errorf("one View read %s, then %s", before, during)
	}
	after := view(t, c, func(ctx context.Context, r cost.CatalogReader) (string, error) { return read(r) })
	if after == before {
		t.Errorf("the next View does not see the change: %s", after)
	}
}

func TestAViewDoesNotWaitForAnUpdate(t *testing.T) {
	c := newCatalog(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	viewed := make(chan error)
	must(t, c.Update(ctx, func(tx cost.CatalogTx) error {
		must(t, cost.AddScope(ctx, tx, cost.Scope{ID: "mg/pending", Name: "P"}))
		go func() {
			viewed <- c.View(ctx, func(r cost.CatalogReader) error {
				if _, ok, err := r.Scope(ctx, "mg/pending"); err != nil || ok {
					return fmt.Errorf("a View saw an uncommitted scope (%v) or failed: %v", ok, err)
				}
				return nil
			})
		}()
		return <-viewed // the Update holds its lock until the View is done
	}))
}
