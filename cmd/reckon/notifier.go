package main

import (
	"context"
	"os"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/notify"
)

// notifier sends alerts (budget.Notifier) through the SMTP server and the
// webhook settings of the config file, with the secrets of the
// environment.
type notifier struct {
	smtp *notify.SMTP // nil when the config names no SMTP server
	hook *notify.Webhook
}

var _ budget.Notifier = (*notifier)(nil)

// newNotifier builds the notifier of a config, reading its secrets from the
// environment.
func newNotifier(cfg *fileConfig, clock cost.Clock) (*notifier, error) {
	n := &notifier{hook: &notify.Webhook{Secret: []byte(os.Getenv(envWebhookSecret)), Clock: clock,
		Attempts: cfg.Webhooks.Attempts, Backoff: cfg.Webhooks.Backoff.Duration}}
	if c := cfg.SMTP; c != nil {
		n.smtp = &notify.SMTP{Host: c.Host, Port: c.Port, From: c.From, Username: c.Username, Password: os.Getenv(envSMTPPassword),
			TLS: c.TLS, Clock: clock}
		if err := n.smtp.Validate(); err != nil {
			return nil, usageErrorf("--config [smtp]: %v", err)
		}
	}
	return n, nil
}

// Email sends an alert's email to one address.
func (n *notifier) Email(ctx context.Context, to string, m budget.Email) error {
	if n.smtp == nil {
		return cost.Errorf(cost.EUnavailable, "no email was sent: no SMTP server is configured; give reckon serve a --config file with an [smtp] section")
	}
	return n.smtp.Send(ctx, notify.Email{To: []string{to}, Subject: m.Subject, Text: m.Text})
}

// Post delivers an alert to a webhook, signed and retried.
func (n *notifier) Post(ctx context.Context, url string, body []byte) cost.Delivery {
	d := n.hook.Post(ctx, url, body)
	if len(n.hook.Secret) == 0 {
		d.Error = "no webhook was sent: set " + envWebhookSecret + " to the key that signs them (Reckon-Signature)"
	}
	return cost.Delivery{To: d.URL, Status: d.Status, Attempts: d.Attempts, StatusCode: d.StatusCode, Error: d.Error, Time: d.Last}
}
