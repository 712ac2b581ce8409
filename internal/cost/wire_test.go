package cost

import (
	"encoding/json"
	"strings"
	"testing"

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
