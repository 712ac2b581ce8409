package duckstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/zeebo/xxh3"

	"github.com/reckon-finops/reckon/internal/cost"
)

// dimColumns are the dims table's columns after dim_id and dim_key, in the
// order dimValues returns them.
var dimColumns = []string{
	"ProviderName", "PublisherName", "InvoiceIssuerName", "InvoiceId",
	"BillingAccountId", "BillingAccountName", "SubAccountId", "SubAccountName",
	"ChargeCategory", "ChargeClass", "ChargeFrequency", "ChargeDescription", "PricingCategory",
	"BillingCurrency", "ServiceName", "ServiceCategory", "RegionId", "RegionName", "AvailabilityZone",
	"ResourceType", "PricingUnit", "ConsumedUnit", "CommitmentDiscountId", "CommitmentDiscountType",
	"x_ServiceCode", "x_UsageType", "x_Operation", "x_LineItemType", "x_CostCategories",
	"consumed_kind",
}

// How a row's ConsumedQuantity is stored (dims.consumed_kind).
const (
	consumedNone      = "0" // no ConsumedQuantity
	consumedIsPricing = "1" // equal to PricingQuantity
	consumedOwn       = "2" // in cost_rows.consumed
)

// consumedKind classifies the row's ConsumedQuantity.
func consumedKind(r *cost.Row) string {
	switch {
	case !r.ConsumedQuantity.Valid:
		return consumedNone
	case r.PricingQuantity.Valid && r.PricingQuantity.Decimal == r.ConsumedQuantity.Decimal:
		return consumedIsPricing
	}
	return consumedOwn
}

// dimValues returns the row's dimension strings in dimColumns order; the
// cost categories are JSON text.
func dimValues(r *cost.Row, categories, consumed string) [numDims]string {
	return [numDims]string{
		r.ProviderName, r.PublisherName, r.InvoiceIssuerName, r.InvoiceID,
		r.BillingAccountID, r.BillingAccountName, r.SubAccountID, r.SubAccountName,
		r.ChargeCategory, r.ChargeClass, r.ChargeFrequency, r.ChargeDescription, r.PricingCategory,
		r.BillingCurrency, r.ServiceName, r.ServiceCategory, r.RegionID, r.RegionName, r.AvailabilityZone,
		r.ResourceType, r.PricingUnit, r.ConsumedUnit, r.CommitmentDiscountID, r.CommitmentDiscountType,
		r.ServiceCode, r.UsageType, r.Operation, r.LineItemType, categories,
		consumed,
	}
}

// numDims is the number of dims columns after dim_id and dim_key.
const numDims = 30

// interner gives each distinct value a dense integer id. Values found in the
// store come first; values new in this load are kept apart until the load
// commits, so that a failed load leaves the cache as the store is.
type interner struct {
	ids    map[string]int32
	next   int32
	added  []string // keys added by the current load, in id order
	stored []string // tag sets only: the JSON stored for each added key
}

func newInterner() *interner { return &interner{ids: map[string]int32{}, next: 1} }

// lookup returns the id of key without allocating when it is known.
func (in *interner) lookup(key []byte) (int32, bool) {
	id, ok := in.ids[string(key)]
	return id, ok
}

// add gives key a new id.
func (in *interner) add(key string) int32 {
	id := in.next
	in.next++
	in.ids[key] = id
	in.added = append(in.added, key)
	return id
}

// rollback forgets the ids added since the last commit.
func (in *interner) rollback() {
	for _, k := range in.added {
		delete(in.ids, k)
	}
	in.next -= int32(len(in.added))
	in.added, in.stored = in.added[:0], in.stored[:0]
}

// commit keeps the ids added.
func (in *interner) commit() {
	in.added, in.stored = in.added[:0], in.stored[:0]
}

// loadInterners reads the known dims and tag sets.
// interners are the store's three id caches, guarded by Store.loadMu.
type interners struct {
	dims            *dimIndex
	tags, resources *interner
}

func (in *interners) rollback() {
	in.dims.rollback()
	in.tags.rollback()
	in.resources.rollback()
}

func (in *interners) commit() {
	in.dims.commit()
	in.tags.commit()
	in.resources.commit()
}

