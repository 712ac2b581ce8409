package duckstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// rowColumn is one column of focus_rows as Rows reads it: its name, its
// SQL over the star (the aliases of focus_rows, migration 004: f the cost
// rows, d dims, ds descriptions, t tag_sets, r resources), and where it
// goes in a cost.Row. Text, amounts and JSON are read as VARCHAR, so that
// amounts stay exact; times as TIMESTAMP.
type rowColumn struct {
	name string
	sql  string
	set  func(r *cost.Row, v string) error // nil for the four times
}

// rowColumns are focus_rows' columns, but x_LoadId, with the same SQL,
// except that d is named_dims: account names the source left empty come
// from the catalog, as in query answers. Rows cannot select from the view
// itself: the compiler's conditions (compilefilter.go) test cost_rows'
// keys, which focus_rows does not show. A column added to focus_rows is
// one line here (a test compares the two).
var rowColumns = []rowColumn{
	{"ProviderName", "d.ProviderName", str(func(r *cost.Row) *string { return &r.ProviderName })},
	{"PublisherName", "d.PublisherName", str(func(r *cost.Row) *string { return &r.PublisherName })},
	{"InvoiceIssuerName", "d.InvoiceIssuerName", str(func(r *cost.Row) *string { return &r.InvoiceIssuerName })},
	{"InvoiceId", "d.InvoiceId", str(func(r *cost.Row) *string { return &r.InvoiceID })},
	{"BillingAccountId", "d.BillingAccountId", str(func(r *cost.Row) *string { return &r.BillingAccountID })},
	{"BillingAccountName", "d.BillingAccountName", str(func(r *cost.Row) *string { return &r.BillingAccountName })},
	{"SubAccountId", "d.SubAccountId", str(func(r *cost.Row) *string { return &r.SubAccountID })},
	{"SubAccountName", "d.SubAccountName", str(func(r *cost.Row) *string { return &r.SubAccountName })},
	{"BillingPeriodStart", "f.BillingPeriodStart", nil},
	{"BillingPeriodEnd", "f.BillingPeriodEnd", nil},
	{"ChargePeriodStart", "f.ChargePeriodStart", nil},
	{"ChargePeriodEnd", "f.ChargePeriodEnd", nil},
	{"ChargeCategory", "d.ChargeCategory", str(func(r *cost.Row) *string { return &r.ChargeCategory })},
	{"ChargeClass", "d.ChargeClass", str(func(r *cost.Row) *string { return &r.ChargeClass })},
	{"ChargeFrequency", "d.ChargeFrequency", str(func(r *cost.Row) *string { return &r.ChargeFrequency })},
	{"ChargeDescription", "ds.ChargeDescription", str(func(r *cost.Row) *string { return &r.ChargeDescription })},
	{"PricingCategory", "d.PricingCategory", str(func(r *cost.Row) *string { return &r.PricingCategory })},
	{"BilledCost", "f.BilledCost", dec(func(r *cost.Row) *decimal.Decimal { return &r.BilledCost })},
	{"EffectiveCost", "f.BilledCost + f.d_unblended + f.d_effective", dec(func(r *cost.Row) *decimal.Decimal { return &r.EffectiveCost })},
	{"ListCost", "f.BilledCost + f.d_unblended + f.d_list", dec(func(r *cost.Row) *decimal.Decimal { return &r.ListCost })},
	{"ContractedCost", "f.BilledCost + f.d_unblended + f.d_contracted",
		nullDec(func(r *cost.Row) *cost.NullDecimal { return &r.ContractedCost })},
	{"BillingCurrency", "d.BillingCurrency", str(func(r *cost.Row) *string { return &r.BillingCurrency })},
	{"ServiceName", "d.ServiceName", str(func(r *cost.Row) *string { return &r.ServiceName })},
	{"ServiceCategory", "d.ServiceCategory", str(func(r *cost.Row) *string { return &r.ServiceCategory })},
	{"RegionId", "d.RegionId", str(func(r *cost.Row) *string { return &r.RegionID })},
	{"RegionName", "d.RegionName", str(func(r *cost.Row) *string { return &r.RegionName })},
	{"AvailabilityZone", "d.AvailabilityZone", str(func(r *cost.Row) *string { return &r.AvailabilityZone })},
	{"ResourceId", "r.ResourceId", str(func(r *cost.Row) *string { return &r.ResourceID })},
	{"ResourceType", "d.ResourceType", str(func(r *cost.Row) *string { return &r.ResourceType })},
	{"PricingQuantity", "f.PricingQuantity", nullDec(func(r *cost.Row) *cost.NullDecimal { return &r.PricingQuantity })},
	{"PricingUnit", "d.PricingUnit", str(func(r *cost.Row) *string { return &r.PricingUnit })},
	{"ConsumedQuantity", "CASE d.consumed_kind WHEN 1 THEN f.PricingQuantity WHEN 2 THEN f.consumed END",
		nullDec(func(r *cost.Row) *cost.NullDecimal { return &r.ConsumedQuantity })},
	{"ConsumedUnit", "d.ConsumedUnit", str(func(r *cost.Row) *string { return &r.ConsumedUnit })},
	{"CommitmentDiscountId", "d.CommitmentDiscountId", str(func(r *cost.Row) *string { return &r.CommitmentDiscountID })},
	{"CommitmentDiscountType", "d.CommitmentDiscountType", str(func(r *cost.Row) *string { return &r.CommitmentDiscountType })},
	{"Tags", "CAST(t.Tags AS JSON)", tags(func(r *cost.Row) *[]cost.Tag { return &r.Tags })},
	{"x_ServiceCode", "d.x_ServiceCode", str(func(r *cost.Row) *string { return &r.ServiceCode })},
	{"x_UsageType", "d.x_UsageType", str(func(r *cost.Row) *string { return &r.UsageType })},
	{"x_Operation", "d.x_Operation", str(func(r *cost.Row) *string { return &r.Operation })},
	{"x_LineItemType", "d.x_LineItemType", str(func(r *cost.Row) *string { return &r.LineItemType })},
	{"x_UnblendedCost", "f.BilledCost + f.d_unblended", dec(func(r *cost.Row) *decimal.Decimal { return &r.UnblendedCost })},
	{"x_BlendedCost", "f.BilledCost + f.d_unblended + f.d_blended", dec(func(r *cost.Row) *decimal.Decimal { return &r.BlendedCost })},
	{"x_CostCategories", "CAST(d.x_CostCategories AS JSON)", tags(func(r *cost.Row) *[]cost.Tag { return &r.CostCategories })},
	{"x_Extra", "CAST(d.x_Extra AS JSON)", tags(func(r *cost.Row) *[]cost.Tag { return &r.Extra })},
}

