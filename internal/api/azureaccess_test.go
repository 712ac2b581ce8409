package api

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// pages follows an answer's nextLinks from path, checking that each keeps
// the api-version and the page size, and returns every row in order.
func (fx *azureFixture) pages(t *testing.T, token, path string, body any, pageSize int) (rows []string, sum decimal.Decimal) {
	t.Helper()
	for n := 0; path != ""; n++ {
		status, a, e := fx.post(token, path, body)
		if status != 200 {
			t.Fatalf("page %d: %d %+v", n+1, status, e)
		}
		if pageSize > 0 && len(a.Properties.Rows) > pageSize {
			t.Fatalf("page %d has %d rows, more than $top=%d", n+1, len(a.Properties.Rows), pageSize)
		}
		for _, row := range a.Properties.Rows {
			var cells []string
			for _, c := range row {
				cells = append(cells, string(c))
			}
			rows = append(rows, strings.Join(cells, " "))
		}
		sum = sum.Add(a.sum(t, "Cost"))
		path = ""
		if a.Properties.NextLink != nil {
			path = *a.Properties.NextLink
			u, err := url.Parse(path)
			if err != nil || u.Query().Get("api-version") != "2022-10-01" || u.Query().Get("$skiptoken") == "" {
				t.Fatalf("the nextLink %q lost the api-version or has no $skiptoken", path)
			}
			if pageSize > 0 && u.Query().Get("$top") == "" {
				t.Fatalf("the nextLink %q lost $top", path)
			}
		}
		if n > 100 {
			t.Fatal("more than 100 pages")
		}
	}
	return rows, sum
}

// TestAzurePagesConcatenatedEqualTheWholeAnswer reads a daily answer by
// resource two rows a page and compares it with the answer in one page.
func TestAzurePagesConcatenatedEqualTheWholeAnswer(t *testing.T) {
	fx := newAzureFixture(t)
	body := custom("ActualCost", map[string]any{"granularity": "Daily",
		"grouping": []map[string]string{{"type": "Dimension", "name": "ResourceId"}}})
	whole, wholeSum := fx.pages(t, fx.admin, queryPath(rootARM), body, 0)
	if len(whole) != len(fxRows) {
		t.Fatalf("the whole answer has %d rows, want one per fixture row (%d)", len(whole), len(fxRows))
	}
	if want := sumRows(func(*cost.Row) bool { return true }, billed); wholeSum.Cmp(want) != 0 {
		t.Errorf("the whole answer sums to %s, the rows to %s", wholeSum, want)
	}
	for _, size := range []int{1, 2, 5} {
		paged, _ := fx.pages(t, fx.admin, queryPath(rootARM)+"&$top="+strconv.Itoa(size), body, size)
		if !slices.Equal(paged, whole) {
			t.Errorf("$top=%d: the pages hold\n%s\nthe whole answer\n%s", size, strings.Join(paged, "\n"), strings.Join(whole, "\n"))
		}
	}
}

// TestAzureReaderOfOneAccountSeesOnlyItsRows: ana, Reader of one linked
// account, gets its rows and no other through the Azure door, whatever
// the filter, the grouping, the scope form or the page token.
func TestAzureReaderOfOneAccountSeesOnlyItsRows(t *testing.T) {
	fx := newAzureFixture(t)
	mine := sumRows(inAccounts(fxWeb), billed)
	forms := []string{
		queryPath("providers/Microsoft.CostManagement/externalSubscriptions/" + fxWeb),
		"/providers/Microsoft.CostManagement/externalSubscriptions/" + fxWeb + "/query?api-version=2022-10-01",
	}
	for _, path := range forms {
		for _, tc := range []struct {
			name    string
			dataset map[string]any
			want    decimal.Decimal
		}{
			{"no filter", map[string]any{}, mine},
			{"a filter on the other accounts", map[string]any{"filter": dims("SubscriptionId", "In", fxData, fxSub)}, decimal.Zero},
			{"a filter that keeps everything", map[string]any{"filter": map[string]any{"or": []any{
				dims("SubscriptionId", "NotIn", "nobody"), map[string]any{"not": dims("SubscriptionId", "NotIn", "nobody")}}}}, mine},
			{"a grouping by account", map[string]any{"grouping": []map[string]string{{"type": "Dimension", "name": "SubscriptionId"}}}, mine},
		} {
			t.Run(tc.name+" at "+path, func(t *testing.T) {
				rows, sum := fx.pages(t, fx.ana, path, custom("ActualCost", tc.dataset), 0)
				if sum.Cmp(tc.want) != 0 {
					t.Errorf("ana gets %s, want %s", sum, tc.want)
				}
				for _, r := range rows {
					if strings.Contains(r, fxData) || strings.Contains(r, fxSub) {
						t.Errorf("ana sees %s", r)
					}
				}
			})
		}
	}
	t.Run("her pages are her rows", func(t *testing.T) {
		body := custom("ActualCost", map[string]any{"granularity": "Daily"})
		if _, sum := fx.pages(t, fx.ana, forms[0]+"&$top=1", body, 1); sum.Cmp(mine) != 0 {
			t.Errorf("ana's pages sum to %s, want %s", sum, mine)
		}
	})
	t.Run("the other scopes are forbidden", func(t *testing.T) {
		for _, sc := range fxScopes {
			if status, _, e := fx.post(fx.ana, queryPath(sc.arm), custom("ActualCost", map[string]any{})); status != 403 || e.Error.Code != cost.EForbidden {
				t.Errorf("%s: %d %+v, want 403", sc.arm, status, e)
			}
		}
	})
	t.Run("a page token of another query is refused", func(t *testing.T) {
		body := custom("ActualCost", map[string]any{"granularity": "Daily"})
		_, a, _ := fx.post(fx.admin, queryPath(fxScopes[2].arm)+"&$top=1", body)
		if a.Properties.NextLink == nil {
			t.Fatal("the payer's answer has one page")
		}
		u, _ := url.Parse(*a.Properties.NextLink)
		token := url.QueryEscape(u.Query().Get("$skiptoken"))
		status, _, e := fx.post(fx.ana, forms[0]+"&$skiptoken="+token, body)
		if status != 400 || !strings.Contains(e.Error.Message, "another query") {
			t.Errorf("ana with the payer's page token: %d %+v, want 400 about another query", status, e)
		}
	})
}
