package cost

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestTheAPIWritesEveryCostWithTenDecimalPlaces is issue 8 §11: the API
// wrote 71991.507719198 where the README promises at least ten places, as
// the CLI prints them.
func TestTheAPIWritesEveryCostWithTenDecimalPlaces(t *testing.T) {
	for _, c := range []struct{ cost, want string }{
		{"71991.507719198", "71991.5077191980"},
		{"1", "1.0000000000"},
		{"-0.5", "-0.5000000000"},
		{"0.123456789012345678", "0.123456789012345678"},
	} {
		res := &Result{Columns: []Column{{"Cost", TypeNumber}, {"Currency", TypeString}},
			Rows: []ResultRow{{Cost: decimal.MustParse(c.cost), Currency: "USD"}}}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "[["+c.want+",") {
			t.Errorf("%s is written %s, want %s", c.cost, b, c.want)
		}
	}
}

// TestQueryAndRoleErrorsQuoteABoundedPrefix: a 900 KB dimension, filter,
// granularity or role is not echoed back whole (issue 8 §9).
func TestQueryAndRoleErrorsQuoteABoundedPrefix(t *testing.T) {
	huge := strings.Repeat("x", 900_000)
	for name, err := range map[string]error{
		"dimension":   func() error { _, err := ParseDimension(huge); return err }(),
		"granularity": (&Query{Granularity: Granularity(huge), Type: CostActual}).Validate(),
		"filter":      func() error { _, err := (QuerySpec{Filters: []string{huge}}).Build(time.Time{}); return err }(),
		"from":        func() error { _, err := (QuerySpec{From: huge}).Build(time.Time{}); return err }(),
		"role":        func() error { _, err := ParseRole(huge); return err }(),
	} {
		if err == nil || len(err.Error()) > 1000 {
			t.Errorf("%s: an error of %d bytes, want a bounded one", name, len(fmt.Sprint(err)))
		}
	}
}
