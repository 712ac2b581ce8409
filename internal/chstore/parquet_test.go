package chstore

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/storetest"
)

// TestParquetAsDuckstore checks that the Parquet file of the same rows is
// the same from both stores: the same columns and types, the same values
// in the same order.
func TestParquetAsDuckstore(t *testing.T) {
	s := openTestWith(t, func(o *Options) { o.TempDir = t.TempDir() })
	ctx := context.Background()
	rows := storetest.LoadFixture(t, s, 150)
	d, err := duckstore.Open(ctx, t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	storetest.LoadFixture(t, d, 150)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		q    *cost.Query
		rows int
	}{
		{"every row", &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}, len(rows)},
		{"a view of one billing account in September", &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
			From: storetest.Months[1], To: storetest.Months[2],
			View: []cost.Filter{{Dimension: cost.Dimension{Column: "BillingAccountId"}, Values: []string{storetest.PayerEUR}}}}, -1},
		{"an empty view", nil, 0},
	} {
		var files [2]string
		for i, w := range []interface {
			WriteParquet(context.Context, *cost.Query, io.Writer) error
		}{s, d} {
			var buf bytes.Buffer
			if err := w.WriteParquet(ctx, c.q, &buf); err != nil {
				t.Fatalf("%s: store %d: %v", c.name, i, err)
			}
			files[i] = filepath.Join(dir, fmt.Sprintf("%s-%d.parquet", strings.ReplaceAll(c.name, " ", "-"), i))
			if err := os.WriteFile(files[i], buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		schema := func(f string) string {
			return queryText(t, db, "SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM read_parquet('"+f+"'))")
		}
		if ch, duck := schema(files[0]), schema(files[1]); ch != duck {
			t.Errorf("%s: the columns differ:\nclickhouse: %s\nduckdb:     %s", c.name, ch, duck)
		}
		content := func(f string) string {
			return queryText(t, db, "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM read_parquet('"+f+"')")
		}
		ch, duck := content(files[0]), content(files[1])
		if ch != duck {
			t.Errorf("%s: the rows differ", c.name)
		}
		n := strings.Count(ch, "\n")
		if c.rows >= 0 && n != c.rows {
			t.Errorf("%s: %d rows, want %d", c.name, n, c.rows)
		}
		if c.rows < 0 && n == 0 {
			t.Errorf("%s: no row: the comparison says little", c.name)
		}
	}
	// A failed export writes nothing.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var buf bytes.Buffer
	if err := s.WriteParquet(cancelled, &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}, &buf); err == nil || buf.Len() > 0 {
		t.Errorf("a cancelled export: %v, %d bytes written", err, buf.Len())
	}
}

// queryText is every row of a query, its columns joined by tabs, one line
// a row (NULL as \N).
func queryText(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	vals := make([]sql.NullString, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('\t')
			}
			if v.Valid {
				b.WriteString(v.String)
			} else {
				b.WriteString(`\N`)
			}
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestWriteRowsParquetFails checks that an export whose rows fail, or
// hold a value FOCUS does not allow, writes nothing and says why.
func TestWriteRowsParquetFails(t *testing.T) {
	ctx := context.Background()
	rows := testRows(3000, "1.25")
	for name, c := range map[string]struct {
		each func(fn func(*cost.Row) error) error
		want string
	}{
		"the rows break off": {func(fn func(*cost.Row) error) error {
			for i, r := range rows {
				if i == 2500 {
					return fmt.Errorf("the store broke at row %d", i)
				}
				if err := fn(r); err != nil {
					return err
				}
			}
			return nil
		}, "the store broke at row 2500"},
		"a charge frequency FOCUS does not allow": {func(fn func(*cost.Row) error) error {
			for i, r := range rows {
				r := *r
				if i == 2999 {
					r.ChargeFrequency = "Sometimes"
				}
				if err := fn(&r); err != nil {
					return err
				}
			}
			return nil
		}, `ChargeFrequency "Sometimes" is not a FOCUS 1.2 value`},
	} {
		var buf bytes.Buffer
		dir := t.TempDir()
		err := duckstore.WriteRowsParquet(ctx, dir, c.each, &buf)
		if err == nil || !strings.Contains(err.Error(), c.want) || buf.Len() > 0 {
			t.Errorf("%s: %v, %d bytes written; want an error saying %q and nothing written", name, err, buf.Len(), c.want)
		}
		if left, err := os.ReadDir(dir); err != nil || len(left) > 0 {
			t.Errorf("%s: the temporary folder holds %v (%v)", name, left, err)
		}
	}
}
