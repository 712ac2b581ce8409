package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// FuzzBudgetBody feeds any bytes to the budget bodies of both doors, as
// the handlers read them: a body is refused with a code, or becomes a
// budget that Validate passes and that survives its JSON, never a panic.
func FuzzBudgetBody(f *testing.F) {
	f.Add([]byte(`{"scope":"mg/root","name":"b1","amount":"100","timeGrain":"Monthly","startDate":"2026-11-01",` +
		`"notifications":[{"operator":"GreaterThan","threshold":80,"contactEmails":["a@example.com"]}]}`))
	f.Add([]byte(`{"properties":{"category":"Cost","amount":100.65,"timeGrain":"Quarterly","timePeriod":{"startDate":"2026-10-01T00:00:00Z"},` +
		`"filter":{"and":[{"dimensions":{"name":"ServiceName","operator":"In","values":["EC2"]}},{"tags":{"name":"env","operator":"In","values":["prod"]}}]},` +
		`"notifications":{"Actual_GreaterThan_80_Percent":{"enabled":true,"operator":"GreaterThan","threshold":80,"contactRoles":["Owner"]}}}}`))
	f.Add([]byte(`{"amount":"1e400","notifications":[{"threshold":"NaN"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(b cost.Budget) {
			b.Scope, b.Currency, b.ID = cost.RootGroup, "USD", cost.NewBudgetID()
			if b.Validate() != nil {
				return
			}
			out, err := json.Marshal(b)
			if err != nil {
				t.Fatalf("a valid budget does not marshal: %v", err)
			}
			var back cost.Budget
			if err := json.Unmarshal(out, &back); err != nil || back.Amount.Cmp(b.Amount) != 0 || len(back.Notifications) != len(b.Notifications) {
				t.Fatalf("a valid budget reads back as %+v (%v) from %s", back, err, out)
			}
		}
		var req budgetRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&req) == nil {
			b := cost.Budget{Created: time.Unix(0, 0)}
			if _, err := req.apply(&b); err == nil {
				check(b)
			}
		}
		var az azureBudget
		if json.Unmarshal(body, &az) == nil {
			var b cost.Budget
			if az.Properties.into(&b) == nil {
				check(b)
			}
		}
	})
}
