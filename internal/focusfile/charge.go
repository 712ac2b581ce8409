package focusfile

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// The allowed values of FOCUS's enumerated columns. A value is matched
// ignoring case and stored as FOCUS spells it; the FOCUS 1.0-preview
// PricingCategory values map to their 1.0 successors.
var (
	chargeCategories = map[string]string{
		"usage": cost.ChargeUsage, "purchase": cost.ChargePurchase, "tax": cost.ChargeTax,
		"credit": cost.ChargeCredit, "adjustment": cost.ChargeAdjustment,
	}
	chargeClasses     = map[string]string{"correction": "Correction"}
	chargeFrequencies = map[string]string{"one-time": "One-Time", "recurring": "Recurring", "usage-based": "Usage-Based"}
	pricingCategories = map[string]string{
		"standard": "Standard", "committed": "Committed", "dynamic": "Dynamic", "other": "Other",
		"on-demand": "Standard", "commitment-based": "Committed",
	}
)

func (r *Reader) mapCharge(row *cost.Row) error {
	var err error
	if row.ChargeCategory, err = r.enum(fChargeCategory, chargeCategories, "Usage, Purchase, Tax, Credit or Adjustment"); err != nil {
		return err
	}
	if row.ChargeClass, err = r.enum(fChargeClass, chargeClasses, "Correction, or empty"); err != nil {
		return err
	}
	if row.ChargeFrequency, err = r.enum(fChargeFrequency, chargeFrequencies, "One-Time, Recurring or Usage-Based"); err != nil {
		return err
	}
	if row.PricingCategory, err = r.enum(fPricingCategory, pricingCategories, "Standard, Committed, Dynamic or Other"); err != nil {
		return err
	}
	row.ChargeDescription = r.str(fChargeDescription)
	return nil
}

// enum reads the cell of f as one of allowed's values; empty stays empty.
func (r *Reader) enum(f field, allowed map[string]string, want string) (string, error) {
	s := r.str(f)
	if s == "" {
		return "", nil
	}
	for k, v := range allowed {
		if strings.EqualFold(k, s) {
			return v, nil
		}
	}
	return "", r.cellError(f, strconv.Quote(s)+" is not a FOCUS "+names[f]+": expected "+want)
}

func (r *Reader) mapTags(row *cost.Row) error {
	var err error
	if row.Tags, err = r.jsonTags(fTags, row.Tags); err != nil {
		return err
	}
	row.CostCategories, err = r.jsonTags(fXCostCategories, row.CostCategories)
	return err
}

// jsonTags decodes a JSON object of tags into tags, sorted by key. A null
// value is kept as a key-only tag (FOCUS allows them); a number or boolean is
// kept as its JSON text.
func (r *Reader) jsonTags(f field, tags []cost.Tag) ([]cost.Tag, error) {
	b := r.cell(f)
	if len(b) == 0 {
		return tags, nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return tags, r.cellError(f, "not a JSON object of tags such as {\"team\":\"web\"}: "+err.Error())
	}
	for k, v := range m {
		if k == "" {
			continue
		}
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case nil:
		default:
			j, _ := json.Marshal(v)
			s = string(j)
		}
		tags = append(tags, cost.Tag{Key: k, Value: s})
	}
	slices.SortFunc(tags, func(a, b cost.Tag) int { return strings.Compare(a.Key, b.Key) })
	return tags, nil
}
