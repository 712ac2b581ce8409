package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/focusfile"
)

// armScopePath is the Azure Resource Manager path of a Reckon scope.
func armScopePath(scope string) string {
	kind, key, _ := strings.Cut(scope, "/")
	switch kind {
	case "mg":
		return "/providers/Microsoft.Management/managementGroups/" + key
	case "aws":
		rest, id, _ := strings.Cut(key, "/")
		if rest == "billing" {
			return "/providers/Microsoft.CostManagement/externalBillingAccounts/" + id
		}
		return "/providers/Microsoft.CostManagement/externalSubscriptions/" + id
	}
	panic(scope)
}

// TestNoDoorShowsARowOutsideTheCallersScopes is the access property of
// issue 9: random users, each Reader on one random scope, send random
// queries (random filters, groupings and pages) to random scopes through
// every door: the JSON answer followed through its pages, the CSV export,
// the Azure door, the dimensions API, the forecast and the FOCUS export. Every account an
// answer shows lies in the scope's view, every total is the oracle's sum
// of the accounts the filter keeps there, and a scope the user may not
// read answers 403 at every door.
func TestNoDoorShowsARowOutsideTheCallersScopes(t *testing.T) {
	o := newOrganisation(t)
	h := o.h
	accounts := o.accounts
	// The oracle: the tree is mg/root > {mg/prod > accounts[:2], mg/dev > accounts[2:]};
	// the billing account is outside it and covers the whole bill.
	below := map[string][]string{"mg/root": accounts, "mg/prod": accounts[:2], "mg/dev": accounts[2:],
		"aws/billing/012345678901": accounts}
	parent := map[string]string{"mg/prod": "mg/root", "mg/dev": "mg/root"}
	for i, a := range accounts {
		below["aws/accounts/"+a] = []string{a}
		parent["aws/accounts/"+a] = map[bool]string{true: "mg/prod", false: "mg/dev"}[i < 2]
	}
	scopes := make([]string, 0, len(below))
	for s := range below {
		scopes = append(scopes, s)
	}
	slices.Sort(scopes)
	readable := func(grant, scope string) bool {
		for s := scope; s != ""; s = parent[s] {
			if s == grant {
				return true
			}
		}
		return false
	}
	rng := rand.New(rand.NewPCG(4, 2))
	checked, denied := 0, 0
	for u := range 6 {
		user, grant := fmt.Sprintf("user%d", u), scopes[rng.IntN(len(scopes))]
		h.do(h.admin, "POST", "/api/v1/users", map[string]string{"name": user}, nil)
		h.do(h.admin, "POST", "/api/v1/roleAssignments", map[string]string{"user": user, "role": "Reader", "scope": grant}, nil)
		if grant == "aws/billing/012345678901" { // the admin is not Owner of it through mg/root
			change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
				must(t, tx.AddAssignment(ctx, cost.Assignment{User: user, Role: cost.RoleReader, Scope: cost.ScopeID(grant)}))
			})
		}
		var tok tokenView
		h.do(h.admin, "POST", "/api/v1/users/"+user+"/tokens", nil, &tok)
		for range 6 {
			scope := scopes[rng.IntN(len(scopes))]
			keep := map[string]bool{}
			var inFilter []string
			for _, a := range accounts {
				if rng.IntN(2) == 0 {
					inFilter = append(inFilter, a)
				}
			}
			filter := ""
			if len(inFilter) > 0 && rng.IntN(3) > 0 {
				filter = "SubAccountId in (" + strings.Join(inFilter, ", ") + ") or not (SubAccountId not in (" + inFilter[0] + "))"
			} else {
				inFilter = accounts
			}
			want := decimal.Zero
			for _, a := range below[scope] {
				if slices.Contains(inFilter, a) {
					keep[a] = true
					want = want.Add(decimal.MustParse(o.want.ByAccount[a].BilledCost))
				}
			}
			doors := accessDoors(h, tok.Token, scope, filter)
			if !readable(grant, scope) {
				for name, door := range doors {
					if status, _, _ := door(); status != 403 {
						t.Errorf("%s (Reader on %s) on %s through %s: %d, want 403", user, grant, scope, name, status)
					}
				}
				denied++
				continue
			}
			for name, door := range doors {
				status, seen, total := door()
				if status != 200 {
					t.Fatalf("%s on %s through %s: %d", user, scope, name, status)
				}
				allowed := keep
				if name == "the Azure door" || name == "the dimensions API" || name == "the FOCUS export" { // asked without the filter
					allowed = map[string]bool{}
					for _, a := range below[scope] {
						allowed[a] = true
					}
				}
				for _, a := range seen {
					if !allowed[a] {
						t.Errorf("%s (Reader on %s) on %s through %s saw account %s, outside %v", user, grant, scope, name, a, allowed)
					}
				}
				if total != nil && total.Cmp(want) != 0 {
					t.Errorf("%s on %s through %s: total %s, want %s", user, scope, name, total, want)
				}
			}
			checked++
		}
	}
	t.Logf("%d allowed and %d denied (user, scope) pairs, each through every door", checked, denied)
	if checked < 5 || denied < 5 {
		t.Fatalf("only %d allowed and %d denied queries: the property says little", checked, denied)
	}
}

