package duckstore

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// valueRows are n rows over August and September 2026 on four accounts of
// two payers, with services, regions, resources, descriptions and tags
// drawn at random; each account has a tag key of its own (owner-<acct>)
// and account 4 is billed in EUR. Costs have 18 decimal places.
func valueRows(seed uint64, n int) []*cost.Row {
	r := rand.New(rand.NewPCG(seed, 1))
	accounts := []string{"000000000001", "000000000002", "000000000003", "000000000004"}
	var out []*cost.Row
	for _, period := range []time.Time{month(2026, 8), month(2026, 9)} {
		for i, row := range makeRows(period, n/2, "1", accounts...) {
			acct := accounts[i%len(accounts)]
			row.BillingAccountID = []string{"900000000001", "900000000002"}[i%len(accounts)/2]
			row.SubAccountName = "Account " + acct[len(acct)-1:]
			row.ServiceName = []string{"Amazon EC2", "Amazon S3", "AWS Lambda", "Amazon RDS", "amazon s3 glacier"}[r.IntN(5)]
			row.RegionID = []string{"us-east-1", "eu-west-1", "ap-south-1", ""}[r.IntN(4)]
			row.ResourceID = ""
			if r.IntN(3) > 0 {
				row.ResourceID = fmt.Sprintf("arn:aws:ec2:%s:instance/i-%s-%d", row.RegionID, acct, r.IntN(8))
			}
			row.ChargeDescription = fmt.Sprintf("$0.%d per hour", r.IntN(4))
			row.Tags = nil
			if k := r.IntN(4); k > 0 {
				row.Tags = append(row.Tags, cost.Tag{Key: "Environment", Value: []string{"", "prod", "dev", "Prod"}[k]})
			}
			if r.IntN(2) == 0 {
				row.Tags = append(row.Tags, cost.Tag{Key: "owner-" + acct, Value: "team-" + acct})
			}
			if acct == "000000000004" {
				row.BillingCurrency = "EUR"
			}
			row.BilledCost = decimal.MustParse(fmt.Sprintf("%d.%018d", r.IntN(50), r.Int64N(1e18)))
			row.EffectiveCost = row.BilledCost.Add(decimal.MustParse("0.5"))
			row.UnblendedCost, row.ListCost, row.BlendedCost = row.BilledCost, row.BilledCost, row.BilledCost
			out = append(out, row)
		}
	}
	return out
}

