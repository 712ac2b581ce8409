// Package azexport turns Azure cost export files (cost details CSV) into
// FOCUS cost rows, with no network. It reads the EA and MCA cost details
// layouts in PascalCase and camelCase and the older usage layout, matching
// columns by name whatever their case, and holds every rule that turns an
// Azure column into a FOCUS column.
//
// The mapping (Azure column → FOCUS column):
//
//   - BilledCost: CostInBillingCurrency, else PreTaxCost, else Cost. In an
//     amortized export (Options.Amortized) the cost is EffectiveCost, and
//     BilledCost is that cost except on rows priced by a reservation or
//     savings plan (PricingModel Reservation or SavingsPlan) and on
//     UnusedReservation and UnusedSavingsPlan rows, which an actual export
//     bills at 0 or not at all (their purchase is billed instead).
//   - EffectiveCost: BilledCost in an actual export; the cost column in an
//     amortized one.
//   - ListCost: paygCostInBillingCurrency where present, else the cost.
//   - x_UnblendedCost and x_BlendedCost: BilledCost (Azure has no blended
//     rates), which also stands for ContractedCost.
//   - ChargeCategory from ChargeType: Usage, UnusedReservation and
//     UnusedSavingsPlan → Usage; Purchase and Refund → Purchase (FOCUS 1.2
//     counts refunds of a purchase as Purchase); Tax → Tax; Credit → Credit;
//     RoundingAdjustment → Adjustment; no ChargeType (older layout) → Usage;
//     anything else → Adjustment, with a warning.
//   - ChargeFrequency from Frequency: UsageBased → Usage-Based, Recurring,
//     OneTime → One-Time; without it, Usage-Based for usage, else One-Time.
//   - PricingCategory from PricingModel: OnDemand or none → Standard,
//     Reservation and SavingsPlan → Committed, Spot → Dynamic; none on
//     Tax, Credit and Adjustment rows.
//   - SubAccountId: SubscriptionGuid, else SubscriptionId, lower-cased
//     (Azure writes the same GUID in either case); SubAccountName:
//     SubscriptionName.
//   - BillingAccountId/Name: BillingAccountId/Name; the older layout has
//     none, so the subscription stands for its billing account.
//   - ChargePeriodStart/End: the day of Date or UsageDateTime (MM/DD/YYYY or
//     ISO), 00:00 UTC to 00:00 the next day.
//   - BillingPeriodStart/End: BillingPeriodStartDate, and the day after
//     BillingPeriodEndDate (Azure writes the last day, FOCUS wants the
//     exclusive end); without them, the calendar month of the charge.
//   - ServiceName: MeterCategory, else ServiceName, else ConsumedService,
//     else ProductName (a purchase may have no meter);
//     ServiceCategory from a table of meter categories, else ServiceFamily,
//     else Other.
//   - RegionId: ResourceLocation lower-cased without spaces, older names
//     translated ("US East 2" → eastus2); RegionName: Location, else
//     ResourceLocation when written as a name ("US East 2").
//   - ResourceId: ResourceId, InstanceId or InstanceName, lower-cased
//     (Azure resource IDs are case-insensitive and appear in mixed case for
//     one resource); ResourceType: ResourceType, else the type in the ID,
//     lower-cased likewise.
//   - PricingQuantity/Unit: Quantity or UsageQuantity and UnitOfMeasure;
//     ConsumedQuantity/Unit the same on usage rows.
//   - CommitmentDiscountId: BenefitId, else ReservationId (lower-cased);
//     CommitmentDiscountType: Reservation or Savings Plan from PricingModel.
//   - Tags: the Tags JSON object, also in Azure's form without the braces.
//   - ProviderName and InvoiceIssuerName: Microsoft; PublisherName:
//     PublisherName, else Microsoft; ChargeDescription: ProductName, else
//     MeterName; InvoiceId: InvoiceId.
//   - Provider detail: x_ServiceCode ConsumedService, x_UsageType MeterName,
//     x_LineItemType ChargeType.
package azexport
