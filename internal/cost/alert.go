package cost

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// Alert is a budget notification that fired, or a cost anomaly found, on a
// scope: Readers of the scope see it, Contributors dismiss it. An alert
// is kept as history once resolved.
type Alert struct {
	ID    string     `json:"id"`
	Kind  AlertKind  `json:"kind"`
	Scope ScopeID    `json:"scope"`
	State AlertState `json:"state"`
	// Key makes an alert unique: a budget's notification in one period,
	// or one series' anomaly on one day. Evaluations find their alert by
	// it, so that one fires once, whatever restarts in between.
	Key         string        `json:"-"`
	Budget      *BudgetAlert  `json:"budget,omitempty"`
	Anomaly     *AnomalyAlert `json:"anomaly,omitempty"`
	Fired       time.Time     `json:"fired"`
	Updated     time.Time     `json:"updated"`
	Resolved    *time.Time    `json:"resolved,omitempty"`
	Dismissed   *time.Time    `json:"dismissed,omitempty"`
	DismissedBy string        `json:"dismissedBy,omitempty"`
	// Message says what happened in a sentence, as the notifications do.
	Message    string     `json:"message"`
	Deliveries []Delivery `json:"deliveries"`
}

// AlertKind is what raised an alert.
type AlertKind string

// The alert kinds.
const (
	AlertBudget  AlertKind = "budget"
	AlertAnomaly AlertKind = "anomaly"
)

// AlertState is where an alert stands: active when it fires, dismissed by
// a Contributor who has seen it, resolved when a restatement (or, for an
// anomaly, nothing) brings the cost back under the threshold.
type AlertState string

// The alert states.
const (
	AlertActive    AlertState = "active"
	AlertDismissed AlertState = "dismissed"
	AlertResolved  AlertState = "resolved"
)

// ParseAlertState reads a state name in any letter case.
func ParseAlertState(s string) (AlertState, error) {
	for _, st := range []AlertState{AlertActive, AlertDismissed, AlertResolved} {
		if strings.EqualFold(s, string(st)) {
			return st, nil
		}
	}
	return "", Errorf(EInvalid, "alert state %s is not one of active, dismissed, resolved", Quote(s))
}

// BudgetAlert is what a budget's notification saw when it fired or last
// changed.
type BudgetAlert struct {
	BudgetID      string          `json:"budgetId"`
	BudgetName    string          `json:"budgetName"`
	Notification  string          `json:"notification"`
	Period        BudgetPeriod    `json:"period"`
	Operator      Operator        `json:"operator"`
	Threshold     decimal.Decimal `json:"threshold"`
	ThresholdType ThresholdType   `json:"thresholdType"`
	Amount        decimal.Decimal `json:"amount"`
	Currency      string          `json:"currency"`
	Spent         decimal.Decimal `json:"spent"`    // the period's actual cost so far, in Currency
	Forecast      decimal.Decimal `json:"forecast"` // the period's forecast total, in Currency
	// Measure and Filter are the budget's: which costs were counted.
	Measure Measure `json:"measure,omitempty"`
	Filter  string  `json:"filter,omitempty"`
	// Rates are the exchange rates that converted other currencies'
	// costs into Currency; none when every cost was in it.
	Rates []ExchangeRate `json:"rates,omitempty"`
}

// AnomalyAlert is one anomalous day of a scope's cost, or of one value of
// a dimension of it (a service, a linked account).
type AnomalyAlert struct {
	Date      time.Time       `json:"date"`
	Dimension string          `json:"dimension,omitempty"` // "" for the scope's whole cost
	Value     string          `json:"value,omitempty"`
	Type      string          `json:"type"` // spike, drop, new
	Currency  string          `json:"currency"`
	Expected  decimal.Decimal `json:"expected"`
	Actual    decimal.Decimal `json:"actual"`
	Impact    decimal.Decimal `json:"impact"`
	// Causes are the dimension values that moved the most that day.
	Causes []AnomalyCause `json:"causes"`
}

// AnomalyCause is one dimension value's part in an anomaly.
type AnomalyCause struct {
	Dimension string          `json:"dimension"`
	Value     string          `json:"value"`
	Expected  decimal.Decimal `json:"expected"`
	Actual    decimal.Decimal `json:"actual"`
	Impact    decimal.Decimal `json:"impact"`
}

