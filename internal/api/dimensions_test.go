package api

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// The hierarchy of the dimension tests: two payers with two accounts each;
// account 1 in mg/eu-prod below mg/eu, account 2 in mg/eu, account 3 in
// mg/us, account 4 at the root; mg/empty has nothing.
var (
	dimAccounts = []string{"000000000001", "000000000002", "000000000003", "000000000004"}
	dimParent   = map[string]string{
		"mg/eu": "mg/root", "mg/eu-prod": "mg/eu", "mg/us": "mg/root", "mg/empty": "mg/root",
		"aws/accounts/000000000001": "mg/eu-prod", "aws/accounts/000000000002": "mg/eu",
		"aws/accounts/000000000003": "mg/us", "aws/accounts/000000000004": "mg/root",
	}
	dimPayer = map[string]string{
		"000000000001": "900000000001", "000000000002": "900000000001",
		"000000000003": "900000000002", "000000000004": "900000000002",
	}
)

// sliceRows is a cost.RowSource over a slice.
type sliceRows []*cost.Row

func (s *sliceRows) Next() (*cost.Row, error) {
	if len(*s) == 0 {
		return nil, io.EOF
	}
	r := (*s)[0]
	*s = (*s)[1:]
	return r, nil
}

// dimRows are rows over October and November 2026, one a day and account
// per hour slot, with values each account alone has: a service, a region,
// resources and a tag key named after it. The source leaves account names
// empty: the catalog fills them.
func dimRows(seed uint64) []*cost.Row {
	r := rand.New(rand.NewPCG(seed, 9))
	var out []*cost.Row
	for _, period := range []time.Time{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)} {
		days := period.AddDate(0, 1, -1).Day()
		for day := range days {
			for i, acct := range dimAccounts {
				start := period.AddDate(0, 0, day).Add(time.Duration(r.IntN(24)) * time.Hour)
				row := &cost.Row{
					ProviderName: "AWS", BillingAccountID: dimPayer[acct], SubAccountID: acct,
					BillingPeriodStart: period, BillingPeriodEnd: period.AddDate(0, 1, 0),
					ChargePeriodStart: start, ChargePeriodEnd: start.Add(time.Hour), ChargeCategory: cost.ChargeUsage,
					ChargeDescription: fmt.Sprintf("$0.%d per hour", r.IntN(3)), BillingCurrency: "USD",
					ServiceName: []string{"Amazon EC2", "Amazon S3", "Service of " + acct}[r.IntN(3)],
					RegionID:    []string{"us-east-1", "eu-west-1", "region-" + acct}[r.IntN(3)],
					ServiceCode: "Code" + fmt.Sprint(i), LineItemType: "Usage",
				}
				if r.IntN(3) > 0 {
					row.ResourceID = fmt.Sprintf("arn:aws:ec2:::instance/i-%s-%d", acct, r.IntN(5))
				}
				if k := r.IntN(3); k > 0 {
					row.Tags = append(row.Tags, cost.Tag{Key: "Environment", Value: []string{"", "prod", "dev"}[k]})
				}
				if r.IntN(2) == 0 {
					row.Tags = append(row.Tags, cost.Tag{Key: "owner-" + acct, Value: "team-" + acct})
				}
				row.BilledCost = decimal.MustParse(fmt.Sprintf("%d.%018d", r.IntN(100), r.Int64N(1e18)))
				row.EffectiveCost, row.ListCost, row.UnblendedCost, row.BlendedCost = row.BilledCost, row.BilledCost, row.BilledCost, row.BilledCost
				out = append(out, row)
			}
		}
	}
	return out
}

// dimHarness is a server over dimRows and the hierarchy above.
func dimHarness(t *testing.T) (*harness, []*cost.Row) {
	t.Helper()
	h := newHarness(t)
	list := dimRows(5)
	src := sliceRows(slices.Clone(list))
	if _, err := h.store.ReplacePeriods(context.Background(), cost.Load{Source: "test", Version: "v"}, &src); err != nil {
		t.Fatal(err)
	}
	change(t, h.store, func(ctx context.Context, tx cost.CatalogTx) {
		for _, g := range []string{"mg/eu", "mg/eu-prod", "mg/us", "mg/empty"} {
			must(t, cost.AddScope(ctx, tx, cost.Scope{ID: cost.ScopeID(g), Name: g, Group: cost.ScopeID(dimParent[g])}))
		}
		for _, p := range []string{"900000000001", "900000000002"} {
			must(t, cost.AddScope(ctx, tx, cost.Scope{ID: cost.ScopeID("aws/billing/" + p), Name: "Payer " + p[len(p)-1:]}))
			must(t, tx.AddAssignment(ctx, cost.Assignment{User: AdminUser, Role: cost.RoleOwner, Scope: cost.ScopeID("aws/billing/" + p)}))
		}
		for _, a := range dimAccounts {
			id := "aws/accounts/" + a
			must(t, cost.AddScope(ctx, tx, cost.Scope{ID: cost.ScopeID(id), Name: "Account " + a[len(a)-1:],
				Group: cost.ScopeID(dimParent[id]), BillingAccount: cost.ScopeID("aws/billing/" + dimPayer[a])}))
		}
	})
	return h, list
}

