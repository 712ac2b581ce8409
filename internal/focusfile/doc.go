// Package focusfile reads and writes FOCUS CSV files, with no network. It
// reads them from any provider (FOCUS 1.0, 1.1 and 1.2, and the 1.3
// ServiceProviderName) into cost rows:
// the FOCUS sample data, AWS's "FOCUS 1.0 with AWS columns" Data Export,
// Microsoft's FOCUS cost export, Oracle's and Google's.
//
// Columns are found by name, exactly as FOCUS spells them or else ignoring
// case (with a warning). BillingPeriodStart, BillingPeriodEnd,
// ChargePeriodStart, ChargePeriodEnd and BilledCost are required. Amounts
// are exact decimals, in plain or scientific notation. Timestamps are ISO
// 8601, UTC when they carry no offset. A cell holding the word NULL, as some
// exports write null, is read as empty. Tags (and AWS's x_CostCategories)
// are JSON objects. A row whose cell count differs from the header's is an
// error, as a truncated file ends with one.
//
// The provider is ServiceProviderName when present, else ProviderName, so
// that Oracle or Google rows show as themselves.
//
// Not every column has a place in cost.Row. AWS's x_ServiceCode,
// x_UsageType, x_Operation and x_CostCategories, and the x_LineItemType,
// x_UnblendedCost and x_BlendedCost of Reckon's own export, map to its
// provider-detail fields, and ContractedCost to Row.ContractedCost; every
// other x_ column is kept in the row's Extra, by name. Other columns with
// no field (SkuId, ResourceName, CommitmentDiscountName, FOCUS 1.3's
// HostProviderName, provider columns without the x_ prefix, ...) are
// skipped. Warnings on the header name them.
//
// Writer writes rows as FOCUS 1.2 CSV, in the form Reader reads back into
// the same rows: Reckon's FOCUS export.
package focusfile