// loadInterners reads the known dims, tag sets and resources.
func loadInterners(ctx context.Context, db *sql.DB) (*interners, error) {
	in := &interners{dims: newDimIndex(), tags: newInterner(), resources: newInterner()}
	if err := loadDims(ctx, db, in.dims); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		in  *interner
		sql string
	}{
		{in.tags, `SELECT tag_set_id, Tags FROM tag_sets`},
		{in.resources, `SELECT resource_key, ResourceId FROM resources`},
	} {
		isTags := q.in == in.tags
		rows, err := db.QueryContext(ctx, q.sql)
		if err != nil {
			return nil, fmt.Errorf("read dimensions: %w", err)
		}
		for rows.Next() {
			var id int32
			var key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read dimensions: %w", err)
			}
			if isTags {
				if key, err = tagKeyOfJSON(key); err != nil {
					rows.Close()
					return nil, fmt.Errorf("read tag set %d: %w", id, err)
				}
			}
			q.in.ids[key] = id
			q.in.next = max(q.in.next, id+1)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// loadDims reads the stored dims into the index, in id order.
func loadDims(ctx context.Context, db *sql.DB, x *dimIndex) error {
	rows, err := db.QueryContext(ctx, `SELECT dim_id, dim_key FROM dims ORDER BY dim_id`)
	if err != nil {
		return fmt.Errorf("read dimensions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int32
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return fmt.Errorf("read dimensions: %w", err)
		}
		v, ok := splitDimKey(key)
		if !ok || id != int32(len(x.vals))+1 {
			return fmt.Errorf("dimension %d is damaged: its key or id is out of order", id)
		}
		x.put(v, xxh3.HashString128(key))
	}
	x.commit()
	return rows.Err()
}

// appendTagKey appends tags as the tag_sets lookup key: each key and value
// followed by a 0 byte. Building JSON for every row cost more than the
// lookup; JSON is written only for a new tag set.
func appendTagKey(b []byte, tags []cost.Tag) []byte {
	for _, t := range tags {
		b = append(b, t.Key...)
		b = append(b, 0)
		b = append(b, t.Value...)
		b = append(b, 0)
	}
	return b
}

// tagKeyOfJSON turns a stored tag set back into its lookup key.
func tagKeyOfJSON(js string) (string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return "", err
	}
	tags := make([]cost.Tag, 0, len(m))
	for k, v := range m {
		tags = append(tags, cost.Tag{Key: k, Value: v})
	}
	slices.SortFunc(tags, func(a, b cost.Tag) int { return strings.Compare(a.Key, b.Key) })
	return string(appendTagKey(nil, tags)), nil
}

// appendTagsJSON appends tags as a JSON object; nothing when there are none.
func appendTagsJSON(b []byte, tags []cost.Tag) []byte {
	if len(tags) == 0 {
		return b
	}
	b = append(b, '{')
	for i, t := range tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, t.Key)
		b = append(b, ':')
		b = appendJSONString(b, t.Value)
	}
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(b, '"')
}

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

// insertNewDims appends the dims, tag sets and resources the load added.
func insertNewDims(conn *sql.Conn, in *interners) error {
	if err := withAppender(conn, "dims", func(app *duckdb.Appender) error {
		added, first := in.dims.added()
		row := make([]driver.Value, 2+numDims)
		for i := range added {
			vals := &added[i]
			row[0], row[1] = first+int32(i), string(appendDimKey(nil, vals))
			for j, v := range vals {
				row[2+j] = nullIfEmpty(v)
			}
			row[numDims+1] = int8(vals[numDims-1][0] - '0')
			if err := app.AppendRow(row...); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("insert dimensions: %w", err)
	}
	for _, side := range []struct {
		table string
		in    *interner
	}{
		{"tag_sets", in.tags},
		{"resources", in.resources},
	} {
		if err := withAppender(conn, side.table, func(app *duckdb.Appender) error {
			first := side.in.next - int32(len(side.in.added))
			for i, key := range side.in.added {
				if side.in.stored != nil {
					key = side.in.stored[i]
				}
				if err := app.AppendRow(first+int32(i), key); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("insert %s: %w", side.table, err)
		}
	}
	return nil
}

func nullIfEmpty(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}
