// Package budget evaluates budgets and finds cost anomalies, and tells
// people: it turns a scope's costs into alerts and sends them by email and
// webhook through a Notifier.
//
// # Budgets
//
// A budget's period is a month, a quarter or a year counted from its start
// date. Each evaluation reads, for the period that holds today and the one
// before it (a CUR restates the last month for days after it ends), the
// scope's daily cost under the budget's filter through the forecast of the
// one query path: its actual cost to date and its forecast total for the
// period, each currency on its own. Costs in another currency than the
// budget's are converted with the exchange rate Reckon has for the pair,
// and the alert records the rates it used; with no rate the budget cannot
// be evaluated, and says so.
//
// A notification compares the actual cost (thresholdType Actual) or the
// forecast total (Forecasted) with its share of the amount, exactly:
// cost×100 against amount×threshold. An alert is kept per budget,
// notification and period, under a key, in the catalog: it fires once
// when the cost first crosses, is resolved when a restatement brings the
// cost back under, and fires again if a later one takes it over once
// more. A forecast alert stays active while its period runs, however the
// forecast moves, so that a forecast near the threshold does not mail
// every day; it is resolved if the period ends under the threshold. A
// dismissed alert stays dismissed while the cost stays over. As the
// alert is stored before it is sent, a restart sends nothing twice (and a
// crash between the two sends nothing at all: delivery is at most once).
//
// Evaluations run after every load and on a schedule, one at a time, with
// time from the injected clock.
//
// # Recipients
//
// A notification is sent to its contact emails, to the users whose role on
// the scope (through the access rules, at send time) is one of its contact
// roles and whose user name is an email address, and POSTed to its
// webhooks. What is sent is the alert's scope's own figures: a recipient
// by role holds that role on the scope, so it never learns a cost it could
// not read.
package budget
