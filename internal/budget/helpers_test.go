package budget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// The AWS organization the tests bill: a payer and one linked account.
const (
	payer   = "111122223333"
	member  = "444455556666"
	billing = cost.ScopeID("aws/billing/" + payer)
	linked  = cost.ScopeID("aws/accounts/" + member)
	curName = "aws-cur/" + payer + "/daily"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func monthOf(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }

// openStore opens the DuckDB store in dir, closed when the test ends.
func openStore(t testing.TB, dir string) *duckstore.Store {
	t.Helper()
	store, err := duckstore.Open(context.Background(), dir, duckstore.Options{})
	must(t, err)
	t.Cleanup(func() { store.Close() })
	return store
}

// newStore is a store on disk holding the payer's billing account and its
// linked account, under the management group mg/platform.
func newStore(t testing.TB) (*duckstore.Store, string) {
	t.Helper()
	dir := t.TempDir()
	store := openStore(t, dir)
	change(t, store, func(ctx context.Context, tx cost.CatalogTx) error {
		for _, s := range []cost.Scope{
			{ID: "mg/platform", Name: "Platform"},
			{ID: billing, Name: "Payer"},
			{ID: linked, Name: "Shop", Group: "mg/platform", BillingAccount: billing},
		} {
			if err := cost.AddScope(ctx, tx, s); err != nil {
				return err
			}
		}
		return nil
	})
	return store, dir
}

// change changes the catalog in one transaction.
func change(t testing.TB, c cost.Catalog, fn func(context.Context, cost.CatalogTx) error) {
	t.Helper()
	ctx := context.Background()
	must(t, c.Update(ctx, func(tx cost.CatalogTx) error { return fn(ctx, tx) }))
}

// read reads the catalog.
func read[T any](t testing.TB, c cost.Catalog, fn func(context.Context, cost.CatalogReader) (T, error)) T {
	t.Helper()
	ctx := context.Background()
	var out T
	must(t, c.View(ctx, func(r cost.CatalogReader) (err error) {
		out, err = fn(ctx, r)
		return err
	}))
	return out
}

// saveBudget validates and stores a budget as the API does, and returns it
// as stored; one not created at a given time was created on its start date.
func saveBudget(t testing.TB, c cost.Catalog, b cost.Budget) cost.Budget {
	t.Helper()
	b.ID = cost.NewBudgetID()
	if b.Created.IsZero() {
		b.Created, b.CreatedBy = b.StartDate, "carol@example.com"
	}
	must(t, b.Validate())
	change(t, c, func(ctx context.Context, tx cost.CatalogTx) (err error) {
		b, err = cost.SaveBudget(ctx, tx, b)
		return err
	})
	return b
}

// alerts returns the budget's alerts, the latest fired first.
func alerts(t testing.TB, c cost.Catalog, budgetID string) []cost.Alert {
	t.Helper()
	return read(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.Alert, error) {
		return r.Alerts(ctx, cost.AlertFilter{Budget: budgetID})
	})
}

// alertOf returns the alert of a notification in the period starting on
// start; false when there is none.
func alertOf(t testing.TB, c cost.Catalog, b cost.Budget, notification string, start time.Time) (cost.Alert, bool) {
	t.Helper()
	for _, a := range alerts(t, c, b.ID) {
		if a.Budget.Notification == notification && a.Budget.Period.Start.Equal(start) {
			return a, true
		}
	}
	return cost.Alert{}, false
}

// auditActions returns the actions of the evaluator's audit entries.
func auditActions(t testing.TB, c cost.Catalog) []string {
	t.Helper()
	entries := read(t, c, func(ctx context.Context, r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(ctx) })
	var out []string
	for _, e := range entries {
		if e.User == budget.Actor {
			out = append(out, e.Action)
		}
	}
	return out
}

// clock is a clock the test sets.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// sent is one notification the recorder received.
type sent struct {
	Time    time.Time
	Channel string // email or webhook
	To      string
	Email   budget.Email
	Body    []byte
	Payload payload // the webhook body, decoded
}

// payload is the webhook body as a receiver reads it.
type payload struct {
	Type  string     `json:"type"`
	Event string     `json:"event"`
	Alert cost.Alert `json:"alert"`
	Link  string     `json:"link"`
}

// recorder is a budget.Notifier that records what it is asked to send: it
// stands for the mail server and the webhook receivers, which are outside
// Reckon.
type recorder struct {
	clock cost.Clock
	mu    sync.Mutex
	sent  []sent
}

func (r *recorder) Email(ctx context.Context, to string, m budget.Email) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, sent{Time: r.clock.Now(), Channel: "email", To: to, Email: m})
	return nil
}

