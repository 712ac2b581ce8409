package api

import (
	"slices"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// azureDimension maps one of Azure Cost Management's dimension names to
// the FOCUS (or x_) column that holds the same thing. Values, when set,
// translates Azure's values to the column's in In and NotIn filters.
type azureDimension struct {
	Azure  string
	Column string
	Values map[string]string // lower-case Azure value → FOCUS value
}

// azureDimensions are the Azure names the door accepts, besides the FOCUS
// columns of cost.Dimensions under their own names. The README's table is
// this one.
var azureDimensions = []azureDimension{
	{Azure: "SubscriptionId", Column: "SubAccountId"},
	{Azure: "SubscriptionName", Column: "SubAccountName"},
	{Azure: "BillingAccountId", Column: "BillingAccountId"},
	{Azure: "BillingAccountName", Column: "BillingAccountName"},
	{Azure: "ServiceName", Column: "ServiceName"},
	{Azure: "MeterCategory", Column: "ServiceName"},
	{Azure: "ServiceFamily", Column: "ServiceCategory"},
	{Azure: "ConsumedService", Column: "x_ServiceCode"},
	{Azure: "Meter", Column: "x_UsageType"},
	{Azure: "ResourceLocation", Column: "RegionId"},
	{Azure: "ResourceId", Column: "ResourceId"},
	{Azure: "ResourceType", Column: "ResourceType"},
	{Azure: "PublisherType", Column: "PublisherName"},
	{Azure: "Provider", Column: "ProviderName"},
	{Azure: "InvoiceNumber", Column: "InvoiceId"},
	{Azure: "ReservationId", Column: "CommitmentDiscountId"},
	{Azure: "BenefitId", Column: "CommitmentDiscountId"},
	{Azure: "UnitOfMeasure", Column: "PricingUnit"},
	{Azure: "BillingCurrency", Column: "BillingCurrency"},
	{Azure: "ChargeType", Column: "ChargeCategory", Values: map[string]string{
		"usage": cost.ChargeUsage, "purchase": cost.ChargePurchase, "tax": cost.ChargeTax, "credit": cost.ChargeCredit,
		"refund": cost.ChargeAdjustment, "roundingadjustment": cost.ChargeAdjustment, "adjustment": cost.ChargeAdjustment,
	}},
	{Azure: "Frequency", Column: "ChargeFrequency", Values: map[string]string{
		"onetime": "One-Time", "recurring": "Recurring", "usagebased": "Usage-Based",
	}},
	{Azure: "PricingModel", Column: "PricingCategory", Values: map[string]string{
		"ondemand": "Standard", "reservation": "Committed", "savingsplan": "Committed", "spot": "Dynamic",
	}},
}

// azureResourceGroups are Azure's names of the resource group, which has
// no column: a filter on it tests the group's segment of ResourceId.
var azureResourceGroups = []string{"ResourceGroupName", "ResourceGroup"}

// azureNoColumn explains the Azure dimensions Reckon has no column for.
var azureNoColumn = map[string]string{
	"billingmonth":     "slice by month with granularity Monthly, and select a billing month with timeframe TheLastBillingMonth or BillingMonthToDate",
	"billingperiod":    "slice by month with granularity Monthly, and select a billing month with timeframe TheLastBillingMonth or BillingMonthToDate",
	"metersubcategory": "group by Meter (x_UsageType) or MeterCategory (ServiceName)",
	"resourcegroupname": "a resource group is not a column: filter on it (In, NotIn), " +
		"or group by ResourceId, whose path names it",
}

// resolveDimension finds the dimension an Azure name stands for, and
// whether it is a resource group (a segment of ResourceId, not a column);
// where names the body's field in the error.
func resolveDimension(name, where string) (azureDimension, bool, error) {
	for _, d := range azureDimensions {
		if strings.EqualFold(d.Azure, name) {
			return d, false, nil
		}
	}
	if slices.ContainsFunc(azureResourceGroups, func(s string) bool { return strings.EqualFold(s, name) }) {
		return azureDimension{Azure: name, Column: "ResourceId"}, true, nil
	}
	if !strings.HasPrefix(name, cost.TagPrefix) {
		if d, err := cost.ParseDimension(name); err == nil {
			return azureDimension{Azure: d.Column, Column: d.Column}, false, nil
		}
	}
	hint := azureNoColumn[strings.ToLower(name)]
	if hint != "" {
		hint = " (" + name + ": " + hint + ")"
	}
	return azureDimension{}, false, invalidQuery("Invalid dimension in %s: %s%s; valid values: %s; or FOCUS columns: %s; "+
		"for a tag, use type TagKey (in a filter: tags)", where, cost.Quote(name), hint,
		strings.Join(azureDimensionNames(), ", "), strings.Join(cost.Dimensions, ", "))
}

// azureDimensionNames lists the Azure dimension names the door accepts.
func azureDimensionNames() []string {
	var names []string
	for _, d := range azureDimensions {
		names = append(names, d.Azure)
	}
	return append(names, azureResourceGroups...)
}

// grouping reads dataset.grouping: at most cost.MaxGroupBy dimensions or
// tag keys.
func (p *azurePlan) grouping(gs []azureGrouping) error {
	if len(gs) > cost.MaxGroupBy {
		return invalidQuery("dataset.grouping has %d groupings; at most %d are allowed: send fewer", len(gs), cost.MaxGroupBy)
	}
	for i, g := range gs {
		switch strings.ToLower(g.Type) {
		case "dimension":
			d, rg, err := resolveDimension(g.Name, "dataset.grouping")
			if err != nil {
				return err
			}
			if rg {
				return invalidQuery("Invalid dataset grouping %s: %s", cost.Quote(g.Name), azureNoColumn["resourcegroupname"])
			}
			p.q.GroupBy = append(p.q.GroupBy, cost.Dimension{Column: d.Column})
			p.groups = append(p.groups, azureGroup{name: d.Azure})
		case "tagkey":
			if g.Name == "" {
				return invalidQuery("dataset.grouping[%d] of type TagKey has no name: name the tag key", i)
			}
			p.q.GroupBy = append(p.q.GroupBy, cost.Dimension{Tag: g.Name})
			p.groups = append(p.groups, azureGroup{tag: g.Name})
		default:
			return invalidQuery("dataset.grouping[%d] has type %s: use Dimension or TagKey", i, cost.Quote(g.Type))
		}
	}
	return nil
}

// answerColumns are the answer's columns in Azure's order: the costs, the
// date, the groupings (a tag's as TagKey and TagValue), then Currency.
func (p *azurePlan) answerColumns() []cost.Column {
	var cols []cost.Column
	for _, c := range p.costs {
		cols = append(cols, cost.Column{Name: c.name, Type: cost.TypeNumber})
	}
	switch p.q.Granularity {
	case cost.GranularityDaily:
		cols = append(cols, cost.Column{Name: "UsageDate", Type: cost.TypeNumber})
	case cost.GranularityMonthly:
		cols = append(cols, cost.Column{Name: "BillingMonth", Type: cost.TypeDatetime})
	}
	for _, g := range p.groups {
		if g.tag != "" {
			cols = append(cols, cost.Column{Name: "TagKey", Type: cost.TypeString}, cost.Column{Name: "TagValue", Type: cost.TypeString})
		} else {
			cols = append(cols, cost.Column{Name: g.name, Type: cost.TypeString})
		}
	}
	return append(cols, cost.Column{Name: "Currency", Type: cost.TypeString})
}

// sorting reads dataset.sorting: each name a column of the answer or an
// aggregation's alias.
func (p *azurePlan) sorting(aggs []azureAggregation, ss []azureSorting) ([]cost.Order, error) {
	var out []cost.Order
	for _, s := range ss {
		var desc bool
		switch strings.ToLower(s.Direction) {
		case "ascending", "":
		case "descending":
			desc = true
		default:
			return nil, invalidQuery("dataset.sorting %s has direction %s: use Ascending or Descending",
				cost.Quote(s.Name), cost.Quote(s.Direction))
		}
		col, ok := p.sortColumn(aggs, s.Name)
		if !ok {
			var names []string
			for _, c := range p.columns {
				if c.Name != "Currency" && c.Name != "TagKey" {
					names = append(names, c.Name)
				}
			}
			return nil, invalidQuery("cannot sort by %s: sort by one of the answer's columns: %s",
				cost.Quote(s.Name), strings.Join(names, ", "))
		}
		out = append(out, cost.Order{Column: col, Desc: desc})
	}
	return out, nil
}

// sortColumn is the column of the cost.Query's answer an Azure sort name
// stands for.
func (p *azurePlan) sortColumn(aggs []azureAggregation, name string) (string, bool) {
	for i, c := range p.costs {
		if strings.EqualFold(c.name, name) || i < len(aggs) && strings.EqualFold(aggs[i].alias, name) {
			return string(p.q.Measures[c.measure]), true
		}
	}
	if p.q.Granularity != cost.GranularityNone && slices.ContainsFunc([]string{"UsageDate", "BillingMonth", "Date"},
		func(s string) bool { return strings.EqualFold(s, name) }) {
		return "Date", true
	}
	for i, g := range p.groups {
		if g.tag == "" && strings.EqualFold(g.name, name) || g.tag != "" && strings.EqualFold(name, "TagValue") {
			return p.q.GroupBy[i].Name(), true
		}
	}
	return "", false
}
