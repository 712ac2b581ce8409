package duckstore

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// withAppender runs f with an Appender on table over conn, inside whatever
// transaction conn has open, and closes (flushes) it.
func withAppender(conn *sql.Conn, table string, f func(*duckdb.Appender) error) error {
	return conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return err
		}
		ferr := f(app)
		cerr := app.Close()
		return errors.Join(ferr, cerr)
	})
}

// batchRows is how many fact rows travel together from the parser to the
// appender goroutine.
const batchRows = 4096

// factBatch holds cost_rows values, column by column.
type factBatch struct {
	n          int
	dim, tag   [batchRows]int32
	bpStart    [batchRows]time.Time
	bpEnd      [batchRows]time.Time
	start, end [batchRows]time.Time
	resource   [batchRows]string
	money      [batchRows][7]decimal.Decimal
	valid      [batchRows]uint8 // bit 0: PricingQuantity, bit 1: ConsumedQuantity
}

// Columns of factBatch.money.
const (
	mBilled = iota
	mEffective
	mList
	mPricingQty
	mConsumedQty
	mUnblended
	mBlended
)

// add copies the fact part of r into the batch. ResourceId is cloned: the
// row's strings may alias the reader's buffer.
func (b *factBatch) add(r *cost.Row, dim, tag int32) {
	i := b.n
	b.dim[i], b.tag[i] = dim, tag
	b.bpStart[i], b.bpEnd[i] = r.BillingPeriodStart, r.BillingPeriodEnd
	b.start[i], b.end[i] = r.ChargePeriodStart, r.ChargePeriodEnd
	b.resource[i] = strings.Clone(r.ResourceID)
	b.money[i] = [7]decimal.Decimal{r.BilledCost, r.EffectiveCost, r.ListCost,
		r.PricingQuantity.Decimal, r.ConsumedQuantity.Decimal, r.UnblendedCost, r.BlendedCost}
	var v uint8
	if r.PricingQuantity.Valid {
		v |= 1
	}
	if r.ConsumedQuantity.Valid {
		v |= 2
	}
	b.valid[i] = v
	b.n++
}

// appendBatch appends the batch's rows to cost_rows.
func appendBatch(app *duckdb.Appender, loadID int64, b *factBatch, vals []driver.Value) error {
	for i := range b.n {
		vals[0] = loadID
		vals[1] = b.dim[i]
		vals[2] = nil
		if b.tag[i] != 0 {
			vals[2] = b.tag[i]
		}
		vals[3], vals[4], vals[5], vals[6] = b.bpStart[i], b.bpEnd[i], b.start[i], b.end[i]
		vals[7] = nullIfEmpty(b.resource[i])
		m := &b.money[i]
		vals[8] = decimalValue(m[mBilled])
		vals[9] = decimalValue(m[mEffective])
		vals[10] = decimalValue(m[mList])
		vals[11], vals[12] = nil, nil
		if b.valid[i]&1 != 0 {
			vals[11] = decimalValue(m[mPricingQty])
		}
		if b.valid[i]&2 != 0 {
			vals[12] = decimalValue(m[mConsumedQty])
		}
		vals[13] = decimalValue(m[mUnblended])
		vals[14] = decimalValue(m[mBlended])
		if err := app.AppendRow(vals...); err != nil {
			return fmt.Errorf("append cost row: %w", err)
		}
	}
	return nil
}

// decimalValue is d as DuckDB's appender takes a DECIMAL(38,18): the raw
// count of 10^-18 units, an int64 when it fits (|d| < 9.22, most cost
// lines) and a big.Int otherwise. Never a float64.
func decimalValue(d decimal.Decimal) driver.Value {
	if v, ok := d.Int64(); ok {
		return v
	}
	return d.BigInt()
}