// expectValues lists a dimension's values in the rows keep keeps, as
// Values documents them: per value and currency, from the largest cost,
// then by value and currency; at most limit, with the count of all.
func expectValues(list []*cost.Row, keep func(*cost.Row) bool, d cost.Dimension, search string, limit int,
	amount func(*cost.Row) decimal.Decimal) cost.ValueList {
	sums := map[[2]string]decimal.Decimal{}
	for _, r := range list {
		v := r.Value(d)
		if keep(r) && strings.Contains(strings.ToLower(v), strings.ToLower(search)) {
			k := [2]string{v, r.BillingCurrency}
			sums[k] = sums[k].Add(amount(r))
		}
	}
	out := cost.ValueList{Name: d.Name(), Count: len(sums)}
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

func billed(r *cost.Row) decimal.Decimal { return r.BilledCost }

// sameList reports the first difference between two value lists, or "".
func sameList(got, want cost.ValueList) string {
	if got.Name != want.Name || got.Count != want.Count || got.More != want.More || len(got.Values) != len(want.Values) {
		return fmt.Sprintf("%s: count %d, more %v, %d values; want %s: count %d, more %v, %d values",
			got.Name, got.Count, got.More, len(got.Values), want.Name, want.Count, want.More, len(want.Values))
	}
	for i, v := range got.Values {
		w := want.Values[i]
		if v.Value != w.Value || v.Currency != w.Currency || v.Cost.Cmp(w.Cost) != 0 {
			return fmt.Sprintf("%s value %d: %q %s %s, want %q %s %s", got.Name, i, v.Value, v.Cost, v.Currency, w.Value, w.Cost, w.Currency)
		}
	}
	return ""
}

func allDimensions() []cost.Dimension {
	var out []cost.Dimension
	for _, name := range cost.Dimensions {
		out = append(out, dim(name))
	}
	return append(out, dim("tag:Environment"), dim("tag:owner-000000000002"), dim("tag:absent"))
}

func TestValuesListEveryDimensionExactly(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	list := valueRows(1, 2000)
	load(t, s, "src", "v", list)
	aug, sep := month(2026, 8), month(2026, 9)
	inAug := func(r *cost.Row) bool { return !r.ChargePeriodStart.Before(aug) && r.ChargePeriodStart.Before(sep) }
	tests := []struct {
		name   string
		q      cost.Query
		search string
		limit  int
		keep   func(*cost.Row) bool
		amount func(*cost.Row) decimal.Decimal
	}{
		{"every value of August, actual cost", cost.Query{From: aug, To: sep}, "", 1000, inAug, billed},
		{"the three largest values", cost.Query{From: aug, To: sep}, "", 3, inAug, billed},
		{"values containing s3 in any case", cost.Query{From: aug, To: sep}, "S3", 1000, inAug, billed},
		{"amortized cost sums EffectiveCost", cost.Query{From: aug, To: sep, Type: cost.CostAmortized}, "", 1000, inAug,
			func(r *cost.Row) decimal.Decimal { return r.EffectiveCost }},
		{"a view on one account", cost.Query{View: []cost.Filter{{Dimension: dim("SubAccountId"), Values: []string{"000000000002"}}}},
			"", 1000, func(r *cost.Row) bool { return r.SubAccountID == "000000000002" }, billed},
		{"a view on one payer's two accounts, searched", cost.Query{From: sep,
			View: []cost.Filter{{Dimension: dim("BillingAccountId"), Values: []string{"900000000002"}}}}, "0", 5,
			func(r *cost.Row) bool {
				return r.BillingAccountID == "900000000002" && !r.ChargePeriodStart.Before(sep)
			}, billed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Granularity, tt.q.Type = cost.GranularityNone, cmp.Or(tt.q.Type, cost.CostActual)
			vq := cost.ValueQuery{Dimensions: allDimensions(), Search: tt.search, Limit: tt.limit, TagKeys: true}
			got, err := s.Values(context.Background(), &tt.q, vq)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Dimensions) != len(vq.Dimensions) {
				t.Fatalf("%d lists, want %d", len(got.Dimensions), len(vq.Dimensions))
			}
			for i, d := range vq.Dimensions {
				if diff := sameList(got.Dimensions[i], expectValues(list, tt.keep, d, tt.search, tt.limit, tt.amount)); diff != "" {
					t.Error(diff)
				}
			}
		})
	}
}

