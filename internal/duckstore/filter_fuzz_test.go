package duckstore

import (
	"context"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// FuzzFilterExpression sends arbitrary filter-language text, with a
// group-by, top N and a page, through parsing, compiling and running.
// Whatever was typed, it reaches the SQL only as parameters: the same
// expression over other texts compiles to the same SQL. Every expression
// that parses runs.
func FuzzFilterExpression(f *testing.F) {
	for _, s := range []string{
		"ServiceName in (EC2, S3) and not tag:env = dev",
		`tag:"a'b" contains ("'; DROP TABLE cost_rows; --") or (RegionId != "" and tag:k not exists)`,
		`not (SubAccountName = x or BillingAccountName contains y) and ResourceId in ("", i-1)`,
		`ChargeDescription contains "%" and tag:"$.x" exists`,
	} {
		f.Add(s, "ServiceName", uint8(3))
	}
	s, err := Open(context.Background(), f.TempDir(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, text, group string, top uint8) {
		e, err := cost.ParseFilter(text)
		if err != nil {
			return
		}
		q := &cost.Query{Granularity: cost.GranularityMonthly, Type: cost.CostActual, Where: e,
			Top: int(top % 4), Skip: int(top / 64), Limit: 5}
		if d, err := cost.ParseDimension(group); err == nil {
			q.GroupBy = []cost.Dimension{d}
		} else {
			q.Top = 0
		}
		c, err := compileQuery(q, nil)
		if err != nil {
			if cost.ErrorCode(err) != cost.EInvalid {
				t.Fatalf("compile error %v is not Invalid", err)
			}
			return
		}
		other := *q
		other.Where = renamedExpr(e, map[string]string{"": ""})
		if len(q.GroupBy) == 1 && q.GroupBy[0].Column == "" {
			other.GroupBy = []cost.Dimension{{Tag: "grouped"}}
		}
		oc, err := compileQuery(&other, nil)
		if err != nil || oc.sql != c.sql {
			t.Fatalf("user text reached the SQL (%v):\n%s\nwith other texts:\n%s", err, c.sql, oc.sql)
		}
		if strings.Contains(c.sql, text) && len(text) > 8 {
			t.Fatalf("the filter text is in the SQL:\n%s", c.sql)
		}
		if _, err := s.Query(context.Background(), q); err != nil {
			t.Fatalf("a valid query failed: %v\n%s", err, c.sql)
		}
	})
}

// renamedExpr returns e with every tag key and value replaced by a name of
// its own ("" stays ""), the same text by the same name.
func renamedExpr(e *cost.Expr, names map[string]string) *cost.Expr {
	rename := func(s string) string {
		if _, ok := names[s]; !ok {
			names[s] = "text" + strings.Repeat("x", len(names))
		}
		return names[s]
	}
	out := *e
	out.Args, out.Values = nil, nil
	if out.Dimension.Column == "" && out.Dimension.Tag != "" {
		out.Dimension.Tag = rename(out.Dimension.Tag)
	}
	for _, v := range e.Values {
		out.Values = append(out.Values, rename(v))
	}
	for _, a := range e.Args {
		out.Args = append(out.Args, renamedExpr(a, names))
	}
	return &out
}