// dimValue is a row's value as the API lists it: account names come
// from the catalog.
func dimValue(r *cost.Row, d cost.Dimension) string {
	switch d.Column {
	case "SubAccountName":
		return "Account " + r.SubAccountID[len(r.SubAccountID)-1:]
	case "BillingAccountName":
		return "Payer " + r.BillingAccountID[len(r.BillingAccountID)-1:]
	}
	return r.Value(d)
}

// inView reports whether a scope's view covers a row, from the hierarchy
// above rather than the catalog's code.
func inView(scope string, r *cost.Row) bool {
	if payer, ok := strings.CutPrefix(scope, "aws/billing/"); ok {
		return r.BillingAccountID == payer
	}
	for s := "aws/accounts/" + r.SubAccountID; s != ""; s = dimParent[s] {
		if s == scope {
			return true
		}
	}
	return false
}

// expectList is a dimension's values in the rows keep keeps, as the API
// documents them.
func expectList(list []*cost.Row, keep func(*cost.Row) bool, d cost.Dimension, search string, limit int) cost.ValueList {
	sums := map[[2]string]decimal.Decimal{}
	for _, r := range list {
		if v := dimValue(r, d); keep(r) && strings.Contains(strings.ToLower(v), strings.ToLower(search)) {
			sums[[2]string{v, r.BillingCurrency}] = sums[[2]string{v, r.BillingCurrency}].Add(r.BilledCost)
		}
	}
	out := cost.ValueList{Name: d.Name(), Count: len(sums), Values: []cost.DimensionValue{}}
	for k, sum := range sums {
		out.Values = append(out.Values, cost.DimensionValue{Value: k[0], Currency: k[1], Cost: sum})
	}
	slices.SortFunc(out.Values, func(a, b cost.DimensionValue) int {
		return cmp.Or(b.Cost.Cmp(a.Cost), strings.Compare(a.Value, b.Value), strings.Compare(a.Currency, b.Currency))
	})
	if len(out.Values) > limit {
		out.Values, out.More = out.Values[:limit], true
	}
	return out
}

func diffList(got, want cost.ValueList) string {
	if got.Name != want.Name || got.Count != want.Count || got.More != want.More || len(got.Values) != len(want.Values) {
		return fmt.Sprintf("%s: count %d, more %v, %d values; want %s: count %d, more %v, %d values",
			got.Name, got.Count, got.More, len(got.Values), want.Name, want.Count, want.More, len(want.Values))
	}
	for i, v := range got.Values {
		if w := want.Values[i]; v.Value != w.Value || v.Currency != w.Currency || v.Cost.Cmp(w.Cost) != 0 {
			return fmt.Sprintf("%s value %d: %q %s %s, want %q %s %s", got.Name, i, v.Value, v.Cost, v.Currency, w.Value, w.Cost, w.Currency)
		}
	}
	return ""
}

// listValues calls GET /api/v1/dimensions.
func (h *harness) listValues(token string, params url.Values) (DimensionsAnswer, ErrorBody, int) {
	h.t.Helper()
	var (
		ans DimensionsAnswer
		e   ErrorBody
	)
	status := h.do(token, "GET", "/api/v1/dimensions?"+params.Encode(), nil, &ans)
	if status != 200 {
		h.do(token, "GET", "/api/v1/dimensions?"+params.Encode(), nil, &e)
	}
	return ans, e, status
}

