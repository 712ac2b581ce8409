package main

// The flags that write a budget (reckon budget create and edit) and the
// --notify syntax.

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// notifyHelp documents --notify's syntax.
const notifyHelp = `a threshold and whom to tell, WHEN:CONTACTS, repeated for up to 5: WHEN is
actual or forecasted, > or >=, and a percent of the amount; CONTACTS are
email=ADDRESS, role=Owner|Contributor|Reader (the users with that role on
the scope) and webhook=URL, comma-separated and each repeatable, and name=N
to name the notification; a bare address is an email. For example
  --notify 'actual>=90%:email=a@example.com,role=Owner,webhook=https://hooks.example.com/x'
  --notify 'forecasted>100%:role=Contributor'`

// budgetFlags are the flags that write a budget, for create and edit.
type budgetFlags struct {
	scope, name, amount, currency, grain, start, end, measure, filter string
	notify                                                            []string
	noNotify                                                          bool
}

func (bf *budgetFlags) register(cmd *cobra.Command, create bool) {
	fl := cmd.Flags()
	// defaults are what create takes when a flag is left out; edit keeps
	// the budget's.
	defaults := map[string]string{"currency": "", "grain": "", "start": "", "end": ""}
	if create {
		fl.StringVar(&bf.scope, "scope", "", "the scope whose cost the budget counts, e.g. mg/root or aws/accounts/123456789012")
		defaults = map[string]string{"currency": " (default: the currency of the scope's costs)", "grain": "Monthly",
			"start": " (default: the first of this month)", "end": " (default: ten years after the start)"}
	}
	fl.StringVar(&bf.name, "name", "", "the budget's name: 1-63 letters, digits, - and _, unique on its scope")
	fl.StringVar(&bf.amount, "amount", "", "the amount for each period, such as 1000 or 2500.50")
	fl.StringVar(&bf.currency, "currency", "", "the amount's currency, such as USD"+defaults["currency"])
	fl.StringVar(&bf.grain, "grain", defaults["grain"], "the period: Monthly, Quarterly or Annually")
	fl.StringVar(&bf.start, "start", "", "the first day of the first period, YYYY-MM-DD, the first of a month"+defaults["start"])
	fl.StringVar(&bf.end, "end", "", "the day the budget ends, YYYY-MM-DD, exclusive"+defaults["end"])
	fl.StringVar(&bf.measure, "measure", "", "the cost counted: BilledCost (actual, the default) or EffectiveCost (amortized)")
	fl.StringVar(&bf.filter, "filter", "", "count only the costs this filter keeps, e.g. \"ServiceName in (EC2, S3) and tag:env = prod\"")
	fl.StringArrayVar(&bf.notify, "notify", nil, notifyHelp)
	if !create {
		fl.BoolVar(&bf.noNotify, "no-notify", false, "remove every notification")
	}
}

// body checks the flags and writes the request: for create every field,
// for edit only the flags given.
func (bf *budgetFlags) body(cmd *cobra.Command, create bool) (*budgetBody, error) {
	given := func(name string) bool { return create || cmd.Flags().Changed(name) }
	b := &budgetBody{Scope: bf.scope, Name: bf.name, Currency: bf.currency, Measure: bf.measure}
	if create && (bf.scope == "" || bf.name == "" || bf.amount == "") {
		return nil, usageErrorf("--scope, --name and --amount are required")
	}
	if bf.amount != "" {
		if _, err := decimal.Parse(bf.amount); err != nil {
			return nil, usageErrorf("--amount %q is not a number: write it as 1000 or 2500.50, without a currency sign or separators", bf.amount)
		}
		b.Amount = json.Number(bf.amount)
	}
	if given("grain") {
		b.TimeGrain = bf.grain
	}
	if create && bf.start == "" {
		now := clockOf(cmd.Context()).Now().UTC()
		bf.start = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	for flag, value := range map[string]*string{"--start": &bf.start, "--end": &bf.end} {
		if *value == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, *value); err != nil {
			return nil, usageErrorf("%s %q is not a date: write YYYY-MM-DD, such as 2026-11-01", flag, *value)
		}
	}
	b.StartDate, b.EndDate = bf.start, bf.end
	if given("filter") && (bf.filter != "" || !create) {
		b.Filter = &bf.filter
	}
	if bf.noNotify && len(bf.notify) > 0 {
		return nil, usageErrorf("give --notify or --no-notify, not both")
	}
	if bf.noNotify || create {
		b.Notifications = []notificationBody{}
	}
	for _, spec := range bf.notify {
		n, err := parseNotify(spec)
		if err != nil {
			return nil, err
		}
		b.Notifications = append(b.Notifications, n)
	}
	if !create && !slices.ContainsFunc(budgetFlagNames, cmd.Flags().Changed) {
		return nil, usageErrorf("give what to change: --name, --amount, --currency, --grain, --start, --end, --measure, --filter, --notify or --no-notify")
	}
	return b, nil
}

