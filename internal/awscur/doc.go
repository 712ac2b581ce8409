// Package awscur turns AWS Cost and Usage Report files into FOCUS cost rows,
// with no network: legacy CUR 1.0 CSV (gzip or plain, header mapped by name),
// its Athena snake_case form, CUR 2.0 CSV with JSON map columns, and the
// report manifests that say which files make up a billing period's current
// version. Every rule that turns a CUR column into a FOCUS column lives here:
// BilledCost, AWS's amortization formula for EffectiveCost, ChargeCategory,
// ServiceCategory and tag normalisation.
package awscur
