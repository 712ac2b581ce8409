package duckstore

import (
	"slices"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// where returns the conditions on cost_rows: the time range; one
// semi-join per dimension of the scope's view and the legacy filters, with
// the values as an IN list of parameters; and the filter expression, each
// condition a semi-join on the table its dimension lives in.
func (c *compiler) where() ([]string, error) {
	q := c.q
	var where []string
	at := "ChargePeriodStart"
	if q.Period == cost.PeriodBilling {
		at = "BillingPeriodStart"
	}
	if !q.From.IsZero() {
		where = append(where, at+" >= CAST("+c.arg(ts(q.From))+" AS TIMESTAMP)")
	}
	if !q.To.IsZero() {
		where = append(where, at+" < CAST("+c.arg(ts(q.To))+" AS TIMESTAMP)")
	}
	for _, f := range memberships(slices.Concat(q.Filters, q.View)) {
		if len(f.Values) == 0 { // the filters on this dimension share no value
			if _, err := (&compiler{}).dimension(f.Dimension); err != nil { // checked, not used
				return nil, err
			}
			where = append(where, "false")
			continue
		}
		cond, err := c.condition(&cost.Expr{Op: cost.OpIn, Dimension: f.Dimension, Values: f.Values})
		if err != nil {
			return nil, err
		}
		where = append(where, cond)
	}
	if q.Where != nil {
		cond, err := c.expr(q.Where)
		if err != nil {
			return nil, err
		}
		where = append(where, cond)
	}
	return where, nil
}

// expr compiles a filter expression over cost_rows' keys.
func (c *compiler) expr(e *cost.Expr) (string, error) {
	switch e.Op {
	case cost.OpAnd, cost.OpOr:
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			p, err := c.expr(a)
			if err != nil {
				return "", err
			}
			parts[i] = p
		}
		return "(" + strings.Join(parts, " "+strings.ToUpper(string(e.Op))+" ") + ")", nil
	case cost.OpNot:
		p, err := c.expr(e.Args[0])
		if err != nil {
			return "", err
		}
		return "(NOT " + p + ")", nil
	}
	return c.condition(e)
}

// condition compiles one condition as a semi-join on the dimension's
// table: key IN (SELECT key FROM table WHERE test). A row whose optional
// key is 0 (no tags, no resource) has an empty value. Negations are NOT of
// the positive semi-join, which never yields NULL (keys are not null), so a
// row with an empty value passes "not in (x)".
func (c *compiler) condition(e *cost.Expr) (string, error) {
	s := sideOf(e.Dimension)
	table := s.table
	if s == dimsSide && named(e.Dimension) {
		table = "named_dims"
	}
	if _, err := (&compiler{}).dimension(e.Dimension); err != nil {
		return "", err
	}
	// The expression takes a parameter (a tag's path) only when a test
	// uses it: DuckDB refuses a parameter that the SQL does not name.
	var expr string
	dimension := func() string {
		if expr == "" {
			expr, _ = c.dimension(e.Dimension) // checked above
		}
		return expr
	}
	var tests []string
	matchEmpty := false
	switch e.Op {
	case cost.OpIn, cost.OpNotIn:
		var in []string
		for _, v := range dedupe(e.Values) {
			if v == "" {
				matchEmpty = true
			} else {
				in = append(in, c.arg(v))
			}
		}
		if len(in) > 0 {
			tests = append(tests, dimension()+" IN ("+strings.Join(in, ", ")+")")
		}
		if matchEmpty {
			tests = append(tests, "coalesce("+dimension()+", '') = ''")
		}
	case cost.OpContains:
		for _, v := range dedupe(e.Values) {
			if v == "" {
				matchEmpty = true // every value contains ""
				tests = append(tests, "true")
				continue
			}
			tests = append(tests, "contains(lower("+dimension()+"), "+c.arg(strings.ToLower(v))+")")
		}
	case cost.OpExists, cost.OpNotExists:
		tests = append(tests, "json_exists(t.Tags, "+c.arg(tagPath(e.Dimension.Tag))+")")
	}
	semi := s.key + " IN (SELECT " + s.key + " FROM " + table + " " + s.alias + " WHERE " + strings.Join(tests, " OR ") + ")"
	if s.optional && matchEmpty {
		semi = "(" + s.key + " = 0 OR " + semi + ")"
	}
	switch e.Op {
	case cost.OpNotIn, cost.OpNotExists:
		return "(NOT " + semi + ")", nil
	}
	return semi, nil
}

func dedupe(values []string) []string {
	seen := make(map[string]bool, len(values))
	return slices.DeleteFunc(slices.Clone(values), func(v string) bool { dup := seen[v]; seen[v] = true; return dup })
}

// memberships merges the filters into one per dimension, in the order the
// dimensions first appear: filters that must all hold keep the values common
// to all of them, each once, in the order of the first. A row has one value
// per dimension, so the condition is the same.
func memberships(fs []cost.Filter) []cost.Filter {
	var out []cost.Filter
	at := map[cost.Dimension]int{}
	for _, f := range fs {
		i, seen := at[f.Dimension]
		if !seen {
			at[f.Dimension] = len(out)
			out = append(out, cost.Filter{Dimension: f.Dimension, Values: dedupe(f.Values)})
			continue
		}
		keep := make(map[string]bool, len(f.Values))
		for _, v := range f.Values {
			keep[v] = true
		}
		out[i].Values = slices.DeleteFunc(out[i].Values, func(v string) bool { return !keep[v] })
	}
	return out
}

// tagPath is the JSON path of a tag key in tag_sets.Tags.
func tagPath(key string) string { return `$."` + key + `"` }

// dimension returns the SQL expression of a dimension, qualified by the
// alias of the table it lives in.
func (c *compiler) dimension(d cost.Dimension) (string, error) {
	if d.Column != "" {
		if _, err := cost.ParseDimension(d.Column); err != nil {
			return "", err
		}
		return sideOf(d).alias + "." + d.Column, nil
	}
	if strings.ContainsAny(d.Tag, `"\`) {
		return "", cost.Errorf(cost.EInvalid, "tag key %q contains a quote or backslash, which AWS and Azure tag keys cannot", d.Tag)
	}
	return "json_extract_string(t.Tags, " + c.arg(tagPath(d.Tag)) + ")", nil
}
