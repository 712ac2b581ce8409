package chstore

// Loads that are slow, killed or reuse their rows.

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"
	"unsafe"

	"github.com/reckon-finops/reckon/internal/cost"
)

// slowRows is a row source that pauses now and then, so that a kill
// lands in the middle of a load, with some batches on the shards.
type slowRows struct{ rowList }

func (l *slowRows) Next() (*cost.Row, error) {
	if l.i%100 == 99 {
		time.Sleep(5 * time.Millisecond)
	}
	return l.rowList.Next()
}

// restatementRows are the versions TestLoaderKilled's loader alternates:
// September, then August as A or B.
func restatementRows() (sep []*cost.Row, versions map[string][]*cost.Row) {
	sep = testRows(500, "1")
	for _, r := range sep {
		r.BillingPeriodStart, r.BillingPeriodEnd = r.BillingPeriodStart.AddDate(0, 1, 0), r.BillingPeriodEnd.AddDate(0, 1, 0)
		r.ChargePeriodStart, r.ChargePeriodEnd = r.ChargePeriodStart.AddDate(0, 1, 0), r.ChargePeriodEnd.AddDate(0, 1, 0)
	}
	return sep, map[string][]*cost.Row{"A": testRows(1500, "1"), "B": testRows(1000, "3.000000000000000001")}
}

// TestLoaderKilled runs a loader in a child process that restates a month
// again and again, kills it with SIGKILL at random points, and checks that
// a reader meanwhile only ever sees whole versions; Cleanup then drops
// what the killed loads left.
func TestLoaderKilled(t *testing.T) {
	if name := os.Getenv(loaderEnv); name != "" {
		runLoader(t, name)
		return
	}
	s := openTest(t)
	s.batchRows = 97
	ctx := context.Background()
	sep, versions := restatementRows()
	src := cost.Load{Source: "aws-cur/111122223333/r", BillingAccount: "111122223333", Version: "sep"}
	if _, err := s.ReplacePeriods(ctx, src, &rowList{rows: sep}); err != nil {
		t.Fatal(err)
	}
	src.Version = "A"
	if _, err := s.ReplacePeriods(ctx, src, &rowList{rows: versions["A"]}); err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"2000.0": true, "3500.000000000000001": true}
	stop := make(chan struct{})
	done := make(chan error, 1)
	reads := 0
	go func() {
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			res, err := s.Query(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual})
			if err != nil {
				done <- err
				return
			}
			if got := res.Rows[0].Cost.String(); !allowed[got] {
				done <- fmt.Errorf("a reader saw a total of %s, neither version's", got)
				return
			}
			reads++
		}
	}()
	rng := time.Now().UnixNano()
	for i := range 5 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLoaderKilled$", "-test.count=1")
		cmd.Env = append(os.Environ(), loaderEnv+"="+s.db)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(1000+(rng>>uint(i*7))%3000) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait() //nolint:errcheck // killed
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("a reader summed the store %d times while 5 loaders were killed", reads)
	var loads, committed int
	if err := s.v.pool.QueryRow(ctx, "SELECT count(*), count(committed_at) FROM chstore_loads").Scan(&loads, &committed); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d loads begun, %d committed", loads, committed)
	if loads-committed == 0 {
		t.Error("no loader was killed before its flip: the test says little")
	}
	if _, err := s.Cleanup(ctx); err != nil {
		t.Fatal(err)
	}
	var left uint64
	if err := s.entry.QueryRow(ctx, "SELECT uniqExact(load_id) FROM "+s.db+".cost_rows").Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 2 {
		t.Errorf("after Cleanup the rows of %d loads are stored, want the two current ones", left)
	}
	if got := totalUSD(t, s).String(); !allowed[got] {
		t.Errorf("after Cleanup the total is %s", got)
	}
}

// runLoader is TestLoaderKilled's child: it restates August forever.
func runLoader(t *testing.T, name string) {
	ch, pg := testURLs(t)
	ctx := context.Background()
	s, err := Open(ctx, ch, Options{Postgres: pg, Database: name, PostgresSchema: name})
	if err != nil {
		t.Fatal(err)
	}
	s.batchRows = 300
	_, versions := restatementRows()
	src := cost.Load{Source: "aws-cur/111122223333/r", BillingAccount: "111122223333"}
	for i := 0; ; i++ {
		src.Version = []string{"B", "A"}[i%2]
		if _, err := s.ReplacePeriods(ctx, src, &slowRows{rowList{rows: versions[src.Version]}}); err != nil {
			t.Fatal(err)
		}
	}
}

// reusingRows yields each row in one reused Row whose strings live in one
// reused buffer, as a streaming reader's may.
type reusingRows struct {
	rows []*cost.Row
	i    int
	buf  []byte
	row  cost.Row
	tags []cost.Tag
}

func (l *reusingRows) str(s string) string {
	start := len(l.buf)
	l.buf = append(l.buf, s...)
	return unsafe.String(unsafe.SliceData(l.buf[start:]), len(s))
}

func (l *reusingRows) Next() (*cost.Row, error) {
	if l.i >= len(l.rows) {
		return nil, io.EOF
	}
	r := l.rows[l.i]
	l.i++
	l.buf = l.buf[:0:cap(l.buf)]
	if cap(l.buf) == 0 {
		l.buf = make([]byte, 0, 1<<16)
	}
	l.row = *r
	l.row.ServiceName, l.row.SubAccountID, l.row.ResourceID = l.str(r.ServiceName), l.str(r.SubAccountID), l.str(r.ResourceID)
	l.row.ChargeDescription, l.row.RegionID = l.str(r.ChargeDescription), l.str(r.RegionID)
	l.tags = l.tags[:0]
	for _, t := range r.Tags {
		l.tags = append(l.tags, cost.Tag{Key: l.str(t.Key), Value: l.str(t.Value)})
	}
	l.row.Tags = l.tags
	return &l.row, nil
}

// TestReusedRows checks that rows whose memory the source reuses are
// stored as they were read.
func TestReusedRows(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	rows := testRows(500, "1")
	for i, r := range rows {
		r.ServiceName = fmt.Sprint("service-", i%13)
		r.RegionID = fmt.Sprint("region-", i%5)
		r.ChargeDescription = fmt.Sprint("line ", i)
		r.Tags = []cost.Tag{{Key: fmt.Sprint("k", i%3), Value: fmt.Sprint("v", i%7)}}
	}
	if _, err := s.ReplacePeriods(ctx, cost.Load{Source: "s", Version: "1", BillingAccount: "111122223333"}, &reusingRows{rows: rows}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, r := range rows {
		want[fmt.Sprint(r.ServiceName, r.SubAccountID, r.ResourceID, r.ChargeDescription, r.RegionID, r.Tags)]++
	}
	got := map[string]int{}
	err := s.Rows(ctx, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}, func(r *cost.Row) error {
		got[fmt.Sprint(r.ServiceName, r.SubAccountID, r.ResourceID, r.ChargeDescription, r.RegionID, r.Tags)]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the stored rows differ from the rows read")
	}
}
