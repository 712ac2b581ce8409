package cost

import (
	"strings"
	"unicode/utf8"
)

// Op is what an Expr node does.
type Op string

// The filter operators. And, Or and Not combine other expressions; the rest
// test one dimension of a row. The names are the filter language's
// keywords (ParseFilter).
const (
	OpAnd       Op = "and"
	OpOr        Op = "or"
	OpNot       Op = "not"
	OpIn        Op = "in"        // the value is one of Values; "" matches an empty value
	OpNotIn     Op = "notin"     // not OpIn: rows with an empty value pass unless "" is listed
	OpContains  Op = "contains"  // the value contains one of Values, ignoring case
	OpExists    Op = "exists"    // the row has the tag key (tags only)
	OpNotExists Op = "notexists" // the row lacks the tag key (tags only)
)

// The limits on a filter expression: each condition costs a semi-join and
// each value a parameter, and a deep tree a deep recursion.
const (
	MaxFilterNodes = 200 // conditions and combinators in one expression
	MaxFilterDepth = 16  // nesting of and/or/not
)

// Expr is a filter expression: a tree of and/or/not over conditions on one
// dimension each. A nil *Expr keeps every row.
type Expr struct {
	Op        Op
	Args      []*Expr   // the operands of And and Or (at least one) and Not (exactly one)
	Dimension Dimension // the dimension a condition tests
	Values    []string  // the values of In, NotIn and Contains (at least one)
}

// In is the condition "d is one of values".
func In(d Dimension, values ...string) *Expr { return &Expr{Op: OpIn, Dimension: d, Values: values} }

// And is the conjunction of the non-nil expressions; nil when there are none.
func And(es ...*Expr) *Expr {
	var args []*Expr
	for _, e := range es {
		if e != nil {
			args = append(args, e)
		}
	}
	switch len(args) {
	case 0:
		return nil
	case 1:
		return args[0]
	}
	return &Expr{Op: OpAnd, Args: args}
}

// Not is the negation of e.
func Not(e *Expr) *Expr { return &Expr{Op: OpNot, Args: []*Expr{e}} }

// IsCondition reports whether the node tests a dimension rather than
// combining other expressions.
func (e *Expr) IsCondition() bool {
	switch e.Op {
	case OpAnd, OpOr, OpNot:
		return false
	}
	return true
}

// Validate checks the expression's shape and limits, and returns an
// EInvalid error that says what to fix.
func (e *Expr) Validate() error {
	if e == nil {
		return nil
	}
	nodes, values := 0, 0
	return e.validate(1, &nodes, &values)
}

func (e *Expr) validate(depth int, nodes, values *int) error {
	if depth > MaxFilterDepth {
		return Errorf(EInvalid, "the filter nests and/or/not more than %d deep: flatten it", MaxFilterDepth)
	}
	if *nodes++; *nodes > MaxFilterNodes {
		return Errorf(EInvalid, "the filter has more than %d conditions and combinators: send fewer, "+
			"or list several values in one condition (in (a, b, c))", MaxFilterNodes)
	}
	switch e.Op {
	case OpAnd, OpOr:
		if len(e.Args) == 0 {
			return Errorf(EInvalid, "%s needs at least one expression", e.Op)
		}
	case OpNot:
		if len(e.Args) != 1 {
			return Errorf(EInvalid, "not takes exactly one expression, got %d", len(e.Args))
		}
	case OpIn, OpNotIn, OpContains:
		if len(e.Values) == 0 {
			return Errorf(EInvalid, "the %s condition on %s has no values: give at least one", e.Op, Quote(e.Dimension.Name()))
		}
		*values += len(e.Values)
		if *values > MaxFilterValues {
			return Errorf(EInvalid, "a query's filters may hold at most %d values in all: send fewer, or query them in parts",
				MaxFilterValues)
		}
		for _, v := range e.Values {
			if !utf8.ValidString(v) {
				return Errorf(EInvalid, "the filter value %.64q for %s is not valid UTF-8", v, Quote(e.Dimension.Name()))
			}
		}
	case OpExists, OpNotExists:
		if e.Dimension.Column != "" {
			return Errorf(EInvalid, "%s applies to tags (tag:KEY), not to the column %s: "+
				"test a column with in (\"\") or not in (\"\")", e.Op, e.Dimension.Column)
		}
	default:
		return Errorf(EInvalid, "unknown filter operator %s: use and, or, not, in, notin, contains, exists or notexists",
			Quote(string(e.Op)))
	}
	if e.IsCondition() {
		if e.Dimension.Column == "" && e.Dimension.Tag == "" {
			return Errorf(EInvalid, "the %s condition names no dimension", e.Op)
		}
		if !utf8.ValidString(e.Dimension.Tag) {
			return Errorf(EInvalid, "the tag key %.64q is not valid UTF-8", e.Dimension.Tag)
		}
		if e.Dimension.Column != "" {
			if _, err := ParseDimension(e.Dimension.Column); err != nil {
				return err
			}
		}
		if len(e.Args) > 0 {
			return Errorf(EInvalid, "the %s condition takes values, not expressions", e.Op)
		}
		return nil
	}
	for _, a := range e.Args {
		if a == nil {
			return Errorf(EInvalid, "%s has an empty operand", e.Op)
		}
		if err := a.validate(depth+1, nodes, values); err != nil {
			return err
		}
	}
	return nil
}

// Dimensions returns the dimensions the expression tests, each once, in
// the order they first appear.
func (e *Expr) Dimensions() []Dimension {
	var out []Dimension
	seen := map[Dimension]bool{}
	var walk func(*Expr)
	walk = func(e *Expr) {
		if e == nil {
			return
		}
		if e.IsCondition() && !seen[e.Dimension] {
			seen[e.Dimension] = true
			out = append(out, e.Dimension)
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	walk(e)
	return out
}

// String writes the expression in the filter language; ParseFilter reads
// it back to an equal expression.
func (e *Expr) String() string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	e.write(&b, false)
	return b.String()
}

func (e *Expr) write(b *strings.Builder, nested bool) {
	switch e.Op {
	case OpAnd, OpOr:
		if nested {
			b.WriteByte('(')
		}
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(" " + string(e.Op) + " ")
			}
			a.write(b, true)
		}
		if nested {
			b.WriteByte(')')
		}
		return
	case OpNot:
		b.WriteString("not ")
		e.Args[0].write(b, true)
		return
	}
	b.WriteString(quoteDimension(e.Dimension))
	switch e.Op {
	case OpExists:
		b.WriteString(" exists")
		return
	case OpNotExists:
		b.WriteString(" not exists")
		return
	case OpNotIn:
		b.WriteString(" not in (")
	case OpContains:
		b.WriteString(" contains (")
	default:
		b.WriteString(" in (")
	}
	for i, v := range e.Values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteValue(v))
	}
	b.WriteByte(')')
}

// filtersExpr is the legacy list of filters as an expression: all hold.
func filtersExpr(fs []Filter) *Expr {
	var es []*Expr
	for _, f := range fs {
		es = append(es, In(f.Dimension, f.Values...))
	}
	return And(es...)
}
