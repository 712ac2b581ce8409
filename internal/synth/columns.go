package synth

import (
	"io"
	"strings"
)

// col indexes a cell of a row. The order is the order in the file: identity,
// bill, lineItem, product (alphabetical after ProductName), pricing,
// reservation, discount, savingsPlan, resourceTags, costCategory, as in real
// manifests.
type col int

const (
	cLineItemID col = iota
	cTimeInterval
	cInvoiceID
	cInvoicingEntity
	cBillingEntity
	cBillType
	cPayer
	cBPStart
	cBPEnd
	cUsageAccount
	cLineItemType
	cUsageStart
	cUsageEnd
	cProductCode
	cUsageType
	cOperation
	cAZ
	cResourceID
	cUsageAmount
	cNormFactor
	cNormUsage
	cCurrency
	cUnblendedRate
	cUnblendedCost
	cBlendedRate
	cBlendedCost
	cDescription
	cTaxType
	cNetRate
	cNetCost
	cLegalEntity
	cProductName
	cDatabaseEngine
	cFromLocation
	cInstanceFamily
	cInstanceType
	cLocation
	cMemory
	cOperatingSystem
	cProductFamily
	cRegion
	cRegionCode
	cServicecode
	cServicename
	cSku
	cStorageClass
	cTenancy
	cToLocation
	cTransferType
	cProdUsagetype
	cVcpu
	cVolumeAPIName
	cVolumeType
	cLeaseLength
	cOfferingClass
	cPurchaseOption
	cPublicODCost
	cPublicODRate
	cTerm
	cUnit
	cRIAmortForUsage
	cRIAmortForPeriod
	cRIEffectiveCost
	cRIEndTime
	cRIModification
	cRINetEffectiveCost
	cRINetUnusedAmort
	cRINetUnusedRec
	cRICount
	cRIRecurringForUsage
	cRIARN
	cRIStartTime
	cRIUnusedAmort
	cRIUnusedQuantity
	cRIUnusedRecurring
	cRIUpfrontValue
	cDiscEdp
	cDiscPrivateRate
	cDiscTotal
	cSPTotalCommitment
	cSPARN
	cSPRate
	cSPUsedCommitment
	cSPEffectiveCost
	cSPAmortUpfront
	cSPRecurring
	cSPNetEffectiveCost
	cSPNetAmortUpfront
	cSPNetRecurring
	cSPRegion
	cSPPurchaseTerm
	cSPPaymentOption
	cSPEndTime
	cSPStartTime
	cSPOfferingType
	cTagCreatedBy
	cTagCostCenter
	cTagEnvironment
	cTagTeam
	cCostCategoryBU
	cTagRequest // only with Options.Cardinality high
	numCols
)

// column describes one header cell. net columns exist only with
// Options.NetColumns.
type column struct {
	name string // category/Name
	typ  string // manifest type; "" leaves it out, as real manifests do for user tags
	net  bool
}

