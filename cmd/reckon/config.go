package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// The config file (reckon serve --config FILE) holds the settings that are
// not flags: where alerts go. It is TOML:
//
//	# The web UI's address, for the links in alerts.
//	base_url = "https://reckon.example.com"
//
//	[smtp]
//	host = "smtp.example.com"
//	port = 587
//	from = "Reckon <reckon@example.com>"
//	username = "reckon"      # the password is RECKON_SMTP_PASSWORD
//	tls = "starttls"         # none, starttls or tls; by the port when left out
//
//	[webhooks]               # the signing secret is RECKON_WEBHOOK_SECRET
//	attempts = 5
//	backoff = "2s"
//
//	[alerts]
//	interval = "24h"         # budgets and anomalies are also evaluated after every load
//
//	[scaleout]               # instead of --data: the --store and --catalog flags win over these
//	store = "clickhouse://ch1:9000/reckon?cluster=reckon"   # its password is RECKON_CLICKHOUSE_PASSWORD
//	catalog = "postgres://reckon@pg:5432/reckon"            # its password is PGPASSWORD
//	lease = "15s"
//	query_concurrency = 8
//
// Secrets come only from the environment: a key that would hold one is
// refused, so that no password sits in a file beside the data.

// Environment variables that hold the alerts' secrets.
const (
	envSMTPPassword  = "RECKON_SMTP_PASSWORD"
	envWebhookSecret = "RECKON_WEBHOOK_SECRET"
)

// fileConfig is the config file.
type fileConfig struct {
	BaseURL  string         `toml:"base_url"`
	SMTP     *smtpConfig    `toml:"smtp"`
	Webhooks webhookConfig  `toml:"webhooks"`
	Alerts   alertsConfig   `toml:"alerts"`
	Scaleout scaleoutConfig `toml:"scaleout"`
}

// scaleoutConfig chooses the scale-out pair, as reckon serve's flags do.
type scaleoutConfig struct {
	Store            string   `toml:"store"`
	Catalog          string   `toml:"catalog"`
	Lease            duration `toml:"lease"`
	QueryConcurrency int      `toml:"query_concurrency"`
}

type smtpConfig struct {
	Host     string `toml:"host"`
	Port     int    `toml:"port"`
	From     string `toml:"from"`
	Username string `toml:"username"`
	TLS      string `toml:"tls"`
}

type webhookConfig struct {
	Attempts int      `toml:"attempts"`
	Backoff  duration `toml:"backoff"`
}

type alertsConfig struct {
	Interval duration `toml:"interval"`
}

// duration is a TOML string such as "2s" or "24h".
type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil || v < 0 {
		return fmt.Errorf("%q is not a duration such as 2s, 5m or 24h", b)
	}
	d.Duration = v
	return nil
}

// secretKeys are keys a config file may not hold.
var secretKeys = []string{"password", "secret", "token", "key"}

// readConfig reads the config file; "" is the defaults.
func readConfig(path string) (*fileConfig, error) {
	cfg := &fileConfig{}
	if path == "" {
		return cfg, nil
	}
	md, err := toml.DecodeFile(path, cfg)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usageErrorf("--config %s: no such file", path)
	}
	if err != nil {
		return nil, usageErrorf("--config %s: %v", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		k := undecoded[0]
		last := strings.ToLower(k[len(k)-1])
		for _, s := range secretKeys {
			if strings.Contains(last, s) {
				return nil, usageErrorf("--config %s: %s holds a secret, which Reckon reads only from the environment: "+
					"remove it and set %s (SMTP) or %s (webhooks)", path, k, envSMTPPassword, envWebhookSecret)
			}
		}
		return nil, usageErrorf("--config %s: unknown key %s: the keys are base_url, [smtp] host, port, from, username, tls, "+
			"[webhooks] attempts, backoff, [alerts] interval, [scaleout] store, catalog, lease, query_concurrency", path, k)
	}
	return cfg, cfg.check(path)
}

func (c *fileConfig) check(path string) error {
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErrorf("--config %s: base_url %q is not an http or https URL, such as https://reckon.example.com", path, c.BaseURL)
		}
	}
	if c.Webhooks.Attempts < 0 || c.Webhooks.Attempts > 20 {
		return usageErrorf("--config %s: [webhooks] attempts %d: give 1 to 20", path, c.Webhooks.Attempts)
	}
	for _, v := range []struct{ key, url, env string }{
		{"store", c.Scaleout.Store, clickhousePasswordEnv}, {"catalog", c.Scaleout.Catalog, "PGPASSWORD"}} {
		if u, err := url.Parse(v.url); err == nil {
			if _, set := u.User.Password(); set {
				return usageErrorf("--config %s: [scaleout] %s holds a password, which Reckon reads only from the environment: "+
					"remove it and set %s", path, v.key, v.env)
			}
		}
		if strings.Contains(strings.ToLower(v.url), "password=") {
			return usageErrorf("--config %s: [scaleout] %s holds a password, which Reckon reads only from the environment: "+
				"remove it and set %s", path, v.key, v.env)
		}
	}
	if c.Alerts.Interval.Duration != 0 && c.Alerts.Interval.Duration < time.Minute {
		return usageErrorf("--config %s: [alerts] interval %s: give a minute or more", path, c.Alerts.Interval.Duration)
	}
	return nil
}
