package cost

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// Budget is an amount a scope's cost should stay under in each period of
// its grain, with notifications that fire when the actual or forecast cost
// of a period crosses a share of it. It is the Azure Budgets API's budget,
// on any Reckon scope: Readers of the scope see it, Contributors change it.
type Budget struct {
	ID       string          `json:"id"` // assigned by Reckon: NewBudgetID
	Scope    ScopeID         `json:"scope"`
	Name     string          `json:"name"` // unique on the scope whatever its case
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"` // the amount's; other currencies are converted with ExchangeRates
	// Measure is the cost the budget counts: BilledCost (actual, the
	// default) or EffectiveCost (amortized).
	Measure   Measure   `json:"measure"`
	TimeGrain TimeGrain `json:"timeGrain"`
	StartDate time.Time `json:"startDate"` // the first of a month, UTC: the first period starts there
	EndDate   time.Time `json:"endDate"`   // exclusive; ten years after StartDate by default
	// Filter narrows the costs counted, in the query language:
	// ServiceName = "Amazon EC2" and tag:env = prod.
	Filter        string         `json:"filter,omitempty"`
	Notifications []Notification `json:"notifications"`
	Created       time.Time      `json:"created"`
	CreatedBy     string         `json:"createdBy"`
	Updated       time.Time      `json:"updated"`
	UpdatedBy     string         `json:"updatedBy"`
}

// TimeGrain is how long a budget's period is.
type TimeGrain string

// The grains, as Azure names them. A period starts on the budget's start
// date and every grain after it.
const (
	GrainMonthly   TimeGrain = "Monthly"
	GrainQuarterly TimeGrain = "Quarterly"
	GrainAnnually  TimeGrain = "Annually"
)

// months is the grain's length.
func (g TimeGrain) months() int {
	switch g {
	case GrainQuarterly:
		return 3
	case GrainAnnually:
		return 12
	}
	return 1
}

// Operator compares a period's cost with a notification's threshold.
type Operator string

// The operators Azure budgets have.
const (
	OpGreaterThan          Operator = "GreaterThan"
	OpGreaterThanOrEqualTo Operator = "GreaterThanOrEqualTo"
)

// ThresholdType says which cost a notification compares: what the period
// has cost so far, or what it is forecast to cost by its end.
type ThresholdType string

// The threshold types.
const (
	ThresholdActual     ThresholdType = "Actual"
	ThresholdForecasted ThresholdType = "Forecasted"
)

// Notification is one threshold of a budget and whom to tell when the
// period's cost crosses it.
type Notification struct {
	Name          string          `json:"name"` // unique in the budget, e.g. Actual_GreaterThan_80_Percent
	Enabled       bool            `json:"enabled"`
	Operator      Operator        `json:"operator"`
	Threshold     decimal.Decimal `json:"threshold"` // percent of the amount, above 0 and at most 1000
	ThresholdType ThresholdType   `json:"thresholdType"`
	ContactEmails []string        `json:"contactEmails"`
	// ContactRoles are told through the access rules at send time: every
	// user whose role on the scope is one of them, by the user's name when
	// it is an email address.
	ContactRoles []Role   `json:"contactRoles"`
	Webhooks     []string `json:"webhooks"` // https or http URLs, POSTed a signed JSON alert
}

// The limits on a budget, Azure's where it has them.
const (
	MaxNotifications    = 5
	MaxContactEmails    = 50
	MaxWebhooks         = 10
	MaxThreshold        = 1000
	MaxBudgetsPerScope  = 100
	MaxBudgetYears      = 10
	maxWebhookURL       = 2048
	maxNotificationName = 128
)

