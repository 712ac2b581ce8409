package duckstore

import (
	"bufio"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// A spill holds the side-table values a load found new, on disk, until the
// load has streamed its cost rows: one DuckDB connection runs one statement
// at a time, so the values cannot go in while the rows do, and holding them
// in memory is what made a high-cardinality CUR take 13 GB. Records are a
// little-endian int64 key and then each value as a uvarint length and bytes.
type spill struct {
	file    *os.File
	w       *bufio.Writer
	columns int
	count   int64
	buf     []byte
}

// spillPrefix names spill files in the data folder's tmp/; Open removes
// any a killed process left.
const spillPrefix = "spill-"

func newSpill(dir, table string, columns int) (*spill, error) {
	f, err := os.CreateTemp(dir, spillPrefix+table+"-")
	if err != nil {
		return nil, fmt.Errorf("create spill file: %w", err)
	}
	return &spill{file: f, w: bufio.NewWriterSize(f, 1<<20), columns: columns}, nil
}

func (s *spill) put(key int64, vals []string) error {
	b := binary.LittleEndian.AppendUint64(s.buf[:0], uint64(key))
	for _, v := range vals {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	s.buf = b
	s.count++
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("write spill file: %w", err)
	}
	return nil
}

// rewind ends writing and returns a reader positioned at the first record.
func (s *spill) rewind() (*spillReader, error) {
	if err := s.w.Flush(); err != nil {
		return nil, fmt.Errorf("write spill file: %w", err)
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read spill file: %w", err)
	}
	return &spillReader{r: bufio.NewReaderSize(s.file, 1<<20), columns: s.columns, left: s.count}, nil
}

func (s *spill) close() {
	s.file.Close()
	os.Remove(s.file.Name())
}

// removeSpills deletes spill files a killed load left in dir.
func removeSpills(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, spillPrefix+"*"))
	for _, p := range old {
		os.Remove(p)
	}
}

// spillReader is the table function source that streams a spill back: a
// BIGINT key and the values as VARCHAR.
type spillReader struct {
	r       *bufio.Reader
	columns int
	left    int64
	buf     []byte
}

// sideFunction is the table function that reads a spill: reckon_side(token).
const sideFunction = "reckon_side"

var (
	spills     sync.Map // int64 -> *spillReader or *streamSource
	spillToken atomic.Int64
)

func registerSide(conn *sql.Conn) error {
	return duckdb.RegisterTableUDF(conn, sideFunction, duckdb.ChunkTableFunction{
		Config: duckdb.TableFunctionConfig{Arguments: []duckdb.TypeInfo{mustType(duckdb.TYPE_BIGINT)}},
		BindArguments: func(_ map[string]any, args ...any) (duckdb.ChunkTableSource, error) {
			id, _ := args[0].(int64)
			r, ok := spills.Load(id)
			if !ok {
				return nil, fmt.Errorf("no spill with token %d is in flight", id)
			}
			return r.(duckdb.ChunkTableSource), nil
		},
	})
}

// ColumnInfos is the key and the values.
func (r *spillReader) ColumnInfos() []duckdb.ColumnInfo {
	cols := []duckdb.ColumnInfo{{Name: "k", T: mustType(duckdb.TYPE_BIGINT)}}
	for i := range r.columns {
		cols = append(cols, duckdb.ColumnInfo{Name: fmt.Sprintf("v%d", i), T: mustType(duckdb.TYPE_VARCHAR)})
	}
	return cols
}

// Cardinality is the record count.
func (r *spillReader) Cardinality() *duckdb.CardinalityInfo {
	return &duckdb.CardinalityInfo{Cardinality: uint(r.left), Exact: true}
}

// Init is called once before the first chunk.
func (r *spillReader) Init() {}

// FillChunk copies up to one chunk of records.
func (r *spillReader) FillChunk(chunk duckdb.DataChunk) error {
	n := int(min(r.left, int64(duckdb.GetDataChunkCapacity())))
	for k := range n {
		if err := r.record(chunk, k); err != nil {
			return err
		}
	}
	r.left -= int64(n)
	return chunk.SetSize(n)
}

func (r *spillReader) record(chunk duckdb.DataChunk, k int) error {
	var key [8]byte
	if _, err := io.ReadFull(r.r, key[:]); err != nil {
		return fmt.Errorf("read spill file: %w", err)
	}
	if err := duckdb.SetChunkValue(chunk, 0, k, int64(binary.LittleEndian.Uint64(key[:]))); err != nil {
		return err
	}
	for c := range r.columns {
		n, err := binary.ReadUvarint(r.r)
		if err != nil {
			return fmt.Errorf("read spill file: %w", err)
		}
		if uint64(cap(r.buf)) < n {
			r.buf = make([]byte, n)
		}
		v := r.buf[:n]
		if _, err := io.ReadFull(r.r, v); err != nil {
			return fmt.Errorf("read spill file: %w", err)
		}
		// DuckDB copies the bytes before SetChunkValue returns.
		if err := duckdb.SetChunkValue(chunk, 1+c, k, v); err != nil {
			return err
		}
	}
	return nil
}

func errTooManyValues(table string) error {
	return errors.New("a single load holds more than 4,294,967,295 distinct values for " + table + "; split the file")
}
