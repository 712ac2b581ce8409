package chstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/zeebo/xxh3"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// The loader writes a shard's rows into cost_rows_in, a table of the Null
// engine whose columns are all String, UInt32 or UInt64, and a
// materialized view on every shard turns each block into cost_rows_local's
// types as it lands. clickhouse-go converts a LowCardinality, Decimal or
// Array value one at a time through reflection and big.Int, which held the
// loader to some 80,000 rows a second; a String column is one copy of its
// bytes. The view is part of the insert: when the INSERT returns, the rows
// are in cost_rows_local, as before.

// ingestColumn is how a column of cost_rows_local travels: the type of its
// column of cost_rows_in, and the SQL that makes the stored value of it
// ($).
func ingestColumn(typ string) (inType, expr string) {
	switch typ {
	case "String":
		return "String", "$"
	case "LowCardinality(String)":
		return "String", "toLowCardinality($)"
	case "DateTime":
		return "UInt32", "toDateTime($)"
	case "Decimal(38, 18)":
		// Decimals travel as text, which toDecimal128 reads exactly.
		return "String", "toDecimal128($, 18)"
	case "Nullable(Decimal(38, 18))":
		// '' is NULL; if() computes both branches, so the other one must
		// parse too.
		return "String", "if($ = '', NULL, toDecimal128(if($ = '', '0', $), 18))"
	case "Array(String)":
		// Each element follows a \x01; inside it \x01 is \x02\x04 and \x02
		// is \x02\x03 (arrayText).
		return "String", `arrayMap(e -> replaceAll(replaceAll(e, '\x02\x04', '\x01'), '\x02\x03', '\x02'), arraySlice(splitByChar('\x01', $), 2))`
	}
	panic("no ingest form for column type " + typ)
}

// ingestTables are the statements that create cost_rows_in and its view
// into cost_rows_local.
func (s *Store) ingestTables() []string {
	defs := []string{"load_id UInt64", "row_n UInt64"}
	sel := []string{"load_id", "row_n"}
	for _, c := range columns {
		in, expr := ingestColumn(c.typ)
		defs = append(defs, c.name+" "+in)
		sel = append(sel, strings.ReplaceAll(expr, "$", c.name)+" AS "+c.name)
	}
	return []string{
		"CREATE TABLE IF NOT EXISTS " + s.db + ".cost_rows_in (" + strings.Join(defs, ", ") + ") ENGINE = Null",
		"CREATE MATERIALIZED VIEW IF NOT EXISTS " + s.db + ".cost_rows_in_mv TO " + s.db + ".cost_rows_local AS SELECT " +
			strings.Join(sel, ", ") + " FROM " + s.db + ".cost_rows_in",
	}
}

// shardOf is the shard of a row: a hash of its billing account, resource
// and charge start, so that a reload puts a row where it was and the rows
// of one account spread over every shard. buf is scratch space.
func shardOf(r *cost.Row, shards int, buf []byte) (int, []byte) {
	b := append(buf[:0], r.BillingAccountID...)
	b = append(b, 0)
	b = append(b, r.ResourceID...)
	b = append(b, 0)
	b = strconv.AppendInt(b, r.ChargePeriodStart.Unix(), 10)
	return int(xxh3.Hash(b) % uint64(shards)), b
}

// textColumn is a String column of a block: every value's bytes in one
// buffer, and where each ends.
type textColumn struct {
	buf  []byte
	ends []int
}

func (c *textColumn) end() { c.ends = append(c.ends, len(c.buf)) }

// values are the column's strings, which share its buffer: they live
// until the block is reset, after clickhouse-go has copied them.
func (c *textColumn) values(dst []string) []string {
	all := unsafe.String(unsafe.SliceData(c.buf), len(c.buf))
	dst = dst[:0]
	start := 0
	for _, e := range c.ends {
		dst = append(dst, all[start:e])
		start = e
	}
	return dst
}

// block is a batch of one shard's rows, column by column, in the order of
// columnList: load_id and row_n, then columns.
type block struct {
	rows  []uint64 // row_n
	text  []textColumn
	times [][]uint32
}

