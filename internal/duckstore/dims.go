package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/reckon-finops/reckon/internal/cost"
)

// dimColumns are the dims table's columns after dim_id and dim_key, in the
// order dimValues returns them.
var dimColumns = []string{
	"ProviderName", "PublisherName", "InvoiceIssuerName", "InvoiceId",
	"BillingAccountId", "BillingAccountName", "SubAccountId", "SubAccountName",
	"ChargeCategory", "ChargeClass", "ChargeFrequency", "PricingCategory",
	"BillingCurrency", "ServiceName", "ServiceCategory", "RegionId", "RegionName", "AvailabilityZone",
	"ResourceType", "PricingUnit", "ConsumedUnit", "CommitmentDiscountId", "CommitmentDiscountType",
	"x_ServiceCode", "x_UsageType", "x_Operation", "x_LineItemType", "x_CostCategories",
	"consumed_kind", "x_Extra",
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
// cost categories and the other x_ columns are JSON text. The description is not among them: it is
// the column most often distinct on every row, and has a table of its own.
func dimValues(r *cost.Row, categories, consumed, extra string) [numDims]string {
	return [numDims]string{
		r.ProviderName, r.PublisherName, r.InvoiceIssuerName, r.InvoiceID,
		r.BillingAccountID, r.BillingAccountName, r.SubAccountID, r.SubAccountName,
		r.ChargeCategory, r.ChargeClass, r.ChargeFrequency, r.PricingCategory,
		r.BillingCurrency, r.ServiceName, r.ServiceCategory, r.RegionID, r.RegionName, r.AvailabilityZone,
		r.ResourceType, r.PricingUnit, r.ConsumedUnit, r.CommitmentDiscountID, r.CommitmentDiscountType,
		r.ServiceCode, r.UsageType, r.Operation, r.LineItemType, categories,
		consumed, extra,
	}
}

// numDims is the number of dims columns after dim_id.
const numDims = 30

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

// sideInserts move a load's spilled values into their tables; empty
// strings become NULL, as FOCUS has them.
var sideInserts = map[string]string{
	"dims":         "INSERT INTO dims SELECT k, " + dimsSelect() + " FROM " + sideFunction + "($1)",
	"descriptions": "INSERT INTO descriptions SELECT k, v0 FROM " + sideFunction + "($1)",
	"tag_sets":     "INSERT INTO tag_sets SELECT k, v0 FROM " + sideFunction + "($1)",
	"resources":    "INSERT INTO resources SELECT k, v0 FROM " + sideFunction + "($1)",
}

func dimsSelect() string {
	cols := make([]string, numDims)
	for i, name := range dimColumns {
		cols[i] = fmt.Sprintf("nullif(v%d, '')", i)
		if name == "consumed_kind" {
			cols[i] = fmt.Sprintf("CAST(v%d AS TINYINT)", i)
		}
	}
	return strings.Join(cols, ", ")
}

// insertSides streams each spilled family's values into its table, on conn
// inside the load's transaction.
func insertSides(ctx context.Context, conn *sql.Conn, fs *families) error {
	for _, f := range fs.all() {
		if f.spill == nil || f.spill.count == 0 {
			continue
		}
		r, err := f.spill.rewind()
		if err != nil {
			return err
		}
		token := spillToken.Add(1)
		spills.Store(token, r)
		_, err = conn.ExecContext(ctx, sideInserts[f.table], token)
		spills.Delete(token)
		if err != nil {
			return fmt.Errorf("insert %s: %w", f.table, err)
		}
	}
	return nil
}

// gcSides deletes the side values of loads that no billing period holds any
// more. Keys below 2^32 come from before migration 004 and stay.
func gcSides(ctx context.Context, conn execer) error {
	for _, t := range []struct{ table, key string }{
		{"dims", "dim_id"}, {"descriptions", "description_key"}, {"tag_sets", "tag_set_id"}, {"resources", "resource_key"},
	} {
		if _, err := conn.ExecContext(ctx, "DELETE FROM "+t.table+" WHERE "+t.key+" >= 4294967296 AND ("+t.key+
			" >> 32) NOT IN (SELECT load_id FROM report_versions)"); err != nil {
			return fmt.Errorf("remove unused %s: %w", t.table, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "DELETE FROM unrolled_loads WHERE load_id NOT IN (SELECT load_id FROM report_versions)"); err != nil {
		return fmt.Errorf("forget loads that went: %w", err)
	}
	return nil
}

// execer runs a statement: a *sql.Conn or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
