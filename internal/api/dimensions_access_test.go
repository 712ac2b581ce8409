package api

import (
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// canRead reports whether a Reader on held may read scope, from the
// hierarchy of the test rather than the catalog's code: the scope itself,
// or anything below a group; a billing account only itself.
func canRead(held, scope string) bool {
	for s := scope; s != ""; s = dimParent[s] {
		if s == held {
			return true
		}
	}
	return false
}

// Random users, each a Reader on one linked account, group or billing
// account, ask for the values of random scopes. Each answer is 403 when
// the scope is not theirs to read; otherwise every list is exactly the one
// computed from the rows the scope covers, all of them rows the user may
// read, and no tag key of another account's rows appears.
func TestDimensionsNeverRevealValuesOutsideTheCallersScopes(t *testing.T) {
	h, list := dimHarness(t)
	r := rand.New(rand.NewPCG(11, 12))
	holdable := []string{"mg/root", "mg/eu", "mg/eu-prod", "mg/us", "mg/empty", "aws/billing/900000000001", "aws/billing/900000000002"}
	for _, a := range dimAccounts {
		holdable = append(holdable, "aws/accounts/"+a)
	}
	every := slices.Clone(cost.Dimensions)
	for _, a := range dimAccounts {
		every = append(every, "tag:owner-"+a)
	}
	every = append(every, "tag:Environment")
	checked := 0
	for u := range 12 {
		held := holdable[1+r.IntN(len(holdable)-1)] // any but the root
		user := "user" + string(rune('a'+u))
		h.do(h.admin, "POST", "/api/v1/users", map[string]string{"name": user}, nil)
		if got := h.do(h.admin, "POST", "/api/v1/roleAssignments", map[string]string{"user": user, "role": "Reader", "scope": held}, nil); got != 201 {
			t.Fatalf("assign %s Reader on %s: %d", user, held, got)
		}
		var tok tokenView
		h.do(h.admin, "POST", "/api/v1/users/"+user+"/tokens", nil, &tok)
		for range 3 {
			scope := holdable[r.IntN(len(holdable))]
			params := url.Values{"scope": {scope}, "from": {"2026-10-01"}, "to": {"2026-12-01"}, "limit": {"1000"}}
			if r.IntN(2) == 0 {
				params["dimension"] = every // every column and tag, else the default with the tag keys
			}
			ans, e, status := h.listValues(tok.Token, params)
			if !canRead(held, scope) {
				if status != 403 || len(ans.Dimensions) != 0 {
					t.Errorf("%s (Reader on %s) lists %s: %d %+v, want 403", user, held, scope, status, e)
				}
				continue
			}
			if status != 200 {
				t.Fatalf("%s (Reader on %s) lists %s: %d %+v", user, held, scope, status, e)
			}
			checked++
			keep := func(row *cost.Row) bool { return inView(scope, row) }
			for _, l := range ans.Dimensions {
				d := parseDim(t, l.Name)
				if diff := diffList(l, expectList(list, keep, d, "", 1000)); diff != "" {
					t.Errorf("%s (Reader on %s) lists %s: %s", user, held, scope, diff)
				}
				for _, v := range l.Values {
					if !slices.ContainsFunc(list, func(row *cost.Row) bool { return inView(held, row) && dimValue(row, d) == v.Value }) {
						t.Errorf("%s (Reader on %s) sees %s = %q, which none of their rows has", user, held, l.Name, v.Value)
					}
				}
			}
			if ans.TagKeys != nil {
				for _, k := range ans.TagKeys.Keys {
					owner, ok := strings.CutPrefix(k.Key, "owner-")
					if ok && !slices.ContainsFunc(list, func(row *cost.Row) bool { return row.SubAccountID == owner && inView(scope, row) }) {
						t.Errorf("%s (Reader on %s) lists %s and sees the tag key %s", user, held, scope, k.Key)
					}
				}
			}
		}
	}
	if checked < 6 {
		t.Errorf("only %d answers were checked; draw more", checked)
	}
}

func TestDimensionsRefuseBadInputPrecisely(t *testing.T) {
	h, _ := dimHarness(t)
	for _, tt := range []struct {
		name   string
		params url.Values
		status int
		want   string
	}{
		{"no scope", url.Values{}, 400, "give ?scope="},
		{"an unknown dimension lists the valid ones", url.Values{"scope": {"mg/root"}, "dimension": {"Colour"}}, 400,
			`unknown dimension "Colour": use one of ProviderName, PublisherName,`},
		{"a tag without a key", url.Values{"scope": {"mg/root"}, "dimension": {"tag:"}}, 400, "has no key: write tag:KEY"},
		{"a tag key with a quote", url.Values{"scope": {"mg/root"}, "dimension": {`tag:a"b`}}, 400, "contains a quote"},
		{"a dimension twice", url.Values{"scope": {"mg/root"}, "dimension": {"RegionId", "regionid"}}, 400, `"RegionId" is asked for twice`},
		{"a bad from", url.Values{"scope": {"mg/root"}, "from": {"2026-13-01"}}, 400, `from "2026-13-01": write a day as YYYY-MM-DD`},
		{"a bad to", url.Values{"scope": {"mg/root"}, "to": {"tomorrow"}}, 400, `to "tomorrow": write a day as YYYY-MM-DD`},
		{"to before from", url.Values{"scope": {"mg/root"}, "from": {"2026-11-10"}, "to": {"2026-11-01"}}, 400,
			"the range is empty: from 2026-11-10 is not before to 2026-11-01"},
		{"a from after today with no to", url.Values{"scope": {"mg/root"}, "from": {"2026-12-01"}}, 400,
			"from 2026-12-01 is not before to 2026-11-26"},
		{"a timeframe and dates", url.Values{"scope": {"mg/root"}, "timeframe": {"TheLastMonth"}, "from": {"2026-10-01"}}, 400,
			"give a timeframe or from and to, not both"},
		{"an unknown timeframe", url.Values{"scope": {"mg/root"}, "timeframe": {"Forever"}}, 400, `unknown timeframe "Forever"`},
		{"a bad cost type", url.Values{"scope": {"mg/root"}, "type": {"blended"}}, 400, `cost type "blended" is not one of`},
		{"a limit of 0", url.Values{"scope": {"mg/root"}, "limit": {"0"}}, 400, `limit "0": give a whole number from 1 to 1000`},
		{"a limit past the most", url.Values{"scope": {"mg/root"}, "limit": {"1001"}}, 400, "from 1 to 1000"},
		{"a limit that is not a number", url.Values{"scope": {"mg/root"}, "limit": {"ten"}}, 400, `limit "ten"`},
		{"a long search", url.Values{"scope": {"mg/root"}, "search": {strings.Repeat("x", 300)}}, 400, "300 characters; the most is 256"},
		{"an unknown parameter", url.Values{"scope": {"mg/root"}, "dimensions": {"RegionId"}}, 400,
			`unknown parameter "dimensions": use scope, from, to, timeframe, type, search, limit, dimension`},
		{"a parameter twice", url.Values{"scope": {"mg/root", "mg/eu"}}, 400, "scope is given 2 times"},
		{"a bad scope", url.Values{"scope": {"nowhere"}}, 400, `"nowhere"`},
		// As on every door: whether a scope exists is not told to whom may not read it.
		{"an unknown scope", url.Values{"scope": {"mg/nowhere"}}, 403, "admin may not read mg/nowhere"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, e, status := h.listValues(h.admin, tt.params)
			if status != tt.status || !strings.Contains(e.Error.Message, tt.want) {
				t.Errorf("%d %q, want %d saying %q", status, e.Error.Message, tt.status, tt.want)
			}
		})
	}
}
