package main

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// budgetSub is the subscription whose costs the budget tests count: 30.00
// USD a day in October, 25.00 a day in November to the 25th.
const budgetSub = "0b5e4a3c-9d2f-4a3c-8b1e-7a2b7f6e1a9c"

var budgetNow = time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)

type daySource struct {
	days []time.Time
	i    int
}

func (s *daySource) Next() (*cost.Row, error) {
	if s.i == len(s.days) {
		return nil, io.EOF
	}
	d := s.days[s.i]
	s.i++
	month := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	v := decimal.MustParse("25")
	if d.Month() == time.October {
		v = decimal.MustParse("30")
	}
	return &cost.Row{ProviderName: "Microsoft", PublisherName: "Microsoft", BillingAccountID: "ea-1", SubAccountID: budgetSub,
		SubAccountName: "Prod", BillingPeriodStart: month, BillingPeriodEnd: month.AddDate(0, 1, 0), ChargePeriodStart: d,
		ChargePeriodEnd: d.AddDate(0, 0, 1), ChargeCategory: "Usage", ChargeFrequency: "Usage-Based", PricingCategory: "Standard",
		BillingCurrency: "USD", BilledCost: v, EffectiveCost: v, ListCost: v, UnblendedCost: v, ServiceName: "Virtual Machines"}, nil
}

// mailRecorder is the notifier of the tests: it keeps the addresses told.
type mailRecorder struct{ to []string }

func (r *mailRecorder) Email(_ context.Context, to string, _ budget.Email) error {
	r.to = append(r.to, to)
	return nil
}

func (r *mailRecorder) Post(_ context.Context, url string, _ []byte) cost.Delivery {
	return cost.Delivery{To: url, Status: "delivered", Attempts: 1, StatusCode: 204, Time: budgetNow}
}

// serveBudgets serves a store holding the subscription's costs, as
// serveInProcess does, and returns the server's URL, the evaluator of its
// budgets and the store.
func serveBudgets(t *testing.T) (string, *budget.Evaluator, *duckstore.Store) {
	t.Helper()
	ctx := context.Background()
	clock := fixedClock{budgetNow}
	store, err := duckstore.Open(ctx, t.TempDir(), duckstore.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	src := &daySource{}
	for d := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC); d.Before(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		src.days = append(src.days, d)
	}
	if _, err := store.ReplacePeriods(ctx, cost.Load{Source: "budget-test", Version: "1"}, src); err != nil {
		t.Fatal(err)
	}
	err = store.Update(ctx, func(tx cost.CatalogTx) error {
		return cost.AddScope(ctx, tx, cost.Scope{ID: "azure/subscriptions/" + budgetSub, Name: "Prod"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.EnsureAdmin(ctx, store, clock, viewTestAdmin); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Catalog: store, Costs: store, Clock: clock}))
	t.Cleanup(srv.Close)
	t.Setenv("RECKON_TOKEN", viewTestAdmin)
	return srv.URL, budget.New(budget.Options{Catalog: store, Costs: store, Clock: clock, Notifier: &mailRecorder{}}), store
}

var budgetIDLine = regexp.MustCompile(`^Created budget ([0-9a-f]{16}), `)

// matchAll fails the test for each pattern out does not match.
func matchAll(t *testing.T, what string, code int, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if code != 0 || !regexp.MustCompile(p).MatchString(out) {
			t.Errorf("%s lacks %s: exit %d\n%s", what, p, code, out)
		}
	}
}

