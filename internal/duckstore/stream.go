package duckstore

import (
	"context"
	"database/sql"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// A sideStream inserts one side table's new values while the load's rows
// stream, on a connection and transaction of its own: the description,
// tag-set and resource values of a high-cardinality CUR are as many as its
// rows, and inserting them after the rows, on the load's one connection,
// left a core idle for a third of the load. The stream commits just before
// the load does. Its values are reachable only through cost rows, so until
// the load commits no reader can see them; if the load then fails, they
// are values of a load no period holds, and the next load deletes them
// (gcSides).
type sideStream struct {
	table string
	conn  *sql.Conn
	full  chan *sideBatch
	free  chan *sideBatch
	cur   *sideBatch
	done  chan struct{} // closed when the INSERT returns; err is set before
	err   error
	ended bool // full is closed
	token int64
}

// sideBatchRows is how many values travel together to DuckDB.
const sideBatchRows = 2048

// sideBatch holds values back to back in buf; ends[i] is where value i ends.
type sideBatch struct {
	n    int
	keys [sideBatchRows]int64
	ends [sideBatchRows]int
	buf  []byte
}

// startStream begins a transaction on a new connection and an INSERT into
// table that takes values as put sends them.
func startStream(ctx context.Context, db *sql.DB, table string) (*sideStream, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin %s: %w", table, err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin %s: %w", table, err)
	}
	st := &sideStream{table: table, conn: conn, full: make(chan *sideBatch, 4), free: make(chan *sideBatch, 6),
		done: make(chan struct{}), token: spillToken.Add(1)}
	for range cap(st.free) {
		st.free <- new(sideBatch)
	}
	st.cur = <-st.free
	spills.Store(st.token, &streamSource{st: st})
	go func() {
		_, st.err = conn.ExecContext(ctx, sideInserts[table], st.token)
		close(st.done)
	}()
	return st, nil
}

// put sends one value; vals holds exactly one string.
func (st *sideStream) put(key int64, vals []string) error {
	b := st.cur
	b.keys[b.n] = key
	b.buf = append(b.buf, vals[0]...)
	b.ends[b.n] = len(b.buf)
	b.n++
	if b.n < sideBatchRows {
		return nil
	}
	select {
	case st.full <- b:
	case <-st.done:
		return st.failed()
	}
	st.cur = <-st.free
	return nil
}

// finish sends what is left and waits for the INSERT to end; the
// transaction stays open.
func (st *sideStream) finish() error {
	if st.cur.n > 0 {
		select {
		case st.full <- st.cur:
		case <-st.done:
			return st.failed()
		}
	}
	st.end()
	if st.err != nil {
		return fmt.Errorf("insert %s: %w", st.table, st.err)
	}
	return nil
}

func (st *sideStream) failed() error {
	if st.err == nil {
		return fmt.Errorf("insert %s: the insert ended before the values did", st.table)
	}
	return fmt.Errorf("insert %s: %w", st.table, st.err)
}

// end closes the stream and waits for the INSERT.
func (st *sideStream) end() {
	if !st.ended {
		st.ended = true
		close(st.full)
	}
	<-st.done
	spills.Delete(st.token)
}

func (st *sideStream) commit(ctx context.Context) error {
	if _, err := st.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit %s: %w", st.table, err)
	}
	return nil
}

// close rolls back what was not committed (a no-op after a commit) and
// releases the connection.
func (st *sideStream) close(ctx context.Context) {
	st.end()
	st.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // nothing to roll back after a commit
	st.conn.Close()
}

// streamSource is the table function source of a sideStream: a BIGINT key
// and the value as VARCHAR, as a spill has them.
type streamSource struct {
	st  *sideStream
	cur *sideBatch
	off int
}

// ColumnInfos is the key and the value.
func (s *streamSource) ColumnInfos() []duckdb.ColumnInfo {
	return (&spillReader{columns: 1}).ColumnInfos()
}

// Cardinality is unknown until the rows are read.
func (s *streamSource) Cardinality() *duckdb.CardinalityInfo { return nil }

// Init is called once before the first chunk.
func (s *streamSource) Init() {}

// FillChunk copies up to one chunk of values; a chunk of size 0 ends the
// stream.
func (s *streamSource) FillChunk(chunk duckdb.DataChunk) error {
	if s.cur == nil || s.off == s.cur.n {
		if s.cur != nil {
			s.cur.n, s.off, s.cur.buf = 0, 0, s.cur.buf[:0]
			s.st.free <- s.cur
		}
		b, ok := <-s.st.full
		if !ok {
			s.cur = nil
			return chunk.SetSize(0)
		}
		s.cur, s.off = b, 0
	}
	b := s.cur
	n := min(b.n-s.off, duckdb.GetDataChunkCapacity())
	for k := range n {
		i := s.off + k
		start := 0
		if i > 0 {
			start = b.ends[i-1]
		}
		if err := duckdb.SetChunkValue(chunk, 0, k, b.keys[i]); err != nil {
			return err
		}
		// DuckDB copies the bytes before SetChunkValue returns.
		if err := duckdb.SetChunkValue(chunk, 1, k, b.buf[start:b.ends[i]]); err != nil {
			return err
		}
	}
	s.off += n
	return chunk.SetSize(n)
}
