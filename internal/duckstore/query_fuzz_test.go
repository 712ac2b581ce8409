package duckstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// FuzzCompileQuery feeds arbitrary dimension names, tag keys and filter
// values through the query path, as filters on one dimension or several,
// repeated up to past the limits. Whatever the input, the text a user
// typed must never reach the SQL except as a parameter (column names come
// from cost.Dimensions), each filtered dimension must be one semi-join with
// its values in an IN list, and every query that validates must run.
func FuzzCompileQuery(f *testing.F) {
	f.Add("ServiceName", "tag:Environment", "x_ServiceCode", "AmazonEC2", "RegionId", "", uint8(1))
	f.Add("tag:a'b", "subaccountid", "RegionId", "'; DROP TABLE cost_rows; --", "regionid", "us-east-1", uint8(3))
	f.Add("tag:$.x", "tag:", "ResourceId", "", "ResourceId", "i-1", uint8(60))
	f.Add("", "", "tag:k", "v", "tag:K", "v", uint8(26))
	f.Add("", "", "tag:k", "v", "RegionId", "a", uint8(129))
	s, err := Open(context.Background(), f.TempDir(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, g1, g2, col1, value1, col2, value2 string, repeat uint8) {
		q := &cost.Query{Granularity: cost.GranularityDaily, Type: cost.CostAmortized}
		if repeat >= 128 { // a time range: parameters before the filters'
			q.From, q.To = month(2026, 8), month(2026, 9)
		}
		for _, name := range []string{g1, g2} {
			if d, err := cost.ParseDimension(name); err == nil {
				q.GroupBy = append(q.GroupBy, d)
			}
		}
		for i := range int(repeat%64) + 1 {
			for _, f := range [][2]string{{col1, value1}, {col2, value2}} {
				if d, err := cost.ParseDimension(f[0]); err == nil {
					// Every other repeat also offers the other value: the
					// filters on one dimension keep what they share.
					values := []string{f[1]}
					if i%2 == 1 {
						values = append(values, value1, value2)
					}
					q.Filters = append(q.Filters, cost.Filter{Dimension: d, Values: values})
				}
			}
		}
		c, err := compileQuery(q, nil)
		if err != nil {
			if cost.ErrorCode(err) != cost.EInvalid {
				t.Fatalf("compile error %v is not Invalid", err)
			}
			return
		}
		// The SQL may depend on what was typed only through which texts
		// are empty or equal: the same query over other texts is the same SQL.
		if other, err := compileQuery(renamed(q), nil); err != nil || other.sql != c.sql {
			t.Fatalf("user text reached the SQL (%v):\n%s\nwith other texts:\n%s", err, c.sql, other.sql)
		}
		dims := map[cost.Dimension]bool{}
		for _, f := range q.Filters {
			dims[f.Dimension] = true
		}
		// A dimension whose filters share no value is "false".
		if got := semiJoins(c.sql) + strings.Count(c.sql, " false"); got != len(dims) {
			t.Fatalf("%d semi-joins for %d dimensions:\n%s", got, len(dims), c.sql)
		}
		if strings.Count(c.sql, " OR ") > 2*len(dims) {
			t.Fatalf("values compiled to ORs, not IN lists:\n%s", c.sql)
		}
		if _, err := s.Query(context.Background(), q); err != nil {
			t.Fatalf("a valid query failed: %v\n%s", err, c.sql)
		}
	})
}

// renamed returns q with every tag key and filter value replaced by a name
// of its own ("" stays ""), the same text by the same name.
func renamed(q *cost.Query) *cost.Query {
	names := map[string]string{"": ""}
	rename := func(s string) string {
		if _, ok := names[s]; !ok {
			names[s] = fmt.Sprintf("text%d", len(names))
		}
		return names[s]
	}
	dim := func(d cost.Dimension) cost.Dimension {
		if d.Column == "" {
			d.Tag = rename(d.Tag)
		}
		return d
	}
	out := *q
	out.GroupBy, out.Filters = nil, nil
	for _, d := range q.GroupBy {
		out.GroupBy = append(out.GroupBy, dim(d))
	}
	for _, f := range q.Filters {
		g := cost.Filter{Dimension: dim(f.Dimension)}
		for _, v := range f.Values {
			g.Values = append(g.Values, rename(v))
		}
		out.Filters = append(out.Filters, g)
	}
	return &out
}
