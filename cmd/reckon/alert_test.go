package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// TestAlertCommandsListShowAndDismiss fires a budget's alert with the
// evaluator on the loaded costs, and lists, shows and dismisses it.
func TestAlertCommandsListShowAndDismiss(t *testing.T) {
	server, evaluator, _ := serveBudgets(t)
	at := func(args ...string) (int, string, string) {
		return cliAt(t, fixedClock{budgetNow}, append(args, "--server", server)...)
	}
	scope := "azure/subscriptions/" + budgetSub
	code, out, stderr := at("budget", "create", "--scope", scope, "--name", "tight", "--amount", "500", "--currency", "usd",
		"--notify", "actual>50%:email=ops@example.com", "--notify", "actual>=200%:email=ops@example.com")
	m := budgetIDLine.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("budget create: %d %q %s", code, out, stderr)
	}
	if err := evaluator.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}

	code, out, _ = at("alert", "list", "--scope", scope, "--state", "ACTIVE", "--kind", "budget")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	row := regexp.MustCompile(`^([0-9a-f]{16}) +active +budget +` + regexp.QuoteMeta(scope) + ` +2026-11-28 09:30 +Budget tight on .*625.00.*$`)
	if code != 0 || len(lines) != 2 || !regexp.MustCompile(`^ID +STATE +KIND +SCOPE +FIRED +MESSAGE$`).MatchString(lines[0]) ||
		!row.MatchString(lines[1]) {
		t.Fatalf("alert list: %d\n%s", code, out)
	}
	alert := row.FindStringSubmatch(lines[1])[1]
	if code, out, _ = at("budget", "list", "--scope", scope); code != 0 || !regexp.MustCompile(`(?m) 1 of 2$`).MatchString(out) {
		t.Errorf("budget list counts the active alert: %d\n%s", code, out)
	}

	code, out, _ = at("alert", "show", alert)
	matchAll(t, "alert show", code, out, `(?m)^State +active$`, `(?m)^Budget +tight \(`+m[1]+`\)$`,
		`(?m)^Notification +Actual_GreaterThan_50(\.0)?_Percent: Actual > 50% of 500.00 USD$`, `(?m)^Period +2026-11-01 to 2026-11-30$`,
		`(?m)^Spent +625.00 USD, 125%$`, `(?m)^TIME +EVENT +CHANNEL +TO +STATUS +ATTEMPTS +ERROR$`,
		`(?m)^2026-11-28 09:30 UTC +fired +email +ops@example.com +delivered +1 *$`)

	if code, out, _ = at("alert", "dismiss", alert); code != 0 || !strings.HasPrefix(out, "Dismissed alert "+alert+": Budget tight") {
		t.Errorf("alert dismiss: %d %q", code, out)
	}
	if code, _, stderr = at("alert", "dismiss", alert); code != 1 || !strings.Contains(stderr, "is dismissed, not active") {
		t.Errorf("a second dismissal: %d %q", code, stderr)
	}
	if code, out, _ = at("alert", "list", "--state", "active"); code != 0 || strings.Contains(out, alert) {
		t.Errorf("the dismissed alert is listed as active: %d\n%s", code, out)
	}
	if code, out, _ = at("alert", "list", "--state", "dismissed", "--format", "json"); code != 0 ||
		!strings.Contains(out, `"id": "`+alert+`"`) || !strings.Contains(out, `"dismissedBy": "admin"`) {
		t.Errorf("alert list --format json: %d\n%s", code, out)
	}
}

// TestAlertShowTellsAnAnomalyAndItsFailedDeliveries shows an anomaly alert
// put in the catalog as the evaluator would, resolved, with a webhook that
// failed.
func TestAlertShowTellsAnAnomalyAndItsFailedDeliveries(t *testing.T) {
	server, _, store := serveBudgets(t)
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	a := cost.Alert{ID: cost.NewAlertID(), Kind: cost.AlertAnomaly, Scope: cost.ScopeID("azure/subscriptions/" + budgetSub), State: cost.AlertResolved,
		Key: "anomaly/test", Anomaly: &cost.AnomalyAlert{Date: day, Dimension: "ServiceName", Value: "Virtual Machines", Type: "spike", Currency: "USD",
			Expected: decimal.MustParse("25"), Actual: decimal.MustParse("1234.5"), Impact: decimal.MustParse("1209.5"), Causes: []cost.AnomalyCause{}},
		Fired: budgetNow.Add(-time.Hour), Updated: budgetNow, Resolved: &budgetNow, Message: "Virtual Machines cost 1234.50 USD on 2026-11-24",
		Deliveries: []cost.Delivery{{Channel: "webhook", To: "https://hooks.example.com/x", Status: "failed", Attempts: 5, StatusCode: 500,
			Error: "500 Internal Server Error", Time: budgetNow.Add(-time.Hour), Event: "fired"}}}
	ctx := context.Background()
	if err := store.Update(ctx, func(tx cost.CatalogTx) error { return tx.PutAlert(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	code, out, _ := cliAt(t, fixedClock{budgetNow}, "alert", "show", a.ID, "--server", server)
	matchAll(t, "alert show", code, out, `(?m)^Kind +anomaly$`, `(?m)^State +resolved$`, `(?m)^Resolved +2026-11-28 09:30 UTC$`,
		`(?m)^Anomaly +spike on 2026-11-24: ServiceName Virtual Machines$`, `(?m)^Expected +25.00 USD$`, `(?m)^Actual +1,234.50 USD$`,
		`(?m)^Impact +1,209.50 USD$`,
		`(?m)^2026-11-28 08:30 UTC +fired +webhook +https://hooks.example.com/x +failed \(500\) +5 +500 Internal Server Error$`)
	code, out, _ = cliAt(t, fixedClock{budgetNow}, "alert", "list", "--kind", "ANOMALY", "--server", server)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[1], a.ID+"  resolved  anomaly  ") {
		t.Errorf("alert list --kind ANOMALY: %d\n%s", code, out)
	}
}