func str(field func(*cost.Row) *string) func(*cost.Row, string) error {
	return func(r *cost.Row, v string) error { *field(r) = v; return nil }
}

func dec(field func(*cost.Row) *decimal.Decimal) func(*cost.Row, string) error {
	return func(r *cost.Row, v string) (err error) {
		if v == "" {
			return nil
		}
		*field(r), err = decimal.Parse(v)
		return err
	}
}

func nullDec(field func(*cost.Row) *cost.NullDecimal) func(*cost.Row, string) error {
	return func(r *cost.Row, v string) error {
		if v == "" {
			return nil
		}
		d, err := decimal.Parse(v)
		*field(r) = cost.NullDecimal{Decimal: d, Valid: err == nil}
		return err
	}
}

// tags reads a JSON object of strings, as the store writes tag sets
// (appendTagsJSON), sorted by key.
func tags(field func(*cost.Row) *[]cost.Tag) func(*cost.Row, string) error {
	return func(r *cost.Row, v string) error {
		if v == "" {
			return nil
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(v), &m); err != nil {
			return err
		}
		out := make([]cost.Tag, 0, len(m))
		for k, val := range m {
			out = append(out, cost.Tag{Key: k, Value: val})
		}
		slices.SortFunc(out, func(a, b cost.Tag) int { return strings.Compare(a.Key, b.Key) })
		*field(r) = out
		return nil
	}
}

