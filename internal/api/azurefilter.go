package api

import (
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// azureFilter is a node of Azure's dataset.filter: exactly one of and, or,
// not (Azure's older API versions), dimensions or tags.
type azureFilter struct {
	And        []*azureFilter   `json:"and"`
	Or         []*azureFilter   `json:"or"`
	Not        *azureFilter     `json:"not"`
	Dimensions *azureComparison `json:"dimensions"`
	Tags       *azureComparison `json:"tags"`
}

// azureComparison tests one dimension or tag: In (Azure's), and Reckon's
// NotIn and Contains; on tags also Exists and NotExists, which take no
// values.
type azureComparison struct {
	Name     string   `json:"name"`
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

// azureOperators maps the operators the door accepts to Reckon's.
var azureOperators = map[string]cost.Op{
	"in": cost.OpIn, "notin": cost.OpNotIn, "contains": cost.OpContains,
	"exists": cost.OpExists, "notexists": cost.OpNotExists,
}

// azureFilterExpr makes a filter a cost.Expr; nil keeps every row.
func azureFilterExpr(f *azureFilter, depth int) (*cost.Expr, error) {
	if f == nil {
		return nil, nil
	}
	if depth > cost.MaxFilterDepth {
		return nil, invalidQuery("dataset.filter nests and/or/not more than %d deep: flatten it", cost.MaxFilterDepth)
	}
	var set []string
	for i, ok := range []bool{f.And != nil, f.Or != nil, f.Not != nil, f.Dimensions != nil, f.Tags != nil} {
		if ok {
			set = append(set, []string{"and", "or", "not", "dimensions", "tags"}[i])
		}
	}
	if len(set) != 1 {
		return nil, invalidQuery("each node of dataset.filter holds exactly one of and, or, not, dimensions, tags; "+
			"one holds %d (%s): nest them in an and", len(set), strings.Join(set, ", "))
	}
	switch {
	case f.And != nil:
		return azureCombine(cost.OpAnd, f.And, depth)
	case f.Or != nil:
		return azureCombine(cost.OpOr, f.Or, depth)
	case f.Not != nil:
		e, err := azureFilterExpr(f.Not, depth+1)
		if err != nil {
			return nil, err
		}
		return cost.Not(e), nil
	case f.Tags != nil:
		return azureTagCondition(f.Tags)
	}
	return azureDimensionCondition(f.Dimensions)
}

func azureCombine(op cost.Op, args []*azureFilter, depth int) (*cost.Expr, error) {
	if len(args) == 0 {
		return nil, invalidQuery("dataset.filter has an empty %s: give it at least one expression", op)
	}
	e := &cost.Expr{Op: op}
	for _, a := range args {
		if a == nil {
			return nil, invalidQuery("dataset.filter's %s holds a null: remove it", op)
		}
		sub, err := azureFilterExpr(a, depth+1)
		if err != nil {
			return nil, err
		}
		e.Args = append(e.Args, sub)
	}
	return e, nil
}

// azureOperator reads a comparison's operator.
func azureOperator(c *azureComparison, kind string) (cost.Op, error) {
	op, ok := azureOperators[strings.ToLower(c.Operator)]
	if !ok || kind == "dimensions" && (op == cost.OpExists || op == cost.OpNotExists) {
		ops := "In, NotIn, Contains"
		if kind == "tags" {
			ops += ", Exists, NotExists"
		}
		return "", invalidQuery("Invalid operator %s on %s %s: use %s", cost.Quote(c.Operator), kind, cost.Quote(c.Name), ops)
	}
	exists := op == cost.OpExists || op == cost.OpNotExists
	if exists && len(c.Values) > 0 {
		return "", invalidQuery("the tag %s condition %s takes no values: drop them", cost.Quote(c.Name), c.Operator)
	}
	if !exists && len(c.Values) == 0 {
		return "", invalidQuery("the %s condition %s on %s has no values: give at least one", kind, c.Operator, cost.Quote(c.Name))
	}
	return op, nil
}

func azureTagCondition(c *azureComparison) (*cost.Expr, error) {
	if c.Name == "" {
		return nil, invalidQuery("a tags condition in dataset.filter has no name: name the tag key")
	}
	op, err := azureOperator(c, "tags")
	if err != nil {
		return nil, err
	}
	return &cost.Expr{Op: op, Dimension: cost.Dimension{Tag: c.Name}, Values: c.Values}, nil
}

// azureDimensionCondition maps a dimensions condition: the column, and
// Azure's values where they differ from FOCUS's. A resource group is the
// /resourceGroups/NAME/ segment of ResourceId, case-insensitively as Azure
// compares them.
func azureDimensionCondition(c *azureComparison) (*cost.Expr, error) {
	d, rg, err := resolveDimension(c.Name, "dataset.filter")
	if err != nil {
		return nil, err
	}
	op, err := azureOperator(c, "dimensions")
	if err != nil {
		return nil, err
	}
	values := c.Values
	if rg {
		if op == cost.OpContains {
			return nil, invalidQuery("%s takes In or NotIn with whole group names, not Contains", cost.Quote(c.Name))
		}
		values = make([]string, len(c.Values))
		for i, v := range c.Values {
			values[i] = "/resourceGroups/" + v + "/"
		}
		e := &cost.Expr{Op: cost.OpContains, Dimension: cost.Dimension{Column: "ResourceId"}, Values: values}
		if op == cost.OpNotIn {
			e = cost.Not(e)
		}
		return e, nil
	}
	if d.Values != nil && op != cost.OpContains {
		values = make([]string, len(c.Values))
		for i, v := range c.Values {
			if focus, ok := d.Values[strings.ToLower(v)]; ok {
				v = focus
			}
			values[i] = v
		}
	}
	return &cost.Expr{Op: op, Dimension: cost.Dimension{Column: d.Column}, Values: values}, nil
}
