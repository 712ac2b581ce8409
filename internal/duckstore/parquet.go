package duckstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/reckon-finops/reckon/internal/cost"
)

// parquetColumns are the columns of a FOCUS Parquet export, in the order
// of focusfile.Writer's CSV (a test compares them): the FOCUS 1.2 columns
// alphabetically, then Reckon's x_ columns. Each is its focus_rows SQL
// (rowColumns) with FOCUS's type: amounts DECIMAL(38,18), exact; times
// TIMESTAMP WITH TIME ZONE in UTC; Tags JSON. ContractedCost is the stored
// one, which is x_UnblendedCost where the source had none, as the CSV
// writer derives it. The sources' other x_ columns (Extra) are not written
// to Parquet yet: the CSV export has them.
var parquetColumns = []string{
	"AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
	"BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription",
	"ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountId", "CommitmentDiscountType",
	"ConsumedQuantity", "ConsumedUnit", "ContractedCost", "EffectiveCost", "InvoiceId", "InvoiceIssuerName",
	"ListCost", "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
	"RegionId", "RegionName", "ResourceId", "ResourceType", "ServiceCategory", "ServiceName",
	"SubAccountId", "SubAccountName", "Tags",
	"x_ServiceCode", "x_UsageType", "x_Operation", "x_LineItemType",
	"x_UnblendedCost", "x_BlendedCost", "x_CostCategories",
}

// parquetChecked are the columns with FOCUS allowed values: a row with
// another value stops the export with an Invalid error, as the CSV
// writer's does, rather than be written. Null passes where FOCUS allows
// it (and where Reckon holds no value).
var parquetChecked = map[string]struct {
	allowed  []string
	nullable bool
}{
	"ChargeCategory":  {cost.ChargeCategories, false},
	"ChargeClass":     {cost.ChargeClasses, true},
	"ChargeFrequency": {cost.ChargeFrequencies, true},
	"PricingCategory": {cost.PricingCategories, true},
	"ServiceCategory": {cost.ServiceCategories, true},
}

// exportError marks the message of a value the export refuses.
const exportError = "FOCUS export: "

func parquetSelect() (string, error) {
	byName := make(map[string]string, len(rowColumns))
	for _, c := range rowColumns {
		byName[c.name] = c.sql
	}
	exprs := make([]string, len(parquetColumns))
	for i, name := range parquetColumns {
		sql, ok := byName[name]
		if !ok {
			return "", fmt.Errorf("parquet export: no SQL for column %s", name)
		}
		switch {
		case strings.HasSuffix(name, "Cost") || strings.HasSuffix(name, "Quantity"):
			sql = "CAST(" + sql + " AS DECIMAL(38,18))"
		case strings.Contains(name, "Period"):
			sql = "timezone('UTC', " + sql + ")"
		}
		if c, ok := parquetChecked[name]; ok {
			ok := sql + " IN (" + literals(c.allowed) + ")"
			if c.nullable {
				ok = sql + " IS NULL OR " + ok
			}
			sql = "CASE WHEN " + ok + " THEN " + sql + " ELSE error(" + literal(exportError+name+" ") +
				" || coalesce('\"' || " + sql + " || '\"', 'null') || " +
				literal(" is not a FOCUS 1.2 value; FOCUS allows "+strings.Join(c.allowed, ", ")) + ") END"
		}
		exprs[i] = sql + " AS " + name
	}
	return strings.Join(exprs, ", "), nil
}

// literal quotes a constant of Reckon's own (never a caller's text) as SQL.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func literals(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = literal(s)
	}
	return strings.Join(out, ", ")
}

// WriteParquet writes the rows Rows would give for q (none when q is nil,
// an empty view) to w as one FOCUS Parquet file, written by DuckDB's Parquet writer into the data folder's
// tmp/ and removed after it is copied (a killed process's file goes at the
// next Open, with the spill files). Nothing reaches w before the whole
// file is written, so an error leaves w untouched.
func (s *Store) WriteParquet(ctx context.Context, q *cost.Query, w io.Writer) error {
	if q != nil {
		if err := q.Validate(); err != nil {
			return err
		}
	}
	cols, err := parquetSelect()
	if err != nil {
		return err
	}
	from, order, args, err := rowsFrom(q)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.tmpDir, 0o700); err != nil {
		return fmt.Errorf("parquet export: %w", err)
	}
	f, err := os.CreateTemp(s.tmpDir, spillPrefix+"export-*.parquet")
	if err != nil {
		return fmt.Errorf("parquet export: %w", err)
	}
	path := f.Name()
	f.Close()
	defer os.Remove(path)
	copySQL := "COPY (SELECT " + cols + from + order + ") TO " + literal(path) + " (FORMAT PARQUET)"
	if _, err := s.db.ExecContext(ctx, copySQL, args...); err != nil {
		if e, ok := errors.AsType[*duckdb.Error](err); ok && e.Type == duckdb.ErrorTypeInvalidInput {
			if _, msg, found := strings.Cut(e.Msg, exportError); found {
				return cost.Errorf(cost.EInvalid, "%s%s", exportError, msg)
			}
		}
		return queryError(ctx, err)
	}
	f, err = os.Open(path)
	if err != nil {
		return fmt.Errorf("parquet export: %w", err)
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
