package budget_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// valid is a budget that passes Validate, for the cases to break.
func valid() cost.Budget {
	return cost.Budget{Scope: linked, Name: "shop-monthly", Amount: decimal.MustParse("1500.50"), Currency: "USD", TimeGrain: cost.GrainMonthly,
		StartDate: day(2026, 11, 1), Notifications: []cost.Notification{{Enabled: true, Operator: cost.OpGreaterThan,
			Threshold: decimal.FromInt(80), ThresholdType: cost.ThresholdActual, ContactEmails: []string{"finops@example.com"}}}}
}

func TestValidateRefusesEachLimit(t *testing.T) {
	n := func(b *cost.Budget) *cost.Notification { return &b.Notifications[0] }
	for _, c := range []struct {
		name   string
		change func(b *cost.Budget)
		want   []string // in the message
		hidden string   // not in the message
	}{
		{"a name with a space", func(b *cost.Budget) { b.Name = "shop monthly" },
			[]string{`budget name "shop monthly"`, "1-63 letters, digits, - and _"}, ""},
		{"an empty name", func(b *cost.Budget) { b.Name = "" }, []string{`budget name ""`}, ""},
		{"a name of 64 characters", func(b *cost.Budget) { b.Name = strings.Repeat("a", 64) }, []string{"1-63 letters"}, ""},
		{"a budget on a connector", func(b *cost.Budget) { b.Scope = "connectors/demo" }, []string{"a connector has no costs of its own"}, ""},
		{"a scope that is no scope", func(b *cost.Budget) { b.Scope = "aws/accounts/12" }, []string{`scope ID "aws/accounts/12" is not valid`}, ""},
		{"an amount of 0", func(b *cost.Budget) { b.Amount = decimal.Zero }, []string{"the budget's amount must be above 0; got 0.0"}, ""},
		{"a negative amount", func(b *cost.Budget) { b.Amount = decimal.MustParse("-5") }, []string{"must be above 0; got -5.0"}, ""},
		{"an amount above a trillion", func(b *cost.Budget) { b.Amount = decimal.MustParse("1000000000000.01") },
			[]string{"the budget's amount 1000000000000.01 is above 1000000000000"}, ""},
		{"a currency in lower case", func(b *cost.Budget) { b.Currency = "usd" }, []string{`currency "usd"`, "ISO 4217 code in capitals"}, ""},
		{"no currency", func(b *cost.Budget) { b.Currency = "" }, []string{`currency ""`}, ""},
		{"an unknown measure", func(b *cost.Budget) { b.Measure = "ListCost" }, []string{`measure "ListCost"`, "BilledCost", "EffectiveCost"}, ""},
		{"an unknown time grain", func(b *cost.Budget) { b.TimeGrain = "Weekly" },
			[]string{`timeGrain "Weekly" is not one of Monthly, Quarterly, Annually`}, ""},
		{"no time grain", func(b *cost.Budget) { b.TimeGrain = "" }, []string{`timeGrain ""`}, ""},
		{"no start date", func(b *cost.Budget) { b.StartDate = time.Time{} }, []string{"give the budget's startDate"}, ""},
		{"a start date in the middle of a month", func(b *cost.Budget) { b.StartDate = day(2026, 11, 15) },
			[]string{"startDate 2026-11-15T00:00:00Z must be the first day of a month at midnight UTC, such as 2026-11-01"}, ""},
		{"a start date at noon on the first", func(b *cost.Budget) { b.StartDate = day(2026, 11, 1).Add(12 * time.Hour) },
			[]string{"must be the first day of a month at midnight UTC"}, ""},
		{"an end date before the start", func(b *cost.Budget) { b.EndDate = day(2026, 10, 1) },
			[]string{"endDate 2026-10-01 is not after its startDate 2026-11-01"}, ""},
		{"an end date on the start", func(b *cost.Budget) { b.EndDate = day(2026, 11, 1) }, []string{"is not after its startDate"}, ""},
		{"an end date more than ten years on", func(b *cost.Budget) { b.EndDate = day(2036, 12, 1) },
			[]string{"endDate 2036-12-01 is more than 10 years after its startDate 2026-11-01"}, ""},
		{"a filter that does not parse", func(b *cost.Budget) { b.Filter = "ServiceName = " }, []string{"the budget's filter: "}, ""},
		{"six notifications", func(b *cost.Budget) {
			for i := range 5 {
				m := b.Notifications[0]
				m.Threshold = decimal.FromInt(int64(90 + i))
				b.Notifications = append(b.Notifications, m)
			}
		}, []string{"a budget has at most 5 notifications; got 6"}, ""},
		{"a threshold of 0", func(b *cost.Budget) { n(b).Threshold = decimal.Zero },
			[]string{"threshold 0 is a percent of the amount: above 0 and at most 1000"}, ""},
		{"a threshold of 1001", func(b *cost.Budget) { n(b).Threshold = decimal.FromInt(1001) }, []string{"threshold 1001 is a percent"}, ""},
		{"a negative threshold", func(b *cost.Budget) { n(b).Threshold = decimal.FromInt(-10) }, []string{"threshold -10 is a percent"}, ""},
		{"an unknown operator", func(b *cost.Budget) { n(b).Operator = "LessThan" },
			[]string{`operator "LessThan" is not GreaterThan or GreaterThanOrEqualTo`}, ""},
		{"no operator", func(b *cost.Budget) { n(b).Operator = "" }, []string{`operator ""`}, ""},
		{"an unknown threshold type", func(b *cost.Budget) { n(b).ThresholdType = "Budgeted" },
			[]string{`thresholdType "Budgeted" is not Actual or Forecasted`}, ""},
		{"51 contact emails", func(b *cost.Budget) {
			n(b).ContactEmails = nil
			for i := range 51 {
				n(b).ContactEmails = append(n(b).ContactEmails, fmt.Sprintf("user%d@example.com", i))
			}
		}, []string{"at most 50 contactEmails; got 51"}, ""},
		{"an email without a domain", func(b *cost.Budget) { n(b).ContactEmails = []string{"finops"} },
			[]string{`contact email "finops" is not an address such as name@example.com`}, ""},
		{"an email with a display name", func(b *cost.Budget) { n(b).ContactEmails = []string{"FinOps <finops@example.com>"} },
			[]string{"is not an address such as name@example.com"}, ""},
		{"an unknown role", func(b *cost.Budget) { n(b).ContactRoles = []cost.Role{"Admin"} },
			[]string{`contactRoles: role "Admin" is not valid: use Owner, Contributor or Reader`}, ""},
		{"eleven webhooks", func(b *cost.Budget) {
			for i := range 11 {
				n(b).Webhooks = append(n(b).Webhooks, fmt.Sprintf("https://hooks.example.com/%d", i))
			}
		}, []string{"at most 10 webhooks; got 11"}, ""},
		{"a webhook that is not http", func(b *cost.Budget) { n(b).Webhooks = []string{"ftp://hooks.example.com/reckon"} },
			[]string{`webhook "ftp://hooks.example.com/reckon" is not an absolute http or https URL`}, ""},
		{"a webhook without a host", func(b *cost.Budget) { n(b).Webhooks = []string{"https:///reckon"} },
			[]string{"is not an absolute http or https URL"}, ""},
		{"a webhook with a user and password", func(b *cost.Budget) {
			n(b).Webhooks = []string{"https://reckon:hunter2@hooks.example.com/in?token=s3cr3t"}
		}, []string{`webhook "https://…@hooks.example.com/in" has a user name or password in it`, "Reckon-Signature"}, "hunter2"},
		{"a webhook whose password has a question mark in it", func(b *cost.Budget) {
			n(b).Webhooks = []string{"https://reckon:hun?ter2@hooks.example.com/in"}
		}, []string{"webhook", "https"}, "hun"},
		{"a webhook that is not http and has a password", func(b *cost.Budget) {
			n(b).Webhooks = []string{"ftp://reckon:hunter2@hooks.example.com/in"}
		}, []string{"is not an absolute http or https URL"}, "hunter2"},
		{"a webhook of 2049 bytes", func(b *cost.Budget) {
			n(b).Webhooks = []string{"https://hooks.example.com/" + strings.Repeat("a", 2049-len("https://hooks.example.com/"))}
		}, []string{"a webhook URL has at most 2048 bytes; got 2049"}, ""},
		{"no one to tell", func(b *cost.Budget) { n(b).ContactEmails = nil },
			[]string{"give at least one of contactEmails, contactRoles or webhooks"}, ""},
		{"two notifications of the same name in different case", func(b *cost.Budget) {
			m := b.Notifications[0]
			m.Threshold = decimal.FromInt(90)
			n(b).Name, m.Name = "Warn", "warn"
			b.Notifications = append(b.Notifications, m)
		}, []string{`two notifications are named "warn": give each its own name`}, ""},
		{"two notifications that default to the same name", func(b *cost.Budget) {
			b.Notifications = append(b.Notifications, b.Notifications[0])
		}, []string{`two notifications are named "Actual_GreaterThan_80_Percent"`}, ""},
		{"a notification name with a line break", func(b *cost.Budget) { n(b).Name = "warn\nBcc: x@example.com" },
			[]string{"a notification's name has at most 128 characters and no line breaks"}, ""},
		{"a notification name of 129 characters", func(b *cost.Budget) { n(b).Name = strings.Repeat("n", 129) },
			[]string{"at most 128 characters"}, ""},
	} {
		t.Run("refuses "+c.name, func(t *testing.T) {
			b := valid()
			c.change(&b)
			err := b.Validate()
			if cost.ErrorCode(err) != cost.EInvalid {
				t.Fatalf("Validate() = %v, want an Invalid error", err)
			}
			msg := cost.ErrorMessage(err)
			for _, want := range c.want {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not say %q", msg, want)
				}
			}
			if c.hidden != "" && strings.Contains(msg, c.hidden) {
				t.Errorf("message %q shows %q", msg, c.hidden)
			}
		})
	}
}