func (r *recorder) Post(ctx context.Context, url string, body []byte) cost.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := sent{Time: r.clock.Now(), Channel: "webhook", To: url, Body: body}
	if err := json.Unmarshal(body, &s.Payload); err != nil {
		s.Payload.Type = "undecodable: " + err.Error()
	}
	r.sent = append(r.sent, s)
	return cost.Delivery{To: url, Status: "delivered", Attempts: 1, StatusCode: 200, Time: r.clock.Now()}
}

// take returns what was sent since the last take.
func (r *recorder) take() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sent
	r.sent = nil
	return out
}

// webhooks returns the webhook posts among s.
func webhooks(s []sent) []sent {
	var out []sent
	for _, x := range s {
		if x.Channel == "webhook" {
			out = append(out, x)
		}
	}
	return out
}

// emails returns the emails among s.
func emails(s []sent) []sent {
	var out []sent
	for _, x := range s {
		if x.Channel == "email" {
			out = append(out, x)
		}
	}
	return out
}

// newEvaluator is an evaluator over the store, logging into logs when it is
// not nil, with the web UI at https://reckon.example.com/.
func newEvaluator(store *duckstore.Store, clk cost.Clock, n budget.Notifier, logs *bytes.Buffer) *budget.Evaluator {
	return evaluatorAt(store, clk, n, logs, "https://reckon.example.com/")
}

// evaluatorAt is newEvaluator with the web UI at base.
func evaluatorAt(store *duckstore.Store, clk cost.Clock, n budget.Notifier, logs *bytes.Buffer, base string) *budget.Evaluator {
	var w io.Writer = io.Discard
	if logs != nil {
		w = logs
	}
	return budget.New(budget.Options{Catalog: store, Costs: store, Clock: clk, Notifier: n,
		Log: slog.New(slog.NewTextHandler(w, nil)), BaseURL: base})
}

// charge is one day's cost of one service in one account.
type charge struct {
	Day       time.Time
	Account   string
	Service   string
	Amount    string
	Currency  string // USD when empty
	Recurring bool
}

// row is the FOCUS row of a charge, billed to the payer.
func (c charge) row() *cost.Row {
	currency, freq, category := c.Currency, "Usage-Based", cost.ChargeUsage
	if currency == "" {
		currency = "USD"
	}
	if c.Recurring {
		freq, category = "Recurring", cost.ChargePurchase
	}
	period := monthOf(c.Day)
	amount := decimal.MustParse(c.Amount)
	return &cost.Row{ProviderName: "AWS", PublisherName: "Amazon Web Services, Inc.", InvoiceIssuerName: "Amazon Web Services, Inc.",
		BillingAccountID: payer, SubAccountID: c.Account,
		BillingPeriodStart: period, BillingPeriodEnd: period.AddDate(0, 1, 0),
		ChargePeriodStart: c.Day, ChargePeriodEnd: c.Day.AddDate(0, 0, 1),
		ChargeCategory: category, ChargeFrequency: freq, BilledCost: amount, EffectiveCost: amount, ListCost: amount,
		UnblendedCost: amount, BlendedCost: amount, BillingCurrency: currency, ServiceName: c.Service, RegionID: "us-east-1"}
}

// rowList is a RowSource over a slice.
type rowList struct {
	rows []*cost.Row
	i    int
}

func (l *rowList) Next() (*cost.Row, error) {
	if l.i >= len(l.rows) {
		return nil, io.EOF
	}
	l.i++
	return l.rows[l.i-1], nil
}

// deliver loads a CUR delivery of the month: it replaces the month's rows
// with the charges, as each month-to-date delivery (and each restatement)
// does.
func deliver(t testing.TB, store *duckstore.Store, month time.Time, version string, charges []charge) {
	t.Helper()
	var l rowList
	for _, c := range charges {
		if !monthOf(c.Day).Equal(month) {
			t.Fatalf("charge of %s in the delivery of %s", c.Day.Format(time.DateOnly), month.Format("2006-01"))
		}
		l.rows = append(l.rows, c.row())
	}
	_, err := store.ReplacePeriods(context.Background(), cost.Load{Source: curName, Version: version, BillingAccount: payer,
		Periods: []time.Time{month}, AllowEmpty: true}, &l)
	must(t, err)
}

// rat reads a decimal as an exact fraction.
func rat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("not a number: %q", s)
	}
	return r
}

// sum is the exact sum of the charges' amounts.
func sum(t testing.TB, charges []charge) *big.Rat {
	t.Helper()
	total := new(big.Rat)
	for _, c := range charges {
		total.Add(total, rat(t, c.Amount))
	}
	return total
}

// equalRat reports whether a decimal is exactly r.
func equalRat(t testing.TB, d decimal.Decimal, r *big.Rat) bool {
	t.Helper()
	return rat(t, d.String()).Cmp(r) == 0
}