// Delivery is one notification of an alert sent, or tried.
type Delivery struct {
	Channel    string    `json:"channel"` // email or webhook
	To         string    `json:"to"`      // the addresses, or the webhook URL without its query
	Status     string    `json:"status"`  // delivered or failed
	Attempts   int       `json:"attempts"`
	StatusCode int       `json:"statusCode,omitempty"`
	Error      string    `json:"error,omitempty"`
	Time       time.Time `json:"time"`
	Event      string    `json:"event"` // fired or refired
}

// NewAlertID returns a new alert ID: 16 lower-case hex digits.
func NewAlertID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ParseAlertID checks that s is shaped like an alert ID.
func ParseAlertID(s string) (string, error) {
	if !isHex(s, 16) || strings.ToLower(s) != s {
		return "", Errorf(ENotFound, "alert %s does not exist: an alert ID is 16 hex digits, as `reckon alert list` shows", Quote(s))
	}
	return s, nil
}

// AlertFilter selects alerts; an empty field matches any.
type AlertFilter struct {
	Scope  ScopeID
	Kind   AlertKind
	State  AlertState
	Key    string
	Budget string // a budget's ID
	Since  time.Time
	Limit  int // the newest Limit; 0 for all
}

// AnomalySubscription tells people of the anomalies found on a scope:
// its total, its services and, at a billing account, its accounts.
type AnomalySubscription struct {
	ID            string          `json:"id"`
	Scope         ScopeID         `json:"scope"`
	Name          string          `json:"name"`
	MinImpact     decimal.Decimal `json:"minImpact"` // the least impact worth telling, in the anomaly's currency
	ContactEmails []string        `json:"contactEmails"`
	ContactRoles  []Role          `json:"contactRoles"`
	Webhooks      []string        `json:"webhooks"`
	Created       time.Time       `json:"created"`
	CreatedBy     string          `json:"createdBy"`
}

// Validate checks a subscription before it is stored.
func (s *AnomalySubscription) Validate() error {
	if !budgetName.MatchString(s.Name) {
		return Errorf(EInvalid, "subscription name %s: use 1-63 letters, digits, - and _", Quote(s.Name))
	}
	if _, err := ParseScopeID(string(s.Scope)); err != nil {
		return err
	}
	if s.Scope.Kind() == KindConnector {
		return Errorf(EInvalid, "a connector has no costs of its own: subscribe to its billing account's anomalies")
	}
	if s.MinImpact.Sign() < 0 {
		return Errorf(EInvalid, "minImpact %s is below 0", s.MinImpact)
	}
	n := Notification{Name: s.Name, ContactEmails: s.ContactEmails, ContactRoles: s.ContactRoles, Webhooks: s.Webhooks}
	if err := n.checkContacts(); err != nil {
		return err
	}
	s.ContactRoles = n.ContactRoles
	return nil
}

// ExchangeRate converts a cost in From into To: the cost times Rate.
type ExchangeRate struct {
	From    string          `json:"from"`
	To      string          `json:"to"`
	Rate    decimal.Decimal `json:"rate"`
	Updated time.Time       `json:"updated"`
}

// Validate checks a rate: two currency codes that differ and a rate
// above 0.
func (r *ExchangeRate) Validate() error {
	for _, c := range []string{r.From, r.To} {
		if !currencyCode.MatchString(c) {
			return Errorf(EInvalid, "currency %s: give an ISO 4217 code in capitals, such as USD or EUR", Quote(c))
		}
	}
	if r.From == r.To {
		return Errorf(EInvalid, "a rate converts one currency into another; %s to %s is 1", r.From, r.To)
	}
	if r.Rate.Sign() <= 0 {
		return Errorf(EInvalid, "the rate from %s to %s must be above 0; got %s", r.From, r.To, r.Rate)
	}
	return nil
}

// Rates are the exchange rates Reckon knows, one per pair of currencies.
type Rates []ExchangeRate

// Find returns the rate from one currency to another, and false when
// there is none.
func (rs Rates) Find(from, to string) (ExchangeRate, bool) {
	for _, r := range rs {
		if r.From == from && r.To == to {
			return r, true
		}
	}
	return ExchangeRate{}, false
}