// budgetName is what Azure allows in a budget's name, which is also a path
// segment of its URL.
var budgetName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,63}$`)

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// NewBudgetID returns a new budget ID: 16 lower-case hex digits.
func NewBudgetID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ParseBudgetID checks that s is shaped like a budget ID; one that is not
// names no budget.
func ParseBudgetID(s string) (string, error) {
	if !isHex(s, 16) || strings.ToLower(s) != s {
		return "", Errorf(ENotFound, "budget %s does not exist: a budget ID is 16 hex digits, as `reckon budget list` shows", Quote(s))
	}
	return s, nil
}

// Validate checks a budget before it is stored and puts its fields in
// their canonical form: the default measure and end date, and the
// notifications' names, operators and roles as Reckon spells them.
func (b *Budget) Validate() error {
	if !budgetName.MatchString(b.Name) {
		return Errorf(EInvalid, "budget name %s: use 1-63 letters, digits, - and _, as Azure allows", Quote(b.Name))
	}
	if _, err := ParseScopeID(string(b.Scope)); err != nil {
		return err
	}
	if b.Scope.Kind() == KindConnector {
		return Errorf(EInvalid, "a connector has no costs of its own: put the budget on its billing account, a linked account or a group")
	}
	if b.Amount.Sign() <= 0 {
		return Errorf(EInvalid, "the budget's amount must be above 0; got %s", b.Amount)
	}
	if b.Amount.Cmp(decimal.FromInt(1_000_000_000_000)) > 0 {
		return Errorf(EInvalid, "the budget's amount %s is above 1000000000000, the largest Reckon takes", b.Amount)
	}
	if !currencyCode.MatchString(b.Currency) {
		return Errorf(EInvalid, "currency %s: give the amount's ISO 4217 code in capitals, such as USD or EUR", Quote(b.Currency))
	}
	if err := b.checkMeasure(); err != nil {
		return err
	}
	if err := b.checkDates(); err != nil {
		return err
	}
	if b.Filter != "" {
		if err := CheckName("the budget's filter", b.Filter); err != nil {
			return err
		}
		if _, err := ParseFilter(b.Filter); err != nil {
			return Errorf(EInvalid, "the budget's filter: %s", ErrorMessage(err))
		}
	}
	return b.checkNotifications()
}

func (b *Budget) checkMeasure() error {
	switch {
	case b.Measure == "":
		b.Measure = MeasureBilled
	case strings.EqualFold(string(b.Measure), string(MeasureBilled)):
		b.Measure = MeasureBilled
	case strings.EqualFold(string(b.Measure), string(MeasureEffective)):
		b.Measure = MeasureEffective
	default:
		return Errorf(EInvalid, "measure %s: a budget counts BilledCost (actual, the default) or EffectiveCost (amortized)", Quote(string(b.Measure)))
	}
	return nil
}

func (b *Budget) checkDates() error {
	grain, err := ParseTimeGrain(string(b.TimeGrain))
	if err != nil {
		return err
	}
	b.TimeGrain = grain
	if b.StartDate.IsZero() {
		return Errorf(EInvalid, "give the budget's startDate: the first day of a month, such as 2026-11-01")
	}
	s := b.StartDate.UTC()
	if s.Day() != 1 || s.Hour() != 0 || s.Minute() != 0 || s.Second() != 0 || s.Nanosecond() != 0 {
		return Errorf(EInvalid, "the budget's startDate %s must be the first day of a month at midnight UTC, such as %s",
			s.Format(time.RFC3339), time.Date(s.Year(), s.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
	}
	b.StartDate = s
	if b.EndDate.IsZero() {
		b.EndDate = s.AddDate(MaxBudgetYears, 0, 0)
	}
	b.EndDate = b.EndDate.UTC()
	if !b.EndDate.After(s) {
		return Errorf(EInvalid, "the budget's endDate %s is not after its startDate %s", b.EndDate.Format(time.DateOnly), s.Format(time.DateOnly))
	}
	if b.EndDate.After(s.AddDate(MaxBudgetYears, 0, 0)) {
		return Errorf(EInvalid, "the budget's endDate %s is more than %d years after its startDate %s", b.EndDate.Format(time.DateOnly), MaxBudgetYears, s.Format(time.DateOnly))
	}
	return nil
}

// ParseTimeGrain reads a grain in any letter case.
func ParseTimeGrain(s string) (TimeGrain, error) {
	for _, g := range []TimeGrain{GrainMonthly, GrainQuarterly, GrainAnnually} {
		if strings.EqualFold(s, string(g)) {
			return g, nil
		}
	}
	return "", Errorf(EInvalid, "timeGrain %s is not one of Monthly, Quarterly, Annually", Quote(s))
}

func (b *Budget) checkNotifications() error {
	if len(b.Notifications) > MaxNotifications {
		return Errorf(EInvalid, "a budget has at most %d notifications; got %d", MaxNotifications, len(b.Notifications))
	}
	seen := map[string]bool{}
	for i := range b.Notifications {
		n := &b.Notifications[i]
		if err := n.validate(); err != nil {
			if n.Name == "" {
				return Errorf(EInvalid, "notification %d: %s", i+1, ErrorMessage(err))
			}
			return Errorf(EInvalid, "notification %s: %s", Quote(n.Name), ErrorMessage(err))
		}
		if n.Name == "" {
			n.Name = n.DefaultName() // of the canonical operator and type
		}
		key := strings.ToLower(n.Name)
		if seen[key] {
			return Errorf(EInvalid, "two notifications are named %s: give each its own name", Quote(n.Name))
		}
		seen[key] = true
	}
	return nil
}

// DefaultName is the name Azure's portal gives a notification.
func (n *Notification) DefaultName() string {
	return string(n.ThresholdType) + "_" + string(n.Operator) + "_" + string(n.Threshold.Append(nil, 0)) + "_Percent"
}

func (n *Notification) validate() error {
	if len(n.Name) > maxNotificationName || strings.ContainsAny(n.Name, "\x00\r\n") {
		return Errorf(EInvalid, "a notification's name has at most %d characters and no line breaks", maxNotificationName)
	}
	switch {
	case strings.EqualFold(string(n.Operator), string(OpGreaterThan)):
		n.Operator = OpGreaterThan
	case strings.EqualFold(string(n.Operator), string(OpGreaterThanOrEqualTo)):
		n.Operator = OpGreaterThanOrEqualTo
	default:
		return Errorf(EInvalid, "operator %s is not GreaterThan or GreaterThanOrEqualTo", Quote(string(n.Operator)))
	}
	switch {
	case n.ThresholdType == "" || strings.EqualFold(string(n.ThresholdType), string(ThresholdActual)):
		n.ThresholdType = ThresholdActual
	case strings.EqualFold(string(n.ThresholdType), string(ThresholdForecasted)):
		n.ThresholdType = ThresholdForecasted
	default:
		return Errorf(EInvalid, "thresholdType %s is not Actual or Forecasted", Quote(string(n.ThresholdType)))
	}
	if n.Threshold.Sign() <= 0 || n.Threshold.Cmp(decimal.FromInt(MaxThreshold)) > 0 {
		return Errorf(EInvalid, "threshold %s is a percent of the amount: above 0 and at most %d", n.Threshold.Append(nil, 0), MaxThreshold)
	}
	return n.checkContacts()
}

func (n *Notification) checkContacts() error {
	if len(n.ContactEmails) > MaxContactEmails {
		return Errorf(EInvalid, "at most %d contactEmails; got %d", MaxContactEmails, len(n.ContactEmails))
	}
	for _, e := range n.ContactEmails {
		if err := CheckEmail(e); err != nil {
			return err
		}
	}
	roles := n.ContactRoles[:0:0] // nil stays nil, empty stays empty (JSON null or [])
	for _, r := range n.ContactRoles {
		role, err := ParseRole(string(r))
		if err != nil {
			return Errorf(EInvalid, "contactRoles: %s", ErrorMessage(err))
		}
		if !slices.Contains(roles, role) {
			roles = append(roles, role)
		}
	}
	n.ContactRoles = roles
	if len(n.Webhooks) > MaxWebhooks {
		return Errorf(EInvalid, "at most %d webhooks; got %d", MaxWebhooks, len(n.Webhooks))
	}
	for _, w := range n.Webhooks {
		if err := CheckWebhookURL(w); err != nil {
			return err
		}
	}
	if len(n.ContactEmails)+len(n.ContactRoles)+len(n.Webhooks) == 0 {
		return Errorf(EInvalid, "give at least one of contactEmails, contactRoles or webhooks: whom to tell")
	}
	return nil
}

// emailShape is a practical check of an address: one @, no spaces or
// angle brackets, a dot in the domain. The mailer checks it again with
// net/mail.
var emailShape = regexp.MustCompile(`^[^\s@<>(),;:"\[\]\\]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)

// CheckEmail checks that s is a plain email address, as name@example.com.
func CheckEmail(s string) error {
	if len(s) > 254 || !emailShape.MatchString(s) {
		return Errorf(EInvalid, "contact email %s is not an address such as name@example.com", Quote(s))
	}
	return nil
}

// CheckWebhookURL checks that s is an absolute http or https URL with a
// host and no user name or password in it (a secret in a URL is shown
// wherever the budget is).
func CheckWebhookURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case len(s) > maxWebhookURL:
		return Errorf(EInvalid, "a webhook URL has at most %d bytes; got %d", maxWebhookURL, len(s))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return Errorf(EInvalid, "webhook %s is not an absolute http or https URL", Quote(redactURL(s)))
	case u.User != nil:
		return Errorf(EInvalid, "webhook %s has a user name or password in it: the URL is shown wherever the budget is; "+
			"verify deliveries by their Reckon-Signature instead", Quote(redactURL(s)))
	}
	return nil
}