var columns = [numCols]column{
	cLineItemID:          {"identity/LineItemId", "String", false},
	cTimeInterval:        {"identity/TimeInterval", "Interval", false},
	cInvoiceID:           {"bill/InvoiceId", "String", false},
	cInvoicingEntity:     {"bill/InvoicingEntity", "String", false},
	cBillingEntity:       {"bill/BillingEntity", "String", false},
	cBillType:            {"bill/BillType", "String", false},
	cPayer:               {"bill/PayerAccountId", "String", false},
	cBPStart:             {"bill/BillingPeriodStartDate", "DateTime", false},
	cBPEnd:               {"bill/BillingPeriodEndDate", "DateTime", false},
	cUsageAccount:        {"lineItem/UsageAccountId", "String", false},
	cLineItemType:        {"lineItem/LineItemType", "String", false},
	cUsageStart:          {"lineItem/UsageStartDate", "DateTime", false},
	cUsageEnd:            {"lineItem/UsageEndDate", "DateTime", false},
	cProductCode:         {"lineItem/ProductCode", "String", false},
	cUsageType:           {"lineItem/UsageType", "String", false},
	cOperation:           {"lineItem/Operation", "String", false},
	cAZ:                  {"lineItem/AvailabilityZone", "String", false},
	cResourceID:          {"lineItem/ResourceId", "String", false},
	cUsageAmount:         {"lineItem/UsageAmount", "BigDecimal", false},
	cNormFactor:          {"lineItem/NormalizationFactor", "OptionalBigDecimal", false},
	cNormUsage:           {"lineItem/NormalizedUsageAmount", "OptionalBigDecimal", false},
	cCurrency:            {"lineItem/CurrencyCode", "String", false},
	cUnblendedRate:       {"lineItem/UnblendedRate", "String", false},
	cUnblendedCost:       {"lineItem/UnblendedCost", "BigDecimal", false},
	cBlendedRate:         {"lineItem/BlendedRate", "String", false},
	cBlendedCost:         {"lineItem/BlendedCost", "BigDecimal", false},
	cDescription:         {"lineItem/LineItemDescription", "String", false},
	cTaxType:             {"lineItem/TaxType", "String", false},
	cNetRate:             {"lineItem/NetUnblendedRate", "OptionalString", true},
	cNetCost:             {"lineItem/NetUnblendedCost", "OptionalBigDecimal", true},
	cLegalEntity:         {"lineItem/LegalEntity", "String", false},
	cProductName:         {"product/ProductName", "String", false},
	cDatabaseEngine:      {"product/databaseEngine", "String", false},
	cFromLocation:        {"product/fromLocation", "String", false},
	cInstanceFamily:      {"product/instanceFamily", "String", false},
	cInstanceType:        {"product/instanceType", "String", false},
	cLocation:            {"product/location", "String", false},
	cMemory:              {"product/memory", "String", false},
	cOperatingSystem:     {"product/operatingSystem", "String", false},
	cProductFamily:       {"product/productFamily", "String", false},
	cRegion:              {"product/region", "String", false},
	cRegionCode:          {"product/regionCode", "String", false},
	cServicecode:         {"product/servicecode", "String", false},
	cServicename:         {"product/servicename", "String", false},
	cSku:                 {"product/sku", "String", false},
	cStorageClass:        {"product/storageClass", "String", false},
	cTenancy:             {"product/tenancy", "String", false},
	cToLocation:          {"product/toLocation", "String", false},
	cTransferType:        {"product/transferType", "String", false},
	cProdUsagetype:       {"product/usagetype", "String", false},
	cVcpu:                {"product/vcpu", "String", false},
	cVolumeAPIName:       {"product/volumeApiName", "String", false},
	cVolumeType:          {"product/volumeType", "String", false},
	cLeaseLength:         {"pricing/LeaseContractLength", "String", false},
	cOfferingClass:       {"pricing/OfferingClass", "String", false},
	cPurchaseOption:      {"pricing/PurchaseOption", "String", false},
	cPublicODCost:        {"pricing/publicOnDemandCost", "BigDecimal", false},
	cPublicODRate:        {"pricing/publicOnDemandRate", "String", false},
	cTerm:                {"pricing/term", "String", false},
	cUnit:                {"pricing/unit", "String", false},
	cRIAmortForUsage:     {"reservation/AmortizedUpfrontCostForUsage", "OptionalBigDecimal", false},
	cRIAmortForPeriod:    {"reservation/AmortizedUpfrontFeeForBillingPeriod", "OptionalBigDecimal", false},
	cRIEffectiveCost:     {"reservation/EffectiveCost", "OptionalBigDecimal", false},
	cRIEndTime:           {"reservation/EndTime", "OptionalString", false},
	cRIModification:      {"reservation/ModificationStatus", "OptionalString", false},
	cRINetEffectiveCost:  {"reservation/NetEffectiveCost", "OptionalBigDecimal", true},
	cRINetUnusedAmort:    {"reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod", "OptionalBigDecimal", true},
	cRINetUnusedRec:      {"reservation/NetUnusedRecurringFee", "OptionalBigDecimal", true},
	cRICount:             {"reservation/NumberOfReservations", "String", false},
	cRIRecurringForUsage: {"reservation/RecurringFeeForUsage", "OptionalBigDecimal", false},
	cRIARN:               {"reservation/ReservationARN", "String", false},
	cRIStartTime:         {"reservation/StartTime", "OptionalString", false},
	cRIUnusedAmort:       {"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "OptionalBigDecimal", false},
	cRIUnusedQuantity:    {"reservation/UnusedQuantity", "OptionalBigDecimal", false},
	cRIUnusedRecurring:   {"reservation/UnusedRecurringFee", "OptionalBigDecimal", false},
	cRIUpfrontValue:      {"reservation/UpfrontValue", "OptionalBigDecimal", false},
	cDiscEdp:             {"discount/EdpDiscount", "OptionalBigDecimal", true},
	cDiscPrivateRate:     {"discount/PrivateRateDiscount", "OptionalBigDecimal", true},
	cDiscTotal:           {"discount/TotalDiscount", "OptionalBigDecimal", true},
	cSPTotalCommitment:   {"savingsPlan/TotalCommitmentToDate", "OptionalBigDecimal", false},
	cSPARN:               {"savingsPlan/SavingsPlanARN", "OptionalString", false},
	cSPRate:              {"savingsPlan/SavingsPlanRate", "OptionalBigDecimal", false},
	cSPUsedCommitment:    {"savingsPlan/UsedCommitment", "OptionalBigDecimal", false},
	cSPEffectiveCost:     {"savingsPlan/SavingsPlanEffectiveCost", "OptionalBigDecimal", false},
	cSPAmortUpfront:      {"savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", "OptionalBigDecimal", false},
	cSPRecurring:         {"savingsPlan/RecurringCommitmentForBillingPeriod", "OptionalBigDecimal", false},
	cSPNetEffectiveCost:  {"savingsPlan/NetSavingsPlanEffectiveCost", "OptionalBigDecimal", true},
	cSPNetAmortUpfront:   {"savingsPlan/NetAmortizedUpfrontCommitmentForBillingPeriod", "OptionalBigDecimal", true},
	cSPNetRecurring:      {"savingsPlan/NetRecurringCommitmentForBillingPeriod", "OptionalBigDecimal", true},
	cSPRegion:            {"savingsPlan/Region", "String", false},
	cSPPurchaseTerm:      {"savingsPlan/PurchaseTerm", "String", false},
	cSPPaymentOption:     {"savingsPlan/PaymentOption", "String", false},
	cSPEndTime:           {"savingsPlan/EndTime", "String", false},
	cSPStartTime:         {"savingsPlan/StartTime", "String", false},
	cSPOfferingType:      {"savingsPlan/OfferingType", "String", false},
	cTagCreatedBy:        {"resourceTags/aws:createdBy", "String", false},
	cTagCostCenter:       {"resourceTags/user:CostCenter", "", false},
	cTagEnvironment:      {"resourceTags/user:Environment", "", false},
	cTagTeam:             {"resourceTags/user:Team", "", false},
	cCostCategoryBU:      {"costCategory/BusinessUnit", "String", false},
	cTagRequest:          {"resourceTags/user:RequestId", "", false},
}

// activeColumns lists the columns written, in file order: net columns only
// with net, the per-row request tag only with high cardinality.
func activeColumns(net, high bool) []col {
	cs := make([]col, 0, numCols)
	for c := range numCols {
		if (net || !columns[c].net) && (high || c != cTagRequest) {
			cs = append(cs, c)
		}
	}
	return cs
}

// Header returns the CSV header cells written for the given NetColumns setting.
func Header(netColumns bool) []string {
	var h []string
	for _, c := range activeColumns(netColumns, false) {
		h = append(h, columns[c].name)
	}
	return h
}

// esc quotes a cell for CSV only when it must be, as AWS does.
func esc(s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return []byte(s)
	}
	return []byte(`"` + strings.ReplaceAll(s, `"`, `""`) + `"`)
}