// rowsFrom is the FROM and ORDER BY of every stored row that q's range,
// view and filters keep, with its arguments: the compiler's conditions on
// cost_rows, then the joins of focus_rows; a nil q keeps no row. Rows
// come in a stable order, so that the same export of the same data is the
// same file: by billing period, charge period, load, and place in the
// table. The sort holds the rows (DuckDB spills past its memory limit):
// on 300k rows it took the process from 430 MB to 850 MB, and no longer.
func rowsFrom(q *cost.Query) (from, order string, args []any, err error) {
	c := &compiler{q: q}
	where := []string{"false"}
	if q != nil {
		if where, err = c.where(); err != nil {
			return "", "", nil, err
		}
	}
	inner := "SELECT *, rowid AS row_number FROM cost_rows"
	if len(where) > 0 {
		inner += " WHERE " + strings.Join(where, " AND ")
	}
	from = " FROM (" + inner + ") f JOIN named_dims d USING (dim_id)" +
		" LEFT JOIN descriptions ds USING (description_key)" +
		" LEFT JOIN tag_sets t USING (tag_set_id)" +
		" LEFT JOIN resources r USING (resource_key)"
	return from, " ORDER BY f.BillingPeriodStart, f.ChargePeriodStart, f.load_id, f.row_number", c.args, nil
}

// Rows calls fn with every stored row that q's range (From, To, Period),
// view and filters keep, as a FOCUS row with the stored differences added
// back, in a stable order; q's measures, groups and pages play no part.
// The row is reused: fn must Clone it to keep it. An error from fn stops
// the read and is returned.
func (s *Store) Rows(ctx context.Context, q *cost.Query, fn func(*cost.Row) error) error {
	if err := q.Validate(); err != nil {
		return err
	}
	from, order, args, err := rowsFrom(q)
	if err != nil {
		return err
	}
	exprs := make([]string, len(rowColumns))
	for i, c := range rowColumns {
		exprs[i] = c.sql
		if c.set != nil {
			exprs[i] = "CAST(" + c.sql + " AS VARCHAR)"
		}
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+strings.Join(exprs, ", ")+from+order, args...)
	if err != nil {
		return queryError(ctx, err)
	}
	defer rows.Close()
	texts := make([]sql.NullString, len(rowColumns))
	var times [4]time.Time
	dest := make([]any, len(rowColumns))
	for i, n := 0, 0; i < len(rowColumns); i++ {
		if rowColumns[i].set == nil {
			dest[i] = &times[n]
			n++
		} else {
			dest[i] = &texts[i]
		}
	}
	var row cost.Row
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read stored rows: %w", err)
		}
		row = cost.Row{}
		for i, c := range rowColumns {
			if c.set == nil {
				continue
			}
			if err := c.set(&row, texts[i].String); err != nil {
				return fmt.Errorf("read stored rows: %s %q: %w", c.name, texts[i].String, err)
			}
		}
		row.BillingPeriodStart, row.BillingPeriodEnd = times[0].UTC(), times[1].UTC()
		row.ChargePeriodStart, row.ChargePeriodEnd = times[2].UTC(), times[3].UTC()
		if err := fn(&row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return queryError(ctx, err)
	}
	return nil
}

// ExtraKeys lists, sorted, the keys of the Extra (the other sources' x_
// columns) of the rows Rows would give for q, so that an export can name
// its columns before its first row. It reads the dimension sets of the
// rows, not the rows: Extra lives in dims.
func (s *Store) ExtraKeys(ctx context.Context, q *cost.Query) ([]string, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	c := &compiler{q: q}
	where, err := c.where()
	if err != nil {
		return nil, err
	}
	inner := "SELECT DISTINCT dim_id FROM cost_rows"
	if len(where) > 0 {
		inner += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, "SELECT DISTINCT unnest(json_keys(CAST(d.x_Extra AS JSON))) AS k FROM ("+inner+
		") f JOIN dims d USING (dim_id) WHERE d.x_Extra IS NOT NULL ORDER BY k", c.args...)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("read the x_ columns: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	return keys, nil
}
