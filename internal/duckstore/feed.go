package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// A load hands its rows to DuckDB through a table function: the load runs
// INSERT INTO cost_rows SELECT * FROM reckon_feed(id) inside its transaction,
// and DuckDB pulls batches that the parser goroutine fills. Measured against
// DuckDB's appender on 5M rows inside a transaction, INSERT … SELECT writes
// finished row groups to the database file as it goes (memory stayed near
// 140 MB instead of growing to the 512 MB limit and spilling) and took 3.7 s
// instead of 5.6 s.

// feedFunction is the table function's name.
const feedFunction = "reckon_feed"

// batchRows is how many rows travel together from the parser to DuckDB.
const batchRows = 4096

// factBatch holds cost_rows values, column by column.
type factBatch struct {
	n                   int
	dim, desc, tag, res [batchRows]int64
	bpStart             [batchRows]time.Time
	bpEnd               [batchRows]time.Time
	start, end          [batchRows]time.Time
	money               [batchRows][numAmounts]decimal.Decimal
	hasQuantity         [batchRows]bool
}

// The amounts of a cost row, in cost_rows order from BilledCost on.
const (
	aBilled = iota
	aPricingQty
	aUnblended
	aEffective
	aList
	aBlended
	aConsumed
	aContracted
	numAmounts
)

// add copies the fact part of r into the batch, with the amounts that are
// usually equal to another stored as the difference (see the migration).
// The producer's cost.CheckAmounts keeps each cost below 10^11, so the
// differences cannot overflow.
func (b *factBatch) add(r *cost.Row, k *rowKeys, ownConsumed bool) {
	i := b.n
	b.dim[i], b.desc[i], b.tag[i], b.res[i] = k.dim, k.desc, k.tag, k.res
	b.bpStart[i], b.bpEnd[i] = r.BillingPeriodStart, r.BillingPeriodEnd
	b.start[i], b.end[i] = r.ChargePeriodStart, r.ChargePeriodEnd
	u := r.UnblendedCost
	var consumed decimal.Decimal
	if ownConsumed {
		consumed = r.ConsumedQuantity.Decimal
	}
	var contracted decimal.Decimal // ContractedCost - UnblendedCost; 0 when the row has none
	if r.ContractedCost.Valid {
		contracted = r.ContractedCost.Decimal.Sub(u)
	}
	b.money[i] = [numAmounts]decimal.Decimal{r.BilledCost, r.PricingQuantity.Decimal, u.Sub(r.BilledCost),
		r.EffectiveCost.Sub(u), r.ListCost.Sub(u), r.BlendedCost.Sub(u), consumed, contracted}
	b.hasQuantity[i] = r.PricingQuantity.Valid
	b.n++
}

// feed is one load's stream of batches, read by the table function.
type feed struct {
	full   <-chan *factBatch // from the parser; closed after the last batch
	free   chan<- *factBatch // back to the parser
	cur    *factBatch
	off    int // rows of cur already handed to DuckDB
	sent   int // batches handed over, for the crash tests
	onSent func(batches int) error
}

// feeds are the loads in flight, by a token unique in the process (load ids
// repeat across stores), for the table function to find.
var (
	feeds     sync.Map // int64 -> *feed
	feedToken atomic.Int64
)

// registerFeed registers the table function on conn's database.
func registerFeed(conn *sql.Conn) error {
	return duckdb.RegisterTableUDF(conn, feedFunction, duckdb.ChunkTableFunction{
		Config: duckdb.TableFunctionConfig{Arguments: []duckdb.TypeInfo{mustType(duckdb.TYPE_BIGINT)}},
		BindArguments: func(_ map[string]any, args ...any) (duckdb.ChunkTableSource, error) {
			id, _ := args[0].(int64)
			f, ok := feeds.Load(id)
			if !ok {
				return nil, fmt.Errorf("no load with feed token %d is in flight", id)
			}
			return f.(*feed), nil
		},
	})
}

func mustType(t duckdb.Type) duckdb.TypeInfo {
	info, err := duckdb.NewTypeInfo(t)
	if err != nil {
		panic(err)
	}
	return info
}