// redactURL drops what stands before the last @ and cuts the URL at its
// query. The @ is found first: a password may hold a ? or # of its own.
func redactURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		if j := strings.LastIndex(s[i:], "@"); j >= 0 {
			s = s[:i+3] + "…" + s[i+j:]
		}
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	return s
}

// BudgetPeriod is one period of a budget: Start inclusive, End exclusive.
type BudgetPeriod struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// PeriodAt returns the budget's period that holds t, and false when t is
// before the budget starts or at or after its end.
func (b *Budget) PeriodAt(t time.Time) (BudgetPeriod, bool) {
	t = t.UTC()
	if t.Before(b.StartDate) || !t.Before(b.EndDate) {
		return BudgetPeriod{}, false
	}
	n := b.TimeGrain.months()
	months := (t.Year()-b.StartDate.Year())*12 + int(t.Month()-b.StartDate.Month())
	start := b.StartDate.AddDate(0, months-months%n, 0)
	return BudgetPeriod{Start: start, End: start.AddDate(0, n, 0)}, true
}

// Periods returns the budget's periods that start before t, oldest first:
// its history.
func (b *Budget) Periods(t time.Time) []BudgetPeriod {
	var out []BudgetPeriod
	for s := b.StartDate; s.Before(t) && s.Before(b.EndDate); s = s.AddDate(0, b.TimeGrain.months(), 0) {
		out = append(out, BudgetPeriod{Start: s, End: s.AddDate(0, b.TimeGrain.months(), 0)})
	}
	return out
}