func TestBudgetCommandsCreateListShowEditAndDelete(t *testing.T) {
	server, _, _ := serveBudgets(t)
	at := func(args ...string) (int, string, string) {
		return cliAt(t, fixedClock{budgetNow}, append(args, "--server", server)...)
	}
	scope := "azure/subscriptions/" + budgetSub

	code, out, stderr := at("budget", "create", "--scope", scope, "--name", "prod-monthly", "--amount", "1000",
		"--notify", "actual>=50%:email=a@example.com,b@example.com,role=owner",
		"--notify", "Forecasted > 100 %: name=over,webhook=https://hooks.example.com/x?a=b")
	m := budgetIDLine.FindStringSubmatch(out)
	want := `"prod-monthly" on ` + scope + ": 1,000.00 USD Monthly from 2026-11-01 to 2036-11-01, 2 notifications.\n"
	if code != 0 || m == nil || !strings.HasSuffix(out, want) {
		t.Fatalf("budget create: %d %q %s\nwant the suffix %q", code, out, stderr, want)
	}
	id := m[1]

	// The period so far: 25 days of 25.00 in November.
	code, out, _ = at("budget", "list", "--scope", scope)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !regexp.MustCompile(`^ID +NAME +GRAIN +AMOUNT +SPENT +FORECAST +ALERTS$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^`+id+` +prod-monthly +Monthly +1,000.00 USD +625.00 \(63%\) +[0-9,]+\.\d\d \(\d+%\) +0 of 2$`).MatchString(lines[1]) {
		t.Errorf("budget list: %d\n%s", code, out)
	}

	code, out, _ = at("budget", "show", id)
	matchAll(t, "budget show", code, out, `(?m)^Name +prod-monthly$`, `(?m)^Amount +1,000.00 USD Monthly$`, `(?m)^Measure +BilledCost$`,
		`(?m)^Periods +2026-11-01 to 2036-11-01$`, `(?m)^This period +2026-11-01 to 2026-11-30$`, `(?m)^  spent +625.00 USD, 63%$`,
		`(?m)^Created +2026-11-28 09:30 UTC by admin$`,
		`(?m)^Actual_GreaterThanOrEqualTo_50(\.0)?_Percent +Actual >= 50% +true +email=a@example.com, email=b@example.com, role=Owner$`,
		`(?m)^over +Forecasted > 100% +true +webhook=https://hooks.example.com/x\?a=b$`,
		`(?m)^ *2026-11 +625.00 USD +█████████████░░░░░░░ 63%$`)

	// An edit that starts the budget a month earlier shows October in the
	// history; --notify replaces the notifications.
	code, out, stderr = at("budget", "edit", id, "--start", "2026-10-01", "--amount", "900.50", "--name", "prod",
		"--notify", "actual>100%:role=Contributor", "--filter", `ServiceName = "Virtual Machines"`)
	if code != 0 || !strings.HasPrefix(out, "Changed budget "+id+`, "prod" on `+scope+": 900.50 USD Monthly from 2026-10-01 to 2036-10-01, 1 notifications.") {
		t.Fatalf("budget edit: %d %q %s", code, out, stderr)
	}
	code, out, _ = at("budget", "show", id)
	matchAll(t, "the edited budget", code, out, `(?m)^Filter +ServiceName = .*Virtual Machines.*$`,
		`(?m)^ *2026-10 +930.00 USD +████████████████████ 103%$`, `(?m)^ *2026-11 +625.00 USD +██████████████░░░░░░ 69%$`,
		`(?m)^Actual_GreaterThan_100(\.0)?_Percent +Actual > 100% +true +role=Contributor$`)
	if strings.Contains(out, "a@example.com") {
		t.Errorf("--notify kept the old notifications:\n%s", out)
	}
	if code, out, _ = at("budget", "edit", id, "--no-notify"); code != 0 || !strings.HasSuffix(out, "0 notifications.\n") {
		t.Errorf("budget edit --no-notify: %d %q", code, out)
	}
	if code, out, _ = at("budget", "show", id, "--format", "json"); code != 0 || !strings.Contains(out, `"history": [`) ||
		!strings.Contains(out, `"spent": 930`) {
		t.Errorf("budget show --format json: %d\n%s", code, out)
	}

	if code, out, _ = at("budget", "delete", id); code != 0 || out != "Deleted budget "+id+".\n" {
		t.Errorf("budget delete: %d %q", code, out)
	}
	if code, _, stderr = at("budget", "show", id); code != 1 || !strings.Contains(stderr, "budget "+id+" does not exist") {
		t.Errorf("budget show after the deletion: %d %s", code, stderr)
	}
	if code, out, _ = at("budget", "list", "--scope", scope); code != 0 || strings.TrimSpace(out) != "ID  NAME  GRAIN  AMOUNT  SPENT  FORECAST  ALERTS" {
		t.Errorf("budget list after the deletion: %d %q", code, out)
	}
}