func TestValuesListTagKeysWithTheirCostAndValues(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	list := valueRows(2, 1000)
	load(t, s, "src", "v", list)
	view := []cost.Filter{{Dimension: dim("SubAccountId"), Values: []string{"000000000001", "000000000004"}}}
	q := cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual, View: view}
	// Independently: per key and currency, the cost of the rows tagged
	// with it and its distinct values, in the two accounts.
	type acc struct {
		sum    decimal.Decimal
		values map[string]bool
	}
	want := map[[2]string]*acc{}
	for _, r := range list {
		if r.SubAccountID != "000000000001" && r.SubAccountID != "000000000004" {
			continue
		}
		for _, tag := range r.Tags {
			k := [2]string{tag.Key, r.BillingCurrency}
			if want[k] == nil {
				want[k] = &acc{values: map[string]bool{}}
			}
			want[k].sum = want[k].sum.Add(r.BilledCost)
			want[k].values[tag.Value] = true
		}
	}
	got, err := s.Values(context.Background(), &q, cost.ValueQuery{TagKeys: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got.TagKeys == nil || got.TagKeys.Count != len(want) || got.TagKeys.More || len(got.TagKeys.Keys) != len(want) {
		t.Fatalf("tag keys %+v, want %d", got.TagKeys, len(want))
	}
	// owner-1 (USD), owner-4 (EUR), Environment in USD and in EUR; never
	// owner-2 or owner-3, which only the other accounts' rows carry.
	for i, k := range got.TagKeys.Keys {
		w := want[[2]string{k.Key, k.Currency}]
		if w == nil || k.Cost.Cmp(w.sum) != 0 || k.Values != len(w.values) {
			t.Errorf("key %d: %+v, want %+v", i, k, w)
		}
		if i > 0 && k.Cost.Cmp(got.TagKeys.Keys[i-1].Cost) > 0 {
			t.Errorf("key %d costs more than the one before it", i)
		}
	}
	got, err = s.Values(context.Background(), &q, cost.ValueQuery{TagKeys: true, Limit: 1, Search: "OWNER"})
	if err != nil {
		t.Fatal(err)
	}
	if k := got.TagKeys; k.Count != 2 || !k.More || len(k.Keys) != 1 || !strings.HasPrefix(k.Keys[0].Key, "owner-") {
		t.Errorf("searching OWNER with limit 1: %+v, want one of the 2 owner keys and more", k)
	}
}

// Random views over the accounts: every list is exactly the one computed
// from the rows the view keeps, so no value comes from another row.
func TestValuesOfARandomViewComeOnlyFromItsRows(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	list := valueRows(3, 800)
	load(t, s, "src", "v", list)
	r := rand.New(rand.NewPCG(3, 3))
	accounts := []string{"000000000001", "000000000002", "000000000003", "000000000004"}
	for range 8 {
		var pick []string
		for _, a := range accounts {
			if r.IntN(2) == 0 {
				pick = append(pick, a)
			}
		}
		if len(pick) == 0 {
			pick = accounts[:1]
		}
		q := cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
			View: []cost.Filter{{Dimension: dim("SubAccountId"), Values: pick}}}
		keep := func(row *cost.Row) bool { return slices.Contains(pick, row.SubAccountID) }
		got, err := s.Values(context.Background(), &q, cost.ValueQuery{Dimensions: allDimensions(), Limit: 1000, TagKeys: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range allDimensions() {
			if diff := sameList(got.Dimensions[i], expectValues(list, keep, d, "", 1000, billed)); diff != "" {
				t.Errorf("view %v: %s", pick, diff)
			}
		}
		for _, k := range got.TagKeys.Keys {
			if owner, ok := strings.CutPrefix(k.Key, "owner-"); ok && !slices.Contains(pick, owner) {
				t.Errorf("view %v lists the tag key %s", pick, k.Key)
			}
		}
	}
}

func TestValuesRefuseWhatTheyCannotList(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	q := cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}
	for _, tt := range []struct {
		name string
		vq   cost.ValueQuery
		want string
	}{
		{"no limit", cost.ValueQuery{Dimensions: []cost.Dimension{dim("RegionId")}}, "limit 0: give a whole number from 1 to 1000"},
		{"a limit past the most", cost.ValueQuery{Dimensions: []cost.Dimension{dim("RegionId")}, Limit: 1001}, "from 1 to 1000"},
		{"nothing to list", cost.ValueQuery{Limit: 5}, "name at least one dimension"},
		{"a dimension twice", cost.ValueQuery{Dimensions: []cost.Dimension{dim("RegionId"), dim("regionid")}, Limit: 5}, "asked for twice"},
		{"a tag key with a quote", cost.ValueQuery{Dimensions: []cost.Dimension{{Tag: `a"b`}}, Limit: 5}, "quote"},
		{"an unknown column", cost.ValueQuery{Dimensions: []cost.Dimension{{Column: "load_id"}}, Limit: 5}, "unknown dimension"},
		{"a long search", cost.ValueQuery{Dimensions: []cost.Dimension{dim("RegionId")}, Limit: 5, Search: strings.Repeat("é", 257)},
			"257 characters; the most is 256"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Values(context.Background(), &q, tt.vq)
			if cost.ErrorCode(err) != cost.EInvalid || !strings.Contains(cost.ErrorMessage(err), tt.want) {
				t.Errorf("error %v, want Invalid saying %q", err, tt.want)
			}
		})
	}
}

func TestLimitedValuesKeepTheServersDeadline(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	load(t, s, "src", "v", valueRows(4, 200))
	l, err := s.Limit(QueryLimits{Timeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	q := cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}
	_, err = l.Values(context.Background(), &q, cost.ValueQuery{Dimensions: []cost.Dimension{dim("ResourceId")}, Limit: 5})
	if cost.ErrorCode(err) != cost.ETimeout || !strings.Contains(cost.ErrorMessage(err), "limit of 1ns") {
		t.Errorf("error %v, want a Timeout naming the server's limit", err)
	}
	l, _ = s.Limit(QueryLimits{Timeout: time.Minute})
	got, err := l.Values(context.Background(), &q, cost.ValueQuery{Dimensions: []cost.Dimension{dim("BillingCurrency")}, Limit: 5})
	if err != nil || len(got.Dimensions) != 1 || got.Dimensions[0].Count != 2 {
		t.Errorf("within the deadline: %+v, %v; want USD and EUR", got, err)
	}
}
