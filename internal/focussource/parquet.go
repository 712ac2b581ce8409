package focussource

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" driver, for its Parquet reader

	"github.com/reckon-finops/reckon/internal/focusfile"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// parquetMagic begins and ends every Parquet file.
var parquetMagic = []byte("PAR1")

// isParquet reports whether head, a file's first bytes, is Parquet's.
func isParquet(head []byte) bool { return bytes.HasPrefix(head, parquetMagic) }

// openParquet reads a FOCUS Parquet file: DuckDB's Parquet reader writes
// it out as FOCUS CSV in a temporary folder, each value as text (decimals
// exactly, times as ISO 8601 UTC, maps and structs such as Tags as JSON),
// and focusfile reads that as it reads any FOCUS file. A Parquet file must
// be read at random, so r is first copied to disk. Messages name the file
// as given and the row as its line in the CSV (the header is line 1).
func openParquet(r io.Reader, name string) (ingest.RowReader, error) {
	dir, err := os.MkdirTemp("", "reckon-parquet-")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (ingest.RowReader, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	src := filepath.Join(dir, "in.parquet")
	f, err := os.Create(src)
	if err != nil {
		return fail(err)
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(fmt.Errorf("read %s: %w", name, err))
	}
	dst := filepath.Join(dir, "out.csv")
	if err := parquetToCSV(context.Background(), src, dst); err != nil {
		return fail(&focusfile.ParseError{File: name, Problem: "not a readable Parquet file: " + err.Error()})
	}
	csvFile, err := os.Open(dst)
	if err != nil {
		return fail(err)
	}
	fr, err := focusfile.NewReader(csvFile, name)
	if err != nil {
		csvFile.Close()
		return fail(err)
	}
	return &parquetRows{rows: rows{Reader: fr, zr: csvFile}, dir: dir}, nil
}

// parquetRows are the rows of a converted Parquet file; Close removes the
// temporary folder.
type parquetRows struct {
	rows
	dir string
}

func (r *parquetRows) Close() error {
	err := r.rows.Close()
	if rerr := os.RemoveAll(r.dir); err == nil {
		err = rerr
	}
	return err
}

// parquetToCSV writes the Parquet file src as CSV to dst with DuckDB,
// in memory: nothing of it is kept.
func parquetToCSV(ctx context.Context, src, dst string) error {
	db, err := sql.Open("duckdb", "?threads=1&memory_limit=256MB")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet("+literal(src)+"))")
	if err != nil {
		return err
	}
	var cols []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, columnAsText(name, typ))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(cols) == 0 {
		return fmt.Errorf("the file has no columns")
	}
	_, err = db.ExecContext(ctx, "COPY (SELECT "+strings.Join(cols, ", ")+" FROM read_parquet("+literal(src)+")) TO "+
		literal(dst)+" (FORMAT CSV, HEADER, NULLSTR '')")
	return err
}

// columnAsText is the SQL that writes a Parquet column as the text a FOCUS
// CSV holds.
func columnAsText(name, typ string) string {
	col := `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	upper := strings.ToUpper(typ)
	var expr string
	switch {
	case strings.HasPrefix(upper, "TIMESTAMP WITH TIME ZONE"):
		expr = "strftime(timezone('UTC', " + col + "), '%Y-%m-%dT%H:%M:%SZ')"
	case strings.HasPrefix(upper, "TIMESTAMP"):
		expr = "strftime(" + col + ", '%Y-%m-%dT%H:%M:%SZ')"
	case strings.HasPrefix(upper, "DATE"):
		expr = "strftime(" + col + ", '%Y-%m-%dT00:00:00Z')"
	case strings.HasPrefix(upper, "MAP") || strings.HasPrefix(upper, "STRUCT") || strings.HasSuffix(upper, "[]") || upper == "JSON":
		expr = "CAST(to_json(" + col + ") AS VARCHAR)"
	default:
		expr = "CAST(" + col + " AS VARCHAR)"
	}
	return expr + " AS " + col
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