func parseDim(t *testing.T, name string) cost.Dimension {
	t.Helper()
	d, err := cost.ParseDimension(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDimensionsListTheScopesValuesExactly(t *testing.T) {
	h, list := dimHarness(t)
	nov, today := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	monthToDate := func(r *cost.Row) bool { return !r.ChargePeriodStart.Before(nov) && r.ChargePeriodStart.Before(today) }
	october := func(r *cost.Row) bool { return r.ChargePeriodStart.Month() == time.October }
	tests := []struct {
		name           string
		params         url.Values
		from, to       string
		keep           func(*cost.Row) bool
		dims           []string
		search         string
		limit          int
		tagKeys        bool
		wantTagKeysLen int
	}{
		{"by default every dimension of the month to date, 100 values each, and the tag keys",
			url.Values{"scope": {"mg/root"}}, "2026-11-01", "2026-11-26", monthToDate, cost.Dimensions, "", 100, true, 5},
		{"a group's values come from its accounts' rows, names from the catalog",
			url.Values{"scope": {"mg/eu"}, "from": {"2026-10-01"}, "to": {"2026-11-01"}, "dimension": {"SubAccountName", "BillingAccountName", "RegionId"}},
			"2026-10-01", "2026-11-01", func(r *cost.Row) bool { return october(r) && inView("mg/eu", r) },
			[]string{"SubAccountName", "BillingAccountName", "RegionId"}, "", 100, false, 0},
		{"search keeps values containing the text in any case",
			url.Values{"scope": {"aws/billing/900000000002"}, "search": {"Ec2"}, "dimension": {"ServiceName", "ResourceId"}},
			"2026-11-01", "2026-11-26", func(r *cost.Row) bool { return monthToDate(r) && inView("aws/billing/900000000002", r) },
			[]string{"ServiceName", "ResourceId"}, "Ec2", 100, false, 0},
		{"limit keeps the largest and says more exist",
			url.Values{"scope": {"mg/root"}, "limit": {"2"}, "from": {"2026-10-15"}, "dimension": {"ResourceId", "ChargeDescription", "tag:Environment"}},
			"2026-10-15", "2026-11-26", func(r *cost.Row) bool {
				return !r.ChargePeriodStart.Before(nov.AddDate(0, 0, -17)) && r.ChargePeriodStart.Before(today)
			},
			[]string{"ResourceId", "ChargeDescription", "tag:Environment"}, "", 2, false, 0},
		{"a tag key's values, with the untagged rows as the empty value",
			url.Values{"scope": {"aws/accounts/000000000003"}, "to": {"2026-11-01"}, "dimension": {"tag:owner-000000000003"}},
			"2026-10-01", "2026-11-01", func(r *cost.Row) bool { return october(r) && r.SubAccountID == "000000000003" },
			[]string{"tag:owner-000000000003"}, "", 100, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, e, status := h.listValues(h.admin, tt.params)
			if status != 200 {
				t.Fatalf("%d %+v", status, e)
			}
			if ans.Scope != cost.ScopeID(tt.params.Get("scope")) || ans.From != tt.from || ans.To != tt.to || ans.Type != cost.CostActual {
				t.Errorf("answer for %s %s..%s %s, want %s %s..%s actual", ans.Scope, ans.From, ans.To, ans.Type, tt.params.Get("scope"), tt.from, tt.to)
			}
			if len(ans.Dimensions) != len(tt.dims) {
				t.Fatalf("%d dimensions, want %d", len(ans.Dimensions), len(tt.dims))
			}
			for i, name := range tt.dims {
				want := expectList(list, tt.keep, parseDim(t, name), tt.search, tt.limit)
				if diff := diffList(ans.Dimensions[i], want); diff != "" {
					t.Error(diff)
				}
				if len(want.Values) == 0 {
					t.Errorf("%s: the test expects no values; make the data richer", name)
				}
			}
			if tt.tagKeys != (ans.TagKeys != nil) || tt.tagKeys && len(ans.TagKeys.Keys) != tt.wantTagKeysLen {
				t.Errorf("tag keys %+v, want %d", ans.TagKeys, tt.wantTagKeysLen)
			}
		})
	}
}

func TestDimensionsAnswerCostsAsExactNumbers(t *testing.T) {
	h, list := dimHarness(t)
	sum := decimal.Zero
	for _, r := range list {
		if r.SubAccountID == "000000000004" && r.ChargePeriodStart.Month() == time.October {
			sum = sum.Add(r.BilledCost)
		}
	}
	path := "/api/v1/dimensions?scope=aws/accounts/000000000004&from=2026-10-01&to=2026-11-01&dimension=ProviderName"
	h.do(h.admin, "GET", path, nil, nil)
	want := `"values": [
        {
          "value": "AWS",
          "cost": ` + string(sum.Append(nil, cost.CostDecimals)) + `,
          "currency": "USD"
        }
      ],
      "count": 1,
      "more": false`
	if !strings.Contains(h.seen.String(), want) {
		t.Errorf("the answer\n%s\nlacks\n%s", h.seen.String(), want)
	}
}

func TestDimensionsOfAnEmptyGroupAreEmpty(t *testing.T) {
	h, _ := dimHarness(t)
	ans, e, status := h.listValues(h.admin, url.Values{"scope": {"mg/empty"}})
	if status != 200 || len(ans.Dimensions) != len(cost.Dimensions) || ans.TagKeys == nil || len(ans.TagKeys.Keys) != 0 {
		t.Fatalf("%d %+v %+v", status, e, ans)
	}
	for _, l := range ans.Dimensions {
		if len(l.Values) != 0 || l.Count != 0 || l.More {
			t.Errorf("%s: %+v, want no values", l.Name, l)
		}
	}
}
