package main

import (
	"context"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/synth"
)

// periodTotals opens the store as the next process would and returns each
// billing period's sum(BilledCost) and row count.
func periodTotals(t *testing.T, data string) map[string]periodTotal {
	t.Helper()
	s, err := duckstore.Open(context.Background(), data, duckstore.Options{})
	if err != nil {
		t.Fatalf("the store does not open after the kill: %v", err)
	}
	defer s.Close()
	rows, err := s.DB().Query(`SELECT strftime(BillingPeriodStart, '%Y-%m'), CAST(sum(BilledCost) AS VARCHAR), count(*)
		FROM cost_rows GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]periodTotal{}
	for rows.Next() {
		var month, sum string
		var n int64
		if err := rows.Scan(&month, &sum, &n); err != nil {
			t.Fatal(err)
		}
		out[month] = periodTotal{decimal.MustParse(sum), n}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type periodTotal struct {
	billed decimal.Decimal
	rows   int64
}

func expectedTotals(tot *synth.Totals) map[string]periodTotal {
	out := map[string]periodTotal{}
	for month, sum := range tot.ByPeriod {
		out[month] = periodTotal{decimal.MustParse(sum.BilledCost), sum.Rows}
	}
	return out
}

// TestKilledLoadsLeaveTheOldOrTheNewPeriodNeverAMix kills `reckon ingest`
// with SIGKILL at random moments, 30 times, over first loads into an empty
// store and restatements of the same report (two versions of a two-month
// bucket, loaded in turn). After each kill the store must open, and every
// billing period must hold exactly the version it held before or the one
// being loaded: each period is its own transaction, so one month may be new
// and the other old, but never a period half-loaded. The seed is logged.
func TestKilledLoadsLeaveTheOldOrTheNewPeriodNeverAMix(t *testing.T) {
	if testing.Short() {
		t.Skip("starts many processes")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	opts := synth.Options{RowsPerMonth: 40000, Months: 2, FilesPerVersion: 2}
	buckets := [2]string{t.TempDir(), t.TempDir()}
	var want [2]map[string]periodTotal
	for i := range buckets {
		opts.Seed = int64(31 + i)
		tot, err := synth.WriteBucket(buckets[i], opts)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = expectedTotals(tot)
	}

	// How long an uninterrupted load takes, so kills land across all of it.
	data := t.TempDir()
	start := time.Now()
	if out, err := reckonProcess(nil, "ingest", "--data", data, buckets[0]).CombinedOutput(); err != nil {
		t.Fatalf("loading version 0: %v\n%s", err, out)
	}
	span := time.Since(start) * 5 / 4
	held := map[string]int{} // the version each period holds: 0, 1, or -1 for none
	for month := range want[0] {
		held[month] = 0
	}

	const kills = 30
	var kept, loaded, split int // outcomes: every period old, every period new, some of each
	for i := range kills {
		if i%6 == 0 { // a first load into an empty store
			data = t.TempDir()
			for month := range held {
				held[month] = -1
			}
		}
		next := 0
		for _, v := range held {
			if v == 0 {
				next = 1
			}
		}
		cmd := reckonProcess(nil, "ingest", "--data", data, buckets[next])
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		after := time.Duration(rng.Int64N(int64(span)))
		time.Sleep(after) // the moment of the kill, not a schedule
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		got := periodTotals(t, data)
		for month := range held {
			switch g, ok := got[month]; {
			case ok && g == want[next][month]:
				held[month] = next
			case held[month] == -1 && !ok:
			case held[month] >= 0 && ok && g == want[held[month]][month]:
			default:
				t.Fatalf("kill %d at %s (killed: %v): period %s holds %v; want version %d's %v or version %d's %v",
					i+1, after, killed(err), month, got[month], held[month], want[max(0, held[month])][month], next, want[next][month])
			}
		}
		if len(got) > len(held) {
			t.Fatalf("kill %d: periods %v, want only %v", i+1, got, held)
		}
		switch n := countHeld(held, next); n {
		case 0:
			kept++
		case len(held):
			loaded++
		default:
			split++
		}
	}
	t.Logf("after %d kills: %d left every period as it was, %d had loaded every period, %d one of two", kills, kept, loaded, split)
	if out, err := reckonProcess(nil, "ingest", "--data", data, buckets[1]).CombinedOutput(); err != nil {
		t.Fatalf("the load after the kills failed: %v\n%s", err, out)
	}
	if got := periodTotals(t, data); len(got) != len(want[1]) {
		t.Fatalf("after the final load: %v, want %v", got, want[1])
	}
	for month, w := range want[1] {
		if got := periodTotals(t, data)[month]; got != w {
			t.Fatalf("after the final load, %s holds %v, want %v", month, got, w)
		}
	}
}

func countHeld(held map[string]int, version int) int {
	n := 0
	for _, v := range held {
		if v == version {
			n++
		}
	}
	return n
}