// blocks are blocks to reuse, with the capacity they grew to: a load
// allocates little once its first blocks are sent.
var blocks = sync.Pool{New: func() any {
	return &block{text: make([]textColumn, len(columns)), times: make([][]uint32, len(columns))}
}}

func (b *block) reset() {
	b.rows = b.rows[:0]
	for i := range b.text {
		b.text[i].buf, b.text[i].ends = b.text[i].buf[:0], b.text[i].ends[:0]
		b.times[i] = b.times[i][:0]
	}
}

// add appends a row, each value in its column's form (ingestColumn). The
// order is columns' order; TestIngestOrder checks it.
func (b *block) add(n uint64, r *cost.Row) {
	b.rows = append(b.rows, n)
	i := 0
	str := func(v string) {
		c := &b.text[i]
		c.buf = append(c.buf, v...)
		c.end()
		i++
	}
	tm := func(v int64) { b.times[i] = append(b.times[i], uint32(v)); i++ }
	dec := func(d decimal.Decimal) {
		c := &b.text[i]
		c.buf = d.Append(c.buf, 0)
		c.end()
		i++
	}
	null := func(d cost.NullDecimal) {
		c := &b.text[i]
		if d.Valid {
			c.buf = d.Decimal.Append(c.buf, 0)
		}
		c.end()
		i++
	}
	arr := func(tags []cost.Tag, value bool) {
		c := &b.text[i]
		for _, t := range tags {
			v := t.Key
			if value {
				v = t.Value
			}
			c.buf = arrayText(append(c.buf, 1), v)
		}
		c.end()
		i++
	}
	str(r.ProviderName)
	str(r.PublisherName)
	str(r.InvoiceIssuerName)
	str(r.InvoiceID)
	str(r.BillingAccountID)
	str(r.BillingAccountName)
	str(r.SubAccountID)
	str(r.SubAccountName)
	tm(r.BillingPeriodStart.Unix())
	tm(r.BillingPeriodEnd.Unix())
	tm(r.ChargePeriodStart.Unix())
	tm(r.ChargePeriodEnd.Unix())
	str(r.ChargeCategory)
	str(r.ChargeClass)
	str(r.ChargeFrequency)
	str(r.ChargeDescription)
	str(r.PricingCategory)
	dec(r.BilledCost)
	dec(r.EffectiveCost)
	dec(r.ListCost)
	null(r.ContractedCost)
	str(r.BillingCurrency)
	str(r.ServiceName)
	str(r.ServiceCategory)
	str(r.RegionID)
	str(r.RegionName)
	str(r.AvailabilityZone)
	str(r.ResourceID)
	str(r.ResourceType)
	null(r.PricingQuantity)
	str(r.PricingUnit)
	null(r.ConsumedQuantity)
	str(r.ConsumedUnit)
	str(r.CommitmentDiscountID)
	str(r.CommitmentDiscountType)
	arr(r.Tags, false)
	arr(r.Tags, true)
	str(r.ServiceCode)
	str(r.UsageType)
	str(r.Operation)
	str(r.LineItemType)
	dec(r.UnblendedCost)
	dec(r.BlendedCost)
	arr(r.CostCategories, false)
	arr(r.CostCategories, true)
	arr(r.Extra, false)
	arr(r.Extra, true)
}

// arrayText appends v escaped for an Array(String) column's text: \x01
// separates elements, so it becomes \x02\x04, and \x02 becomes \x02\x03.
func arrayText(b []byte, v string) []byte {
	if strings.IndexByte(v, 1) < 0 && strings.IndexByte(v, 2) < 0 {
		return append(b, v...)
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case 1:
			b = append(b, 2, 4)
		case 2:
			b = append(b, 2, 3)
		default:
			b = append(b, v[i])
		}
	}
	return b
}

// shardWriter batches a load's rows per shard; a goroutine per shard sends
// each full block while the next one fills.
type shardWriter struct {
	s       *Store
	loadID  uint64
	ctx     context.Context
	cancel  context.CancelCauseFunc
	blocks  []*block
	queues  []chan *block
	wg      sync.WaitGroup
	scratch []byte
}