func TestValidateCanonicalizesAValidBudget(t *testing.T) {
	b := valid()
	b.TimeGrain = "quarterly"
	b.StartDate = time.Date(2026, 11, 1, 1, 0, 0, 0, time.FixedZone("CET", 3600)) // midnight UTC
	b.Notifications = []cost.Notification{
		{Enabled: true, Operator: "greaterthan", Threshold: decimal.FromInt(80), ContactEmails: []string{"finops@example.com"}},
		{Enabled: true, Operator: "GreaterThanOrEqualTo", Threshold: decimal.MustParse("99.5"), ThresholdType: "forecasted",
			ContactRoles: []cost.Role{"contributor", "owner", "Contributor"}},
		{Name: "Webhook only", Enabled: true, Operator: cost.OpGreaterThan, Threshold: decimal.FromInt(1000), Webhooks: []string{"http://10.0.0.7:8080/hook"}},
	}
	must(t, b.Validate())
	for _, c := range []struct{ what, got, want string }{
		{"the measure", string(b.Measure), "BilledCost"},
		{"the grain", string(b.TimeGrain), "Quarterly"},
		{"the start date", b.StartDate.Format(time.RFC3339), "2026-11-01T00:00:00Z"},
		{"the end date, ten years on", b.EndDate.Format(time.RFC3339), "2036-11-01T00:00:00Z"},
		{"the first notification's default name, as Azure names it", b.Notifications[0].Name, "Actual_GreaterThan_80_Percent"},
		{"its operator", string(b.Notifications[0].Operator), "GreaterThan"},
		{"its threshold type", string(b.Notifications[0].ThresholdType), "Actual"},
		{"the second's default name", b.Notifications[1].Name, "Forecasted_GreaterThanOrEqualTo_99.5_Percent"},
		{"its roles, each once", fmt.Sprint(b.Notifications[1].ContactRoles), "[Contributor Owner]"},
		{"the third's own name", b.Notifications[2].Name, "Webhook only"},
	} {
		if c.got != c.want {
			t.Errorf("%s is %q, want %q", c.what, c.got, c.want)
		}
	}
	t.Run("validating it again changes nothing", func(t *testing.T) {
		again := b
		again.Notifications = append([]cost.Notification(nil), b.Notifications...)
		must(t, again.Validate())
		if fmt.Sprint(again) != fmt.Sprint(b) {
			t.Errorf("%+v\nbecame\n%+v", b, again)
		}
	})
	t.Run("the amount keeps its cents", func(t *testing.T) {
		if b.Amount.String() != "1500.5" {
			t.Errorf("amount %s", b.Amount)
		}
	})
}
