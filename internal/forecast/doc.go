// Package forecast forecasts a scope's daily cost to the end of a month,
// quarter or year, with an 80% band, by a method simple enough to explain
// to the person who pays the bill. It reads daily sums that the caller
// gets from the one query path, so what it forecasts is exactly what that
// caller may see.
//
// # Method
//
// The days before today are complete; today is partial. Each currency is
// forecast alone, and each day's cost in two parts by its FOCUS
// ChargeFrequency:
//
//   - Recurring charges (monthly fees, Reserved Instance fees, tax) repeat
//     on their day of the month: a day's forecast is what the latest
//     complete day with the same day of the month was charged, up to a year
//     back (a 31st skips the months without one).
//   - Everything else (usage, and one-time purchases, credits and refunds)
//     is forecast at the median of the same weekday over the last Weeks (4)
//     weeks of complete days. The median passes over a one-time purchase or
//     refund unless it happens on most of those days, and keeps a credit
//     that does. A scope with less than a week of history has every day
//     forecast at the median of all its days. Days before the first one with
//     data are not history; later days with no rows cost nothing.
//
// The band comes from a backtest of the same rule on the last BacktestDays
// (28) complete days: for a day k days ahead (k ≤ MaxLead, 28; farther
// days take 28), the band is the forecast plus the 10th and the 90th
// percentile of the errors the rule made forecasting each of those days
// from k days before it, with as many weeks of history as today's forecast
// has. Percentiles interpolate at rank p×(n+1) (Hyndman and Fan's type 6),
// which holds on average p of new errors whatever their number. A lead
// with fewer than 7 errors to read takes the band of the lead before it;
// when even today's has too few, the band is the spread of the recent days
// around their median, and a note says so. Recurring charges have no
// band. Today's forecast is never below what today has cost so far.
//
// Data that stops before yesterday, by at most MaxLateDays (7), is late, as
// a CUR arrives a day or more behind: the model's today is the day after
// the last with data, the days since are forecast rather than counted as
// costing nothing, and a note says so. A longer silence is taken for no
// cost (a closed account), with a note that says the forecast is too low
// if the data is late. The band always holds the forecast, also when the backtest's
// errors all lean one way (a steep trend).
//
// The period's total is the complete days' actual cost plus the forecast
// of today and the days to come. Its band is the sum of the daily bands:
// it assumes the days err together, as when the trend changes, so on
// independent noise it is wider than 80%.
//
// The method does not extrapolate a trend: a series that grows is forecast
// at the level of the last two weeks or so. The held-out test in
// heldout_test.go measures the error on generated series with a weekly
// pattern, a monthly fee, growth and one-time purchases; the README quotes
// its figures. A period already over is all actuals; a period with no
// history is forecast at zero, with a note.
//
// All the arithmetic is exact decimal: sums, medians (the mean of the two
// middle values is a product by 0.5) and percentiles (interpolated in
// hundredths). No float64 touches a cost.
package forecast