// ColumnInfos lists cost_rows' columns after load_id, in table order.
// (insertFeed names them, so the order here is the only one that matters.)
func (f *feed) ColumnInfos() []duckdb.ColumnInfo {
	dec, err := duckdb.NewDecimalInfo(38, 18)
	if err != nil {
		panic(err)
	}
	ts := mustType(duckdb.TYPE_TIMESTAMP)
	return []duckdb.ColumnInfo{
		{Name: "dim_id", T: mustType(duckdb.TYPE_BIGINT)},
		{Name: "description_key", T: mustType(duckdb.TYPE_BIGINT)},
		{Name: "tag_set_id", T: mustType(duckdb.TYPE_BIGINT)},
		{Name: "resource_key", T: mustType(duckdb.TYPE_BIGINT)},
		{Name: "BillingPeriodStart", T: ts}, {Name: "BillingPeriodEnd", T: ts},
		{Name: "ChargePeriodStart", T: ts}, {Name: "ChargePeriodEnd", T: ts},
		{Name: "BilledCost", T: dec}, {Name: "PricingQuantity", T: dec},
		{Name: "d_unblended", T: dec}, {Name: "d_effective", T: dec}, {Name: "d_list", T: dec},
		{Name: "d_blended", T: dec}, {Name: "consumed", T: dec}, {Name: "d_contracted", T: dec},
	}
}

// Cardinality is unknown until the file is read.
func (f *feed) Cardinality() *duckdb.CardinalityInfo { return nil }

// Init is called once before the first chunk.
func (f *feed) Init() {}

// FillChunk copies up to one chunk of rows from the current batch; a chunk
// of size 0 ends the stream.
func (f *feed) FillChunk(chunk duckdb.DataChunk) error {
	if f.cur == nil || f.off == f.cur.n {
		if f.cur != nil {
			f.cur.n, f.off = 0, 0
			f.free <- f.cur
			f.sent++
			if err := f.onSent(f.sent); err != nil {
				return err
			}
		}
		b, ok := <-f.full
		if !ok {
			f.cur = nil
			return chunk.SetSize(0)
		}
		f.cur, f.off = b, 0
	}
	n := min(f.cur.n-f.off, duckdb.GetDataChunkCapacity())
	for k := range n {
		if err := f.setRow(chunk, k, f.off+k); err != nil {
			return err
		}
	}
	f.off += n
	return chunk.SetSize(n)
}

func (f *feed) setRow(c duckdb.DataChunk, k, i int) error {
	b := f.cur
	errs := [...]error{
		duckdb.SetChunkValue(c, 0, k, b.dim[i]),
		duckdb.SetChunkValue(c, 1, k, b.desc[i]),
		duckdb.SetChunkValue(c, 2, k, b.tag[i]),
		duckdb.SetChunkValue(c, 3, k, b.res[i]),
		duckdb.SetChunkValue(c, 4, k, b.bpStart[i]),
		duckdb.SetChunkValue(c, 5, k, b.bpEnd[i]),
		duckdb.SetChunkValue(c, 6, k, b.start[i]),
		duckdb.SetChunkValue(c, 7, k, b.end[i]),
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for a := range numAmounts {
		// NULL costs a call into DuckDB; only a missing quantity is NULL.
		valid := a != aPricingQty || b.hasQuantity[i]
		if err := setDecimal(c, 8+a, k, b.money[i][a], valid); err != nil {
			return err
		}
	}
	return nil
}

// setDecimal writes d as DuckDB's DECIMAL(38,18) takes it: the raw count of
// 10^-18 units, an int64 when it fits (|d| < 9.22, most cost lines) and a
// big.Int otherwise. Never a float64.
func setDecimal(c duckdb.DataChunk, col, k int, d decimal.Decimal, valid bool) error {
	if !valid {
		return duckdb.SetChunkValue[any](c, col, k, nil)
	}
	if v, ok := d.Int64(); ok {
		return duckdb.SetChunkValue(c, col, k, v)
	}
	return duckdb.SetChunkValue(c, col, k, d.BigInt())
}

// insertFeed runs the INSERT that drains the feed, inside conn's transaction.
func insertFeed(ctx context.Context, conn *sql.Conn, loadID, token int64) error {
	_, err := conn.ExecContext(ctx, "INSERT INTO cost_rows (load_id, dim_id, description_key, tag_set_id, resource_key, "+
		"BillingPeriodStart, BillingPeriodEnd, ChargePeriodStart, ChargePeriodEnd, BilledCost, PricingQuantity, "+
		"d_unblended, d_effective, d_list, d_blended, consumed, d_contracted) SELECT $1, * FROM "+feedFunction+"($2)", loadID, token)
	return err
}