// row holds the cells of one line item, already escaped.
type row [numCols][]byte

// csvOut buffers rows and flushes them to w in large writes.
type csvOut struct {
	w    io.Writer
	cols []col
	buf  []byte
	err  error
}

const flushAt = 1 << 20

func newCSVOut(w io.Writer, cols []col) *csvOut {
	return &csvOut{w: w, cols: cols, buf: make([]byte, 0, flushAt+64<<10)}
}

func (o *csvOut) header() {
	for i, c := range o.cols {
		if i > 0 {
			o.buf = append(o.buf, ',')
		}
		o.buf = append(o.buf, columns[c].name...)
	}
	o.buf = append(o.buf, '\n')
}

// appendRow renders r into b in the order of cols.
func appendRow(b []byte, cols []col, r *row) []byte {
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r[c]...)
	}
	return append(b, '\n')
}

// write adds already rendered rows.
func (o *csvOut) write(p []byte) {
	if len(o.buf)+len(p) > flushAt {
		o.flush()
	}
	if len(p) > flushAt {
		o.direct(p)
		return
	}
	o.buf = append(o.buf, p...)
}

func (o *csvOut) direct(p []byte) {
	if o.err == nil {
		_, o.err = o.w.Write(p)
	}
}

func (o *csvOut) flush() error {
	if len(o.buf) > 0 {
		o.direct(o.buf)
		o.buf = o.buf[:0]
	}
	return o.err
}