// door asks one door and returns the status, the accounts the answer
// shows, and its total when the door gives one.
type door func() (status int, accounts []string, total *decimal.Decimal)

func accessDoors(h *harness, token, scope, filter string) map[string]door {
	body := map[string]any{"scope": scope, "groupBy": []string{"SubAccountId", "ServiceName"}, "filter": filter, "pageSize": 3}
	return map[string]door{
		"the JSON answer and its pages": func() (int, []string, *decimal.Decimal) {
			var seen []string
			total := decimal.Zero
			for link := "/api/v1/query"; link != ""; {
				var page cost.Result
				if status := h.do(token, "POST", strings.TrimPrefix(link, h.srv.URL), body, &page); status != 200 {
					return status, nil, nil
				}
				for _, row := range page.Rows {
					seen, total = append(seen, row.Groups[0]), total.Add(row.Cost)
				}
				link = page.NextLink
			}
			return 200, seen, &total
		},
		"the CSV export": func() (int, []string, *decimal.Decimal) {
			b, _ := json.Marshal(map[string]any{"scope": scope, "groupBy": []string{"SubAccountId"}, "filter": filter})
			req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/query", strings.NewReader(string(b)))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", "text/csv")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				h.t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				return resp.StatusCode, nil, nil
			}
			var seen []string
			total := decimal.Zero
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
				f := strings.Split(line, ",")
				seen, total = append(seen, f[2]), total.Add(decimal.MustParse(f[0]))
			}
			return 200, seen, &total
		},
		"the Azure door": func() (int, []string, *decimal.Decimal) {
			az := map[string]any{"type": "ActualCost", "timeframe": "Custom",
				"timePeriod": map[string]string{"from": "2026-10-01T00:00:00Z", "to": "2026-11-30T00:00:00Z"},
				"dataset": map[string]any{"granularity": "None", "aggregation": map[string]any{"totalCost": map[string]string{"name": "Cost", "function": "Sum"}},
					"grouping": []map[string]string{{"type": "Dimension", "name": "SubscriptionId"}}}}
			var res struct {
				Properties struct {
					Columns []cost.Column       `json:"columns"`
					Rows    [][]json.RawMessage `json:"rows"`
				} `json:"properties"`
			}
			if status := h.do(token, "POST", armScopePath(scope)+"/providers/Microsoft.CostManagement/query?api-version=2023-03-01", az, &res); status != 200 {
				return status, nil, nil
			}
			var seen []string
			for _, row := range res.Properties.Rows {
				for i, c := range res.Properties.Columns {
					if c.Name == "SubscriptionId" {
						var a string
						json.Unmarshal(row[i], &a) //nolint:errcheck
						seen = append(seen, a)
					}
				}
			}
			return 200, seen, nil
		},
		"the dimensions API": func() (int, []string, *decimal.Decimal) {
			var res struct {
				Dimensions []cost.ValueList `json:"dimensions"`
			}
			status := h.do(token, "GET", "/api/v1/dimensions?scope="+scope+"&from=2026-10-01&to=2026-12-01&dimension=SubAccountId", nil, &res)
			var seen []string
			for _, d := range res.Dimensions {
				for _, v := range d.Values {
					seen = append(seen, v.Value)
				}
			}
			return status, seen, nil
		},
		"the FOCUS export": func() (int, []string, *decimal.Decimal) {
			status, _, body := h.get(token, "/api/v1/export?format=focus-csv&scope="+scope)
			if status != 200 {
				return status, nil, nil
			}
			rd, err := focusfile.NewReader(strings.NewReader(string(body)), "export.csv")
			if err != nil {
				h.t.Fatal(err)
			}
			var seen []string
			for {
				r, err := rd.Next()
				if errors.Is(err, io.EOF) {
					return 200, seen, nil
				}
				if err != nil {
					h.t.Fatal(err)
				}
				seen = append(seen, strings.Clone(r.SubAccountID)) // the row aliases the reader's buffer
			}
		},
		"the forecast": func() (int, []string, *decimal.Decimal) {
			return h.do(token, "POST", "/api/v1/forecast", map[string]any{"scope": scope, "filter": filter}, nil), nil, nil
		},
	}
}
