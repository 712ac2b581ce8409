package chstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Rows calls fn with every current row that q's range, view and filters
// keep, as loaded, in a stable order: by billing period, charge period,
// load and place in the load, so that the same export of the same data
// is the same file. Amounts are read as text, so they stay exact. The row is
// reused: fn must Clone it to keep it.
func (s *Store) Rows(ctx context.Context, q *cost.Query, fn func(*cost.Row) error) error {
	if err := q.Validate(); err != nil {
		return err
	}
	ctx = bounded(ctx)
	vis, err := s.visibility(ctx)
	if err != nil {
		return err
	}
	c := &compiler{q: q, names: s.namesFor(ctx)}
	where, err := c.where(vis)
	if err != nil {
		return err
	}
	var sel []string
	for _, col := range columns {
		switch {
		case isNamed(col.name):
			n, err := c.names.namedSQL(col.name)
			if err != nil {
				return err
			}
			sel = append(sel, n)
		case col.typ == "DateTime":
			sel = append(sel, "toUInt32("+col.name+")")
		case strings.HasPrefix(col.typ, "Array"):
			sel = append(sel, col.name)
		case strings.HasPrefix(col.typ, "Nullable"):
			sel = append(sel, "ifNull(toString("+col.name+"), '')")
		default:
			sel = append(sel, "toString("+col.name+")")
		}
	}
	sql := "SELECT " + strings.Join(sel, ", ") + " FROM " + s.table() + " WHERE " + where +
		" ORDER BY BillingPeriodStart, ChargePeriodStart, load_id, row_n"
	rows, err := s.entry.Query(ctx, sql)
	if err != nil {
		return queryError(ctx, err)
	}
	defer rows.Close()
	var (
		strs   = make([]string, len(columns))
		times  = make([]uint32, len(columns))
		arrays = make([][]string, len(columns))
		dest   = make([]any, len(columns))
	)
	for i, col := range columns {
		switch {
		case col.typ == "DateTime":
			dest[i] = &times[i]
		case strings.HasPrefix(col.typ, "Array"):
			dest[i] = &arrays[i]
		default:
			dest[i] = &strs[i]
		}
	}
	var row cost.Row
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read stored rows: %w", err)
		}
		row = cost.Row{}
		at := func(name string) int {
			for i, c := range columns {
				if c.name == name {
					return i
				}
			}
			panic(name)
		}
		var perr error
		str := func(name string) string { return strs[at(name)] }
		dec := func(name string) decimal.Decimal {
			d, err := decimal.Parse(str(name))
			if err != nil && perr == nil {
				perr = fmt.Errorf("read stored rows: %s: %w", name, err)
			}
			return d
		}
		null := func(name string) cost.NullDecimal {
			if str(name) == "" {
				return cost.NullDecimal{}
			}
			return cost.NullDecimal{Decimal: dec(name), Valid: true}
		}
		tm := func(name string) time.Time { return time.Unix(int64(times[at(name)]), 0).UTC() }
		tags := func(k, v string) []cost.Tag {
			keys, values := arrays[at(k)], arrays[at(v)]
			if len(keys) == 0 {
				return nil
			}
			out := make([]cost.Tag, len(keys))
			for i := range keys {
				out[i] = cost.Tag{Key: keys[i], Value: values[i]}
			}
			return out
		}
		row.ProviderName, row.PublisherName, row.InvoiceIssuerName, row.InvoiceID = str("ProviderName"), str("PublisherName"), str("InvoiceIssuerName"), str("InvoiceId")
		row.BillingAccountID, row.BillingAccountName = str("BillingAccountId"), str("BillingAccountName")
		row.SubAccountID, row.SubAccountName = str("SubAccountId"), str("SubAccountName")
		row.BillingPeriodStart, row.BillingPeriodEnd = tm("BillingPeriodStart"), tm("BillingPeriodEnd")
		row.ChargePeriodStart, row.ChargePeriodEnd = tm("ChargePeriodStart"), tm("ChargePeriodEnd")
		row.ChargeCategory, row.ChargeClass, row.ChargeFrequency = str("ChargeCategory"), str("ChargeClass"), str("ChargeFrequency")
		row.ChargeDescription, row.PricingCategory = str("ChargeDescription"), str("PricingCategory")
		row.BilledCost, row.EffectiveCost, row.ListCost = dec("BilledCost"), dec("EffectiveCost"), dec("ListCost")
		row.ContractedCost = null("ContractedCost")
		row.BillingCurrency, row.ServiceName, row.ServiceCategory = str("BillingCurrency"), str("ServiceName"), str("ServiceCategory")
		row.RegionID, row.RegionName, row.AvailabilityZone = str("RegionId"), str("RegionName"), str("AvailabilityZone")
		row.ResourceID, row.ResourceType = str("ResourceId"), str("ResourceType")
		row.PricingQuantity, row.PricingUnit = null("PricingQuantity"), str("PricingUnit")
		row.ConsumedQuantity, row.ConsumedUnit = null("ConsumedQuantity"), str("ConsumedUnit")
		row.CommitmentDiscountID, row.CommitmentDiscountType = str("CommitmentDiscountId"), str("CommitmentDiscountType")
		row.Tags = tags("tag_keys", "tag_values")
		row.ServiceCode, row.UsageType, row.Operation, row.LineItemType = str("x_ServiceCode"), str("x_UsageType"), str("x_Operation"), str("x_LineItemType")
		row.UnblendedCost, row.BlendedCost = dec("x_UnblendedCost"), dec("x_BlendedCost")
		row.CostCategories = tags("cc_keys", "cc_values")
		row.Extra = tags("extra_keys", "extra_values")
		if perr != nil {
			return perr
		}
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
// its columns before its first row.
func (s *Store) ExtraKeys(ctx context.Context, q *cost.Query) ([]string, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	ctx = bounded(ctx)
	vis, err := s.visibility(ctx)
	if err != nil {
		return nil, err
	}
	where, err := (&compiler{q: q, names: s.namesFor(ctx)}).where(vis)
	if err != nil {
		return nil, err
	}
	rows, err := s.entry.Query(ctx, "SELECT DISTINCT k FROM "+s.table()+" ARRAY JOIN extra_keys AS k WHERE "+where+" ORDER BY k")
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
