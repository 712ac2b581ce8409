package main

import (
	"context"
	"errors"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/synth"
)

// storeTotal opens the store and returns sum(BilledCost) and the row count.
func storeTotal(t *testing.T, data string) (decimal.Decimal, int64) {
	t.Helper()
	s, err := duckstore.Open(context.Background(), data, duckstore.Options{})
	if err != nil {
		t.Fatalf("the store does not open after the crash: %v", err)
	}
	defer s.Close()
	res, err := s.Query(context.Background(), &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
	if err != nil {
		t.Fatal(err)
	}
	sum := decimal.Zero
	for _, r := range res.Rows {
		sum = sum.Add(r.Cost)
	}
	var n int64
	if err := s.DB().QueryRow(`SELECT count(*) FROM cost_rows`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return sum, n
}

// killed reports whether the process ended by SIGKILL.
func killed(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// TestKilledLoadLeavesThePreviousData loads version A of a period, then
// kills `reckon ingest` of version B with SIGKILL at named points and at
// several moments; each time the store must hold exactly A (or, if the kill
// came after the commit, exactly B), and the next load must complete.
func TestKilledLoadLeavesThePreviousData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts many processes")
	}
	bucket, data := t.TempDir(), t.TempDir()
	opts := synth.Options{Seed: 21, RowsPerMonth: 300000, FilesPerVersion: 3}
	wantA, err := synth.WriteBucket(bucket, opts)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := reckonProcess(nil, "ingest", "--data", data, bucket).CombinedOutput(); err != nil {
		t.Fatalf("loading version A: %v\n%s", err, out)
	}
	a := decimal.MustParse(wantA.BilledCost)
	if got, n := storeTotal(t, data); got.Cmp(a) != 0 || n != wantA.Rows {
		t.Fatalf("after A: %s in %d rows, want %s in %d", got, n, a, wantA.Rows)
	}
	opts.Seed = 22
	wantB, err := synth.WriteBucket(bucket, opts)
	if err != nil {
		t.Fatal(err)
	}
	b := decimal.MustParse(wantB.BilledCost)

	for _, point := range []string{"append", "before-commit", "after-side-commit"} {
		t.Run("killed at "+point, func(t *testing.T) {
			err := reckonProcess([]string{"RECKON_CRASH_AT=" + point}, "ingest", "--data", data, bucket).Run()
			if !killed(err) {
				t.Fatalf("the load was not killed at %s: %v", point, err)
			}
			if got, n := storeTotal(t, data); got.Cmp(a) != 0 || n != wantA.Rows {
				t.Fatalf("after the kill: %s in %d rows, want version A: %s in %d", got, n, a, wantA.Rows)
			}
		})
	}
	// Kills at growing moments: each must leave A, until one lands after the
	// commit, which leaves B (then later moments have nothing left to test).
	for _, after := range []time.Duration{50 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond, 500 * time.Millisecond, 800 * time.Millisecond, 1200 * time.Millisecond, 1800 * time.Millisecond} {
		cmd := reckonProcess(nil, "ingest", "--data", data, bucket)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after) // the moment of the crash, not a schedule
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		got, n := storeTotal(t, data)
		if got.Cmp(b) == 0 && n == wantB.Rows {
			t.Logf("the load committed within %s (killed: %v); stopping the timed kills", after, killed(err))
			break
		}
		if got.Cmp(a) != 0 || n != wantA.Rows {
			t.Fatalf("after a kill at %s: %s in %d rows; want exactly version A (%s in %d) or B (%s in %d)",
				after, got, n, a, wantA.Rows, b, wantB.Rows)
		}
		t.Logf("killed after %s: version A intact", after)
	}
	if out, err := reckonProcess(nil, "ingest", "--data", data, bucket).CombinedOutput(); err != nil {
		t.Fatalf("the load after the crashes failed: %v\n%s", err, out)
	}
	if got, n := storeTotal(t, data); got.Cmp(b) != 0 || n != wantB.Rows {
		t.Fatalf("after the final load: %s in %d rows, want version B: %s in %d", got, n, b, wantB.Rows)
	}
	// A load killed after its side values committed left values of a load
	// no period holds; the next load deleted them.
	s, err := duckstore.Open(context.Background(), data, duckstore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{"dims WHERE dim_id", "descriptions WHERE description_key", "tag_sets WHERE tag_set_id", "resources WHERE resource_key"} {
		var orphans int
		if err := s.DB().QueryRow(`SELECT count(*) FROM ` + q + ` >> 32 NOT IN (SELECT load_id FROM report_versions)`).Scan(&orphans); err != nil {
			t.Fatal(err)
		}
		if orphans > 0 {
			t.Errorf("%d values of loads no period holds remain in %s", orphans, q)
		}
	}
}
