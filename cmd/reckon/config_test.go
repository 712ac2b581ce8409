package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t testing.TB, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "reckon.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTheConfigFile(t *testing.T) {
	cfg, err := readConfig(writeConfig(t, `base_url = "https://reckon.example.com"
[smtp]
host = "smtp.example.com"
port = 587
from = "Reckon <reckon@example.com>"
username = "reckon"
tls = "starttls"
[webhooks]
attempts = 4
backoff = "3s"
[alerts]
interval = "6h"
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseURL != "https://reckon.example.com" || cfg.SMTP.Host != "smtp.example.com" || cfg.SMTP.Port != 587 || cfg.SMTP.Username != "reckon" ||
		cfg.Webhooks.Attempts != 4 || cfg.Webhooks.Backoff.Duration != 3*time.Second || cfg.Alerts.Interval.Duration != 6*time.Hour {
		t.Errorf("read %+v %+v", cfg, cfg.SMTP)
	}
	if cfg, err := readConfig(""); err != nil || cfg.SMTP != nil {
		t.Errorf("no file: %+v, %v", cfg, err)
	}
	for _, c := range []struct{ name, text, want string }{
		{"a password in the file", "[smtp]\nhost = \"h\"\npassword = \"hunter2\"\n", "smtp.password holds a secret, which Reckon reads only from the environment"},
		{"a webhook secret in the file", "[webhooks]\nsecret = \"s3cr3t\"\n", "RECKON_WEBHOOK_SECRET"},
		{"an unknown key", "colour = \"blue\"\n", "unknown key colour"},
		{"a duration that is not one", "[webhooks]\nbackoff = \"soon\"\n", `"soon" is not a duration`},
		{"a base URL that is not one", "base_url = \"reckon.example.com\"\n", "is not an http or https URL"},
		{"too many attempts", "[webhooks]\nattempts = 99\n", "give 1 to 20"},
		{"an interval under a minute", "[alerts]\ninterval = \"1s\"\n", "a minute or more"},
		{"not TOML", "[smtp\n", "--config"},
	} {
		t.Run(c.name+" is refused", func(t *testing.T) {
			_, err := readConfig(writeConfig(t, c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			for _, secret := range []string{"hunter2", "s3cr3t"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows the secret: %v", err)
				}
			}
		})
	}
	if _, err := readConfig(filepath.Join(t.TempDir(), "none.toml")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("a missing file: %v", err)
	}
}

// FuzzReadConfig reads any bytes as the config file: an error or a
// config that passed its checks, never a panic.
func FuzzReadConfig(f *testing.F) {
	f.Add("base_url = \"https://r.example.com\"\n[smtp]\nhost = \"h\"\nport = 25\n[webhooks]\nbackoff = \"1s\"\n")
	f.Add("[smtp]\npassword = \"hunter2\"\n")
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := readConfig(writeConfig(t, text))
		if err == nil && (cfg.Webhooks.Attempts < 0 || cfg.Webhooks.Attempts > 20 || cfg.Webhooks.Backoff.Duration < 0) {
			t.Fatalf("a config past its checks: %+v", cfg)
		}
	})
}

// TestTheConfigFileChoosesTheScaleOutPair: [scaleout] is read, and a
// password in either URL is refused with the variable that holds it,
// without the password in the message.
func TestTheConfigFileChoosesTheScaleOutPair(t *testing.T) {
	cfg, err := readConfig(writeConfig(t, `[scaleout]
store = "clickhouse://ch1:9000/reckon?cluster=reckon"
catalog = "postgres://reckon@pg:5432/reckon"
lease = "30s"
query_concurrency = 4
`))
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.Scaleout; s.Store != "clickhouse://ch1:9000/reckon?cluster=reckon" || s.Catalog != "postgres://reckon@pg:5432/reckon" ||
		s.Lease.Duration != 30*time.Second || s.QueryConcurrency != 4 {
		t.Errorf("read %+v", cfg.Scaleout)
	}
	for _, tt := range []struct{ text, env string }{
		{`[scaleout]` + "\n" + `store = "clickhouse://u:hunter2@ch1:9000?cluster=reckon"`, clickhousePasswordEnv},
		{`[scaleout]` + "\n" + `catalog = "postgres://reckon:hunter2@pg/reckon"`, "PGPASSWORD"},
		{`[scaleout]` + "\n" + `catalog = "host=pg password=hunter2"`, "PGPASSWORD"},
	} {
		_, err := readConfig(writeConfig(t, tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.env) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v, want a refusal naming %s without the password", tt.text, err, tt.env)
		}
	}
}