// Crosses reports whether cost crosses the notification's threshold of
// the amount, exactly: cost×100 against amount×threshold.
func (n *Notification) Crosses(cost, amount decimal.Decimal) bool {
	c := cost.Mul(decimal.FromInt(100)).Cmp(amount.Mul(n.Threshold))
	if n.Operator == OpGreaterThanOrEqualTo {
		return c >= 0
	}
	return c > 0
}

// SaveBudget stores a budget in tx after checking what needs the catalog:
// the scope exists, its name is free on it, and the scope holds fewer than
// MaxBudgetsPerScope. The caller has authorized the change.
func SaveBudget(ctx context.Context, tx CatalogTx, b Budget) (Budget, error) {
	if _, ok, err := tx.Scope(ctx, b.Scope); err != nil {
		return b, err
	} else if !ok {
		return b, Errorf(ENotFound, "scope %s does not exist", b.Scope)
	}
	others, err := tx.Budgets(ctx, b.Scope)
	if err != nil {
		return b, err
	}
	n := 0
	for _, o := range others {
		if o.ID == b.ID {
			continue
		}
		n++
		if strings.EqualFold(o.Name, b.Name) {
			return b, Errorf(EConflict, "%s already has a budget named %s: choose another name, or edit that one", b.Scope, Quote(o.Name))
		}
	}
	if n >= MaxBudgetsPerScope {
		return b, Errorf(EConflict, "%s has %d budgets, the most a scope may have: delete one first", b.Scope, n)
	}
	return b, tx.PutBudget(ctx, b)
}
