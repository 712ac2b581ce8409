package cost

import (
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// FOCUS ChargeCategory values (FOCUS 1.2).
const (
	ChargeUsage      = "Usage"
	ChargePurchase   = "Purchase"
	ChargeTax        = "Tax"
	ChargeCredit     = "Credit"
	ChargeAdjustment = "Adjustment"
)

// Row is one cost line in FOCUS 1.2 columns, plus the provider-specific x_
// columns Reckon keeps. Empty strings and invalid NullDecimals are stored as
// NULL. Amounts stay below 10^19 in magnitude, which every reader checks;
// a store refuses a cost not below MaxCost (10^11), so that no sum of
// stored costs, nor of the differences the store keeps, can overflow.
//
// Rows produced by a streaming reader may share memory with the reader's
// buffers: they are valid until the reader's next call. Use Clone to keep one.
type Row struct {
	ProviderName      string
	PublisherName     string
	InvoiceIssuerName string
	InvoiceID         string

	BillingAccountID   string
	BillingAccountName string
	SubAccountID       string
	SubAccountName     string

	BillingPeriodStart time.Time
	BillingPeriodEnd   time.Time
	ChargePeriodStart  time.Time
	ChargePeriodEnd    time.Time

	ChargeCategory    string
	ChargeClass       string // "Correction" for corrections of a closed period, else empty
	ChargeFrequency   string // One-Time, Recurring or Usage-Based
	ChargeDescription string
	PricingCategory   string // Standard, Committed, Dynamic or Other

	BilledCost      decimal.Decimal
	EffectiveCost   decimal.Decimal
	ListCost        decimal.Decimal
	BillingCurrency string

	ServiceName      string
	ServiceCategory  string
	RegionID         string
	RegionName       string
	AvailabilityZone string
	ResourceID       string
	ResourceType     string

	PricingQuantity  NullDecimal
	PricingUnit      string
	ConsumedQuantity NullDecimal
	ConsumedUnit     string

	CommitmentDiscountID   string
	CommitmentDiscountType string

	// Tags are sorted by key with unique keys.
	Tags []Tag

	// Provider detail, stored as x_ columns.
	ServiceCode  string
	UsageType    string
	Operation    string
	LineItemType string
	// LineItemID is read but not stored: it is unique per row, and keeping
	// it cost as much as all the amounts together.
	LineItemID     string
	UnblendedCost  decimal.Decimal
	BlendedCost    decimal.Decimal
	CostCategories []Tag // AWS cost categories, sorted by name

	// ContractedCost is FOCUS ContractedCost, the cost at the prices
	// negotiated with the provider; invalid when the source has none, and
	// then x_UnblendedCost stands for it.
	ContractedCost NullDecimal
	// Extra holds the source's x_ columns that have no field above, by name
	// with its x_ prefix (x_SkuMeterCategory), sorted by key, unique keys.
	Extra []Tag
}

// Tag is one key and value of a row's Tags or cost categories.
type Tag struct {
	Key, Value string
}

// NullDecimal is a decimal that may be absent.
type NullDecimal struct {
	Decimal decimal.Decimal
	Valid   bool
}

// Clone returns a deep copy of r that shares no memory with any reader.
func (r *Row) Clone() *Row {
	c := *r
	for _, p := range c.stringFields() {
		*p = strings.Clone(*p)
	}
	c.Tags = cloneTags(r.Tags)
	c.CostCategories = cloneTags(r.CostCategories)
	c.Extra = cloneTags(r.Extra)
	return &c
}

func cloneTags(tags []Tag) []Tag {
	if tags == nil {
		return nil
	}
	out := make([]Tag, len(tags))
	for i, t := range tags {
		out[i] = Tag{strings.Clone(t.Key), strings.Clone(t.Value)}
	}
	return out
}

func (r *Row) stringFields() []*string {
	return []*string{
		&r.ProviderName, &r.PublisherName, &r.InvoiceIssuerName, &r.InvoiceID,
		&r.BillingAccountID, &r.BillingAccountName, &r.SubAccountID, &r.SubAccountName,
		&r.ChargeCategory, &r.ChargeClass, &r.ChargeFrequency, &r.ChargeDescription, &r.PricingCategory,
		&r.BillingCurrency, &r.ServiceName, &r.ServiceCategory, &r.RegionID, &r.RegionName,
		&r.AvailabilityZone, &r.ResourceID, &r.ResourceType, &r.PricingUnit, &r.ConsumedUnit,
		&r.CommitmentDiscountID, &r.CommitmentDiscountType,
		&r.ServiceCode, &r.UsageType, &r.Operation, &r.LineItemType, &r.LineItemID,
	}
}

// Tag returns the value of the tag key and whether the row has it.
func (r *Row) Tag(key string) (string, bool) {
	for _, t := range r.Tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}
