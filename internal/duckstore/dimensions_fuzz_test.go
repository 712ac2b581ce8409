package duckstore

import (
	"context"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// FuzzValueListing sends arbitrary listing parameters, as the API's query
// string gives them, through ValueSpec.Build, compiling and running. The
// search text and a tag key reach the SQL only as parameters: other texts
// compile to the same SQL. Every listing that builds runs.
func FuzzValueListing(f *testing.F) {
	for _, seed := range [][4]string{
		{"ServiceName", "ec2", "10", "2026-08-01"},
		{"tag:'; DROP TABLE cost_rows; --", "%_", "1", ""},
		{"ResourceId", `\"'`, "1000", "2026-08-03"},
		{"tag:$.x", "", "", "2026-13-01"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	s, err := Open(context.Background(), f.TempDir(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	if _, err := s.ReplacePeriods(context.Background(), cost.Load{Source: "src", Version: "v"}, &rows{list: valueRows(1, 40)}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, dimension, search, limit, from string) {
		spec := cost.ValueSpec{From: from, To: "2026-10-01", Dimensions: []string{dimension}, Search: search, Limit: limit}
		q, vq, err := spec.Build(month(2026, 9))
		if err != nil {
			if cost.ErrorCode(err) != cost.EInvalid {
				t.Fatalf("build error %v is not Invalid", err)
			}
			return
		}
		c, err := compileValues(q, vq.Dimensions, &vq, nil)
		if err != nil {
			t.Fatalf("a listing that builds does not compile: %v", err)
		}
		other := vq
		if other.Search != "" {
			other.Search = "other"
		}
		if d := vq.Dimensions[0]; d.Column == "" {
			other.Dimensions = []cost.Dimension{{Tag: "other"}}
		}
		if oc, err := compileValues(q, other.Dimensions, &other, nil); err != nil || oc.sql != c.sql {
			t.Fatalf("user text reached the SQL (%v):\n%s\nwith other texts:\n%s", err, c.sql, oc.sql)
		}
		if _, err := s.Values(context.Background(), q, vq); err != nil {
			t.Fatalf("a valid listing failed: %v\n%s", err, c.sql)
		}
	})
}