func (s *Store) newShardWriter(ctx context.Context, loadID uint64) *shardWriter {
	w := &shardWriter{s: s, loadID: loadID, blocks: make([]*block, len(s.shards)), queues: make([]chan *block, len(s.shards))}
	w.ctx, w.cancel = context.WithCancelCause(ctx)
	for i := range s.shards {
		w.queues[i] = make(chan *block)
		w.wg.Add(1)
		go w.sender(i, w.queues[i])
	}
	return w
}

func (w *shardWriter) add(r *cost.Row, n uint64) error {
	var i int
	i, w.scratch = shardOf(r, len(w.blocks), w.scratch)
	b := w.blocks[i]
	if b == nil {
		b = blocks.Get().(*block)
		w.blocks[i] = b
	}
	b.add(n, r)
	if len(b.rows) >= w.s.batchRows {
		return w.send(i)
	}
	return nil
}

// send hands shard i's block to its sender, or returns why the load
// failed.
func (w *shardWriter) send(i int) error {
	select {
	case w.queues[i] <- w.blocks[i]:
		w.blocks[i] = nil
		return nil
	case <-w.ctx.Done():
		return context.Cause(w.ctx)
	}
}

// flush sends what is left and waits for every shard to hold it.
func (w *shardWriter) flush() error {
	for i, b := range w.blocks {
		if b != nil && len(b.rows) > 0 {
			if err := w.send(i); err != nil {
				return err
			}
		}
	}
	w.close()
	return context.Cause(w.ctx)
}

// close stops the senders (abort, once the load failed) and waits for them.
func (w *shardWriter) close() {
	if w.queues == nil {
		return
	}
	for _, q := range w.queues {
		close(q)
	}
	w.queues = nil
	w.wg.Wait()
}

func (w *shardWriter) abort() {
	w.cancel(context.Canceled)
	w.close()
}

func (w *shardWriter) sender(i int, queue <-chan *block) {
	defer w.wg.Done()
	in := &inserter{w: w, shard: i}
	for b := range queue {
		if w.ctx.Err() == nil {
			if err := in.add(b); err != nil {
				w.cancel(fmt.Errorf("insert cost rows on shard %d: %w", i+1, err))
			}
		}
		b.reset()
		blocks.Put(b)
	}
	if in.batch == nil {
		return
	}
	if w.ctx.Err() != nil {
		in.batch.Abort() //nolint:errcheck // the error that brought us here matters more
		return
	}
	if err := in.batch.Send(); err != nil {
		w.cancel(fmt.Errorf("insert cost rows on shard %d: %w", i+1, err))
	}
}

// inserter is a shard's INSERT of a load: one for all its blocks, each
// sent with Flush, so that clickhouse-go's column buffers keep their
// capacity from one block to the next.
type inserter struct {
	w     *shardWriter
	shard int
	batch driver.Batch
	ids   []uint64
	strs  []string
}

func (in *inserter) add(b *block) error {
	if in.batch == nil {
		batch, err := in.w.s.shards[in.shard].PrepareBatch(in.w.ctx, "INSERT INTO "+in.w.s.db+".cost_rows_in "+columnList())
		if err != nil {
			return err
		}
		in.batch = batch
	}
	for len(in.ids) < len(b.rows) {
		in.ids = append(in.ids, in.w.loadID)
	}
	if err := in.batch.Column(0).Append(in.ids[:len(b.rows)]); err != nil {
		return err
	}
	if err := in.batch.Column(1).Append(b.rows); err != nil {
		return err
	}
	for j, c := range columns {
		var v any
		if c.typ == "DateTime" {
			v = b.times[j]
		} else {
			in.strs = b.text[j].values(in.strs)
			v = in.strs
		}
		if err := in.batch.Column(j + 2).Append(v); err != nil {
			return fmt.Errorf("column %s: %w", c.name, err)
		}
	}
	return in.batch.Flush()
}