// budgetFlagNames are the flags edit changes a budget by.
var budgetFlagNames = []string{"name", "amount", "currency", "grain", "start", "end", "measure", "filter", "notify", "no-notify"}

// notifyWhen is the WHEN of --notify: actual>=90%.
var notifyWhen = regexp.MustCompile(`^(?i)(actual|forecasted|forecast)\s*(>=|>)\s*([0-9]+(?:\.[0-9]+)?)\s*%?$`)

// parseNotify reads one --notify: WHEN:CONTACTS.
func parseNotify(spec string) (notificationBody, error) {
	fail := func(format string, args ...any) (notificationBody, error) {
		return notificationBody{}, usageErrorf("--notify %q: %s", spec, fmt.Sprintf(format, args...))
	}
	when, contacts, ok := strings.Cut(spec, ":")
	if !ok {
		return fail("write WHEN:CONTACTS, such as 'actual>=90%%:email=a@example.com'")
	}
	m := notifyWhen.FindStringSubmatch(strings.TrimSpace(when))
	if m == nil {
		return fail("%q is not a threshold: write actual or forecasted, > or >=, and a percent, such as actual>=90%%", when)
	}
	n := notificationBody{ThresholdType: "Actual", Operator: "GreaterThan", Threshold: json.Number(m[3])}
	if !strings.EqualFold(m[1], "actual") {
		n.ThresholdType = "Forecasted"
	}
	if m[2] == ">=" {
		n.Operator = "GreaterThanOrEqualTo"
	}
	for _, item := range strings.Split(contacts, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, value, ok := strings.Cut(item, "=")
		if !ok {
			if !strings.Contains(item, "@") {
				return fail("%q is not email=, role=, webhook= or name=, nor an email address", item)
			}
			key, value = "email", item
		}
		if value == "" {
			return fail("%s= needs a value", key)
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "email":
			n.ContactEmails = append(n.ContactEmails, value)
		case "role":
			n.ContactRoles = append(n.ContactRoles, value)
		case "webhook":
			n.Webhooks = append(n.Webhooks, value)
		case "name":
			if n.Name != "" {
				return fail("give the notification one name")
			}
			n.Name = value
		default:
			return fail("unknown contact %q: use email=, role=, webhook= or name=", key)
		}
	}
	if len(n.ContactEmails)+len(n.ContactRoles)+len(n.Webhooks) == 0 {
		return fail("say whom to tell after the colon: email=ADDRESS, role=Owner|Contributor|Reader or webhook=URL")
	}
	return n, nil
}

// plain writes a number of the API without the zeros that end its
// fraction: 50 for 50.0.
func plain(n json.Number) string {
	s := string(n)
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// moneyOf writes an amount of the API as money, or as sent when it is not
// a number.
func moneyOf(n json.Number, currency string) string {
	d, err := decimal.Parse(string(n))
	if err != nil {
		return string(n)
	}
	return money(d, currency)
}

// share is part×100/whole, exactly, and false when either is not a
// number or whole is 0.
func share(part, whole json.Number) (*big.Rat, bool) {
	p, ok1 := new(big.Rat).SetString(string(part))
	w, ok2 := new(big.Rat).SetString(string(whole))
	if !ok1 || !ok2 || w.Sign() == 0 {
		return nil, false
	}
	return p.Mul(p, big.NewRat(100, 1)).Quo(p, w), true
}

// percentOf writes part as a whole percent of whole: 62%.
func percentOf(part, whole json.Number) string {
	r, ok := share(part, whole)
	if !ok {
		return "?%"
	}
	return r.FloatString(0) + "%"
}

// barWidth is how many cells a history bar has: 100% fills them.
const barWidth = 20

// bar draws part's percent of whole: ████████░░░░░░░░░░░░ 40%; a period
// over its amount fills the bar and says by how much.
func bar(part, whole json.Number) string {
	r, ok := share(part, whole)
	if !ok {
		return "?%"
	}
	cells := new(big.Rat).Mul(r, big.NewRat(barWidth, 100))
	n, _ := new(big.Int).SetString(cells.FloatString(0), 10)
	filled := int(min(max(n.Int64(), 0), barWidth))
	return strings.Repeat("█", filled) + strings.Repeat("░", barWidth-filled) + " " + r.FloatString(0) + "%"
}
