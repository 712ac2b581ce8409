package cost

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// SavedView is a named query with the chart that draws it, owned by a
// scope: Readers of the scope see it, Contributors edit it. Its query is
// kept as written (a QuerySpec), so that a timeframe such as MonthToDate
// is resolved when the view is run, not when it was saved.
type SavedView struct {
	ID        string    `json:"id"` // assigned by Reckon: NewViewID
	Scope     ScopeID   `json:"scope"`
	Name      string    `json:"name"`
	Chart     Chart     `json:"chart"`
	Query     QuerySpec `json:"query"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"createdBy"`
	Updated   time.Time `json:"updated"`
	UpdatedBy string    `json:"updatedBy"`
}

// Chart is how a saved view draws its answer.
type Chart string

// The charts, as Azure Cost analysis names them. The time charts plot cost
// over the days or months of the query; pie and bar compare the groups of
// a query without a time axis; a table shows any answer.
const (
	ChartArea          Chart = "area"          // cost over time, filled; stacked by group
	ChartLine          Chart = "line"          // cost over time, a line per group
	ChartColumn        Chart = "column"        // cost over time, columns side by side per group
	ChartStackedColumn Chart = "stackedColumn" // cost over time, one column per period stacked by group
	ChartBar           Chart = "bar"           // the groups' totals, largest first
	ChartPie           Chart = "pie"           // the groups' shares of the total
	ChartTable         Chart = "table"         // the answer's rows as they are
)

// Charts are the charts a view may have.
var Charts = []Chart{ChartArea, ChartLine, ChartColumn, ChartStackedColumn, ChartBar, ChartPie, ChartTable}

// ParseChart reads a chart name in any letter case and returns it as
// Charts spells it.
func ParseChart(s string) (Chart, error) {
	for _, c := range Charts {
		if strings.EqualFold(s, string(c)) {
			return c, nil
		}
	}
	return "", Errorf(EInvalid, "chart %s is not one of %s", Quote(s), chartNames())
}

func chartNames() string {
	names := make([]string, len(Charts))
	for i, c := range Charts {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// overTime reports whether the chart has a time axis.
func (c Chart) overTime() bool {
	return c == ChartArea || c == ChartLine || c == ChartColumn || c == ChartStackedColumn
}

// fits says whether the chart can draw the query's answer: a time chart
// needs days or months, and a pie or bar needs groups and no time axis.
func (c Chart) fits(q *Query) error {
	switch {
	case c.overTime() && q.Granularity == GranularityNone:
		return Errorf(EInvalid, "%s charts plot cost over time: give the query a granularity, daily or monthly, or use a bar, pie or table chart", c)
	case (c == ChartPie || c == ChartBar) && q.Granularity != GranularityNone:
		return Errorf(EInvalid, "%s charts compare totals: leave the query's granularity none, or use an area, line, column or stackedColumn chart", c)
	case (c == ChartPie || c == ChartBar) && len(q.GroupBy) == 0:
		return Errorf(EInvalid, "%s charts compare groups: give the query a group-by dimension", c)
	}
	return nil
}

// The bounds on saved views, which the catalog keeps in memory whole: a
// real view's query is well under a kilobyte.
const (
	MaxViewsPerScope = 256       // views saved on one scope
	MaxViewQuery     = 128 << 10 // bytes of a view's query as JSON
)

// viewIDBytes is the length of a view ID's random part.
const viewIDBytes = 8

// NewViewID returns a new view ID: 16 lower-case hex digits from
// crypto/rand, safe in a URL path as it is.
func NewViewID() string {
	b := make([]byte, viewIDBytes)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ParseViewID checks that s is shaped like a view ID. One that is not
// names no view: NotFound, as an ID that is shaped right but unknown.
func ParseViewID(s string) (string, error) {
	if !isHex(s, 2*viewIDBytes) || strings.ToLower(s) != s {
		return "", Errorf(ENotFound, "view %s does not exist: a view ID is 16 hex digits, as `reckon view list` shows", Quote(s))
	}
	return s, nil
}

// Validate checks a view before it is stored, as of now (which resolves a
// timeframe): a name that passes CheckName and is not blank, a scope with
// costs (not a connector), a chart from Charts that can draw the query,
// and a query that builds, of at most MaxViewQuery bytes. It puts the
// chart in the form Charts spells.
func (v *SavedView) Validate(now time.Time) error {
	if strings.TrimSpace(v.Name) == "" {
		return Errorf(EInvalid, "give the view a name")
	}
	if err := CheckName("the view's name", v.Name); err != nil {
		return err
	}
	if _, err := ParseScopeID(string(v.Scope)); err != nil {
		return err
	}
	if v.Scope.Kind() == KindConnector {
		return Errorf(EInvalid, "a connector has no costs of its own: save the view on its billing account or a linked account")
	}
	chart, err := ParseChart(string(v.Chart))
	if err != nil {
		return err
	}
	v.Chart = chart
	q, err := v.Query.Build(now)
	if err != nil {
		return Errorf(EInvalid, "the view's query: %s", ErrorMessage(err))
	}
	if size := querySize(v.Query); size > MaxViewQuery {
		return Errorf(EInvalid, "the view's query has %d bytes as JSON; the most is %d: shorten its filter", size, MaxViewQuery)
	}
	return chart.fits(q)
}

// SaveView validates the view and stores it, new or changed: its scope
// must exist, no other view of the scope may have its name, whatever the
// letter case, and a new view must not make the scope's more than
// MaxViewsPerScope (both Conflict). Authorize the caller and audit the change in
// the same transaction.
func SaveView(ctx context.Context, tx CatalogTx, v SavedView, now time.Time) (SavedView, error) {
	if err := v.Validate(now); err != nil {
		return SavedView{}, err
	}
	if _, ok, err := tx.Scope(ctx, v.Scope); err != nil || !ok {
		if err != nil {
			return SavedView{}, err
		}
		return SavedView{}, Errorf(ENotFound, "scope %s does not exist", v.Scope)
	}
	others, err := tx.SavedViews(ctx, v.Scope)
	if err != nil {
		return SavedView{}, err
	}
	isNew := true
	for _, o := range others {
		if o.ID == v.ID {
			isNew = false
		} else if strings.EqualFold(o.Name, v.Name) {
			return SavedView{}, Errorf(EConflict, "%s already has a view named %s (%s): choose another name, or edit that view",
				v.Scope, Quote(o.Name), o.ID)
		}
	}
	if isNew && len(others) >= MaxViewsPerScope {
		return SavedView{}, Errorf(EConflict, "%s has %d views, the most a scope may have: delete some before saving another",
			v.Scope, len(others))
	}
	return v, tx.PutSavedView(ctx, v)
}

// querySize is the length of the query as the catalog stores it.
func querySize(q QuerySpec) int {
	b, err := json.Marshal(q)
	if err != nil {
		return 0 // strings and ints only: it does not fail
	}
	return len(b)
}
