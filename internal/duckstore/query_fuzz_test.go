package duckstore

import (
	"context"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// FuzzCompileQuery feeds arbitrary dimension names, tag keys and filter
// values through the query path. Whatever the input, the text a user typed
// must never reach the SQL except as a parameter or a known column name, and
// every query that validates must run.
func FuzzCompileQuery(f *testing.F) {
	f.Add("ServiceName", "tag:Environment", "x_ServiceCode", "AmazonEC2")
	f.Add("tag:a'b", "subaccountid", "RegionId", "'; DROP TABLE cost_rows; --")
	f.Add("tag:$.x", "tag:", "ResourceId", "")
	s, err := Open(context.Background(), f.TempDir(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, g1, g2, filterCol, value string) {
		q := &cost.Query{Granularity: cost.GranularityDaily, Type: cost.CostAmortized}
		for _, name := range []string{g1, g2} {
			if d, err := cost.ParseDimension(name); err == nil {
				q.GroupBy = append(q.GroupBy, d)
			}
		}
		if d, err := cost.ParseDimension(filterCol); err == nil {
			q.Filters = append(q.Filters, cost.Filter{Dimension: d, Values: []string{value}})
		}
		c, err := compileQuery(q)
		if err != nil {
			if cost.ErrorCode(err) != cost.EInvalid {
				t.Fatalf("compile error %v is not Invalid", err)
			}
			return
		}
		for _, typed := range []string{g1, g2, filterCol, value} {
			if len(typed) > 3 && strings.Contains(c.sql, typed) && !isColumn(typed) {
				t.Fatalf("user text %q reached the SQL:\n%s", typed, c.sql)
			}
		}
		if _, err := s.Query(context.Background(), q); err != nil {
			t.Fatalf("a valid query failed: %v\n%s", err, c.sql)
		}
	})
}

func isColumn(s string) bool {
	for _, c := range cost.Dimensions {
		if c == s {
			return true
		}
	}
	return false
}