func TestBudgetAlertAndRateCommandsRefuseBadInput(t *testing.T) {
	server, _, _ := serveBudgets(t)
	dir := t.TempDir()
	create := func(extra ...string) []string {
		return append([]string{"budget", "create", "--scope", "mg/root", "--name", "n", "--amount", "10", "--currency", "USD"}, extra...)
	}
	notify := func(spec string) []string { return create("--notify", spec) }
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"create without an amount", []string{"budget", "create", "--scope", "mg/root", "--name", "n"}, 2, "--scope, --name and --amount are required"},
		{"create with an amount that is not a number", create("--amount", "$1,000"), 2, `--amount "$1,000" is not a number`},
		{"create with a start that is not a date", create("--start", "next month"), 2, `--start "next month" is not a date: write YYYY-MM-DD`},
		{"create with an end that is not a date", create("--end", "2027/01/01"), 2, `--end "2027/01/01" is not a date`},
		{"a notification without a colon", notify("actual>80%"), 2, `--notify "actual>80%": write WHEN:CONTACTS`},
		{"a notification of no known kind", notify("spent>80%:email=a@example.com"), 2,
			`--notify "spent>80%:email=a@example.com": "spent>80%" is not a threshold: write actual or forecasted, > or >=, and a percent`},
		{"a notification with an operator not > or >=", notify("actual<80%:email=a@example.com"), 2, `"actual<80%" is not a threshold`},
		{"a notification without a number", notify("actual>lots:email=a@example.com"), 2, `"actual>lots" is not a threshold`},
		{"a notification telling no one", notify("actual>80%:"), 2, "say whom to tell after the colon"},
		{"a notification with an unknown contact", notify("actual>80%:sms=555"), 2, `unknown contact "sms": use email=, role=, webhook= or name=`},
		{"a notification with an empty contact", notify("actual>80%:email="), 2, "email= needs a value"},
		{"a notification with a bare word", notify("actual>80%:owner"), 2, `"owner" is not email=, role=, webhook= or name=, nor an email address`},
		{"a notification named twice", notify("actual>80%:name=a,name=b,role=Owner"), 2, "give the notification one name"},
		{"a notification the server refuses", notify("actual>1001%:role=Owner"), 1, "is a percent of the amount: above 0 and at most 1000"},
		{"a role the server does not know", notify("actual>80%:role=Admin"), 1, `role "Admin" is not valid: use Owner, Contributor or Reader`},
		{"six notifications", create("--notify", "actual>1%:role=Owner", "--notify", "actual>2%:role=Owner", "--notify", "actual>3%:role=Owner",
			"--notify", "actual>4%:role=Owner", "--notify", "actual>5%:role=Owner", "--notify", "actual>6%:role=Owner"), 1,
			"a budget has at most 5 notifications; got 6"},
		{"a start that is not the first of a month", create("--start", "2026-11-15"), 1, "must be the first day of a month"},
		{"a grain not in the set", create("--grain", "weekly"), 1, `timeGrain "weekly" is not one of Monthly, Quarterly, Annually`},
		{"a measure not in the set", create("--measure", "ListCost"), 1, `measure "ListCost": a budget counts BilledCost (actual, the default) or EffectiveCost (amortized)`},
		{"a filter that does not parse", create("--filter", "ServiceName ~ EC2"), 1, "the budget's filter: "},
		{"an end before the start", create("--start", "2026-11-01", "--end", "2026-10-01"), 1, "is not after its startDate 2026-11-01"},
		{"edit without an ID", []string{"budget", "edit", "--amount", "5"}, 2, "give one budget ID, as `reckon budget list --scope S` shows; got 0 arguments"},
		{"edit of nothing", []string{"budget", "edit", "0123456789abcdef"}, 2, "give what to change: --name, --amount"},
		{"edit with --notify and --no-notify", []string{"budget", "edit", "0123456789abcdef", "--no-notify", "--notify", "actual>1%:role=Owner"}, 2,
			"give --notify or --no-notify, not both"},
		{"edit of a budget that does not exist", []string{"budget", "edit", "0123456789abcdef", "--amount", "5"}, 1, "budget 0123456789abcdef does not exist"},
		{"list without a scope", []string{"budget", "list"}, 2, "--scope is required: the scope whose budgets to list"},
		{"show of an ID that is not one", []string{"budget", "show", "../users"}, 1, `budget "../users" does not exist: a budget ID is 16 hex digits`},
		{"delete of two IDs", []string{"budget", "delete", "a", "b"}, 2, "give one budget ID"},
		{"alert list in a state not in the set", []string{"alert", "list", "--state", "open"}, 2, `--state "open": use active, dismissed or resolved`},
		{"alert list of a kind not in the set", []string{"alert", "list", "--kind", "cost"}, 2, `--kind "cost": use budget or anomaly`},
		{"alert show without an ID", []string{"alert", "show"}, 2, "give one alert ID, as `reckon alert list` shows; got 0 arguments"},
		{"alert dismiss of an alert that does not exist", []string{"alert", "dismiss", "0123456789abcdef"}, 1, "alert 0123456789abcdef does not exist"},
		{"rate set with two arguments", []string{"rate", "set", "EUR", "USD"}, 2, "give FROM TO RATE, such as EUR USD 1.08; got 2 arguments"},
		{"rate set of a currency not a code", []string{"rate", "set", "EURO", "USD", "1.1"}, 2, `currency "EURO" is not an ISO 4217 code`},
		{"rate set of a rate not a number", []string{"rate", "set", "EUR", "USD", "1,1"}, 2, `rate "1,1" is not a number`},
		{"rate set of a rate of 0", []string{"rate", "set", "EUR", "USD", "0"}, 2, "the rate from EUR to USD must be above 0; got 0"},
		{"rate delete with one argument", []string{"rate", "delete", "EUR"}, 2, "give FROM TO, such as EUR USD; got 1 arguments"},
		{"rate import without a file", []string{"rate", "import"}, 2, "give one CSV file of from,to,rate lines; got 0 arguments"},
		{"rate import of a file missing", []string{"rate", "import", dir + "/none.csv"}, 1, "open the rates:"},
		{"rate import of a line with two fields", []string{"rate", "import", writeFile(t, dir, "two.csv", "EUR,USD,1.08\nGBP,USD\n")}, 1,
			"two.csv line 2: 2 fields; write from,to,rate, such as EUR,USD,1.08 (nothing was sent)"},
		{"rate import of a pair twice", []string{"rate", "import", writeFile(t, dir, "twice.csv", "EUR,USD,1.08\neur,usd,1.09\n")}, 1,
			"twice.csv line 2: EUR to USD is on line 1 too: give each pair once (nothing was sent)"},
		{"rate import of a header alone", []string{"rate", "import", writeFile(t, dir, "empty.csv", "from,to,rate\n")}, 1, "empty.csv has no rates"},
		{"a format not in the set", []string{"rate", "list", "--format", "yaml"}, 2, `--format "yaml": use table or json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := cliAt(t, fixedClock{budgetNow}, append(tt.args, "--server", server)...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, %q; want %d and %q", code, stderr, tt.code, tt.msg)
			}
		})
	}
}

// writeFile writes text to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNotifyReadsEveryForm(t *testing.T) {
	tests := []struct {
		spec string
		want notificationBody
	}{
		{"actual>=90%:email=a@example.com,role=Owner,webhook=https://hooks.example.com/x?a=b&c=d",
			notificationBody{Operator: "GreaterThanOrEqualTo", Threshold: "90", ThresholdType: "Actual", ContactEmails: []string{"a@example.com"},
				ContactRoles: []string{"Owner"}, Webhooks: []string{"https://hooks.example.com/x?a=b&c=d"}}},
		{"Forecasted > 100.5 % : role=Contributor, role=Reader, name=late",
			notificationBody{Name: "late", Operator: "GreaterThan", Threshold: "100.5", ThresholdType: "Forecasted", ContactRoles: []string{"Contributor", "Reader"}}},
		{"forecast>80:a@example.com,b@example.com,",
			notificationBody{Operator: "GreaterThan", Threshold: "80", ThresholdType: "Forecasted", ContactEmails: []string{"a@example.com", "b@example.com"}}},
		{"ACTUAL>1:Email=x@example.com",
			notificationBody{Operator: "GreaterThan", Threshold: "1", ThresholdType: "Actual", ContactEmails: []string{"x@example.com"}}},
	}
	for _, tt := range tests {
		got, err := parseNotify(tt.spec)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseNotify(%q) = %+v, %v\nwant %+v", tt.spec, got, err, tt.want)
		}
	}
}

// FuzzParseNotify: any --notify is read or refused as a usage error, and
// what is read tells someone at a threshold that is a number.
func FuzzParseNotify(f *testing.F) {
	for _, s := range []string{"actual>=90%:email=a@example.com,role=Owner", "forecasted>100%:role=Contributor", "actual>80%:", ":", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		n, err := parseNotify(spec)
		if err != nil {
			if _, ok := err.(usageError); !ok {
				t.Fatalf("parseNotify(%q): %T %v, want a usage error", spec, err, err)
			}
			return
		}
		if _, err := decimal.Parse(string(n.Threshold)); err != nil || len(n.ContactEmails)+len(n.ContactRoles)+len(n.Webhooks) == 0 {
			t.Fatalf("parseNotify(%q) = %+v", spec, n)
		}
	})
}

// TestABudgetThatCannotBeMeasuredSaysWhy: a budget in euros over costs in
// dollars is measured with the rate, and says why not once it is gone.
func TestABudgetThatCannotBeMeasuredSaysWhy(t *testing.T) {
	server, _, _ := serveBudgets(t)
	at := func(args ...string) (int, string, string) {
		return cliAt(t, fixedClock{budgetNow}, append(args, "--server", server)...)
	}
	scope := "azure/subscriptions/" + budgetSub
	if code, _, stderr := at("budget", "create", "--scope", scope, "--name", "in-euros", "--amount", "1000", "--currency", "EUR"); code != 1 ||
		!strings.Contains(stderr, "no exchange rate from USD to EUR, the budget's currency: set one with `reckon rate set USD EUR RATE`") {
		t.Fatalf("a budget in euros without a rate: %d %s", code, stderr)
	}
	if code, _, stderr := at("rate", "set", "USD", "EUR", "0.92"); code != 0 {
		t.Fatalf("rate set: %d %s", code, stderr)
	}
	code, out, stderr := at("budget", "create", "--scope", scope, "--name", "in-euros", "--amount", "1000", "--currency", "EUR")
	m := budgetIDLine.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("a budget in euros with the rate: %d %q %s", code, out, stderr)
	}
	code, out, _ = at("budget", "show", m[1])
	matchAll(t, "budget show", code, out, `(?m)^  spent +575.00 EUR, 58%$`, `(?m)^  rate +1 USD = 0.92 EUR \(set 2026-11-28\)$`)
	if code, _, _ = at("rate", "delete", "USD", "EUR"); code != 0 {
		t.Fatal("rate delete")
	}
	code, out, _ = at("budget", "list", "--scope", scope)
	matchAll(t, "budget list", code, out, `(?m)^`+m[1]+` +in-euros +Monthly +1,000.00 EUR +\? +\? +0 of 0$`,
		`(?m)^cannot measure in-euros: the scope has costs in USD and Reckon has no exchange rate from USD to EUR`)
	code, out, _ = at("budget", "show", m[1])
	matchAll(t, "budget show", code, out, `(?m)^Cannot measure +the scope has costs in USD`)
}
