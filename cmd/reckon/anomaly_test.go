package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/synth"
)

// anomaliesAfter ingests folder into a fresh store and evaluates it once a
// day over the last days before now, as a server would, and returns the
// anomaly alerts raised.
func anomaliesAfter(t *testing.T, folder string, now time.Time, days int) []cost.Alert {
	t.Helper()
	data := t.TempDir()
	if code, _, stderr := cliAt(t, fixedClock{now}, "ingest", "--data", data, folder); code != 0 {
		t.Fatal(stderr)
	}
	ctx := context.Background()
	store, err := duckstore.Open(ctx, data, duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := &fixedClock{}
	e := budget.New(budget.Options{Catalog: store, Costs: store, Clock: clock})
	for d := days; d >= 0; d-- {
		clock.t = now.AddDate(0, 0, -d)
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var alerts []cost.Alert
	if err := store.View(ctx, func(r cost.CatalogReader) (err error) {
		alerts, err = r.Alerts(ctx, cost.AlertFilter{Kind: cost.AlertAnomaly})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return alerts
}

// TestAnomaliesOnGeneratedExports evaluates generated Azure exports and
// CURs day by day over a month: clean data raises no more than one
// anomaly a month per scope, and a day when SQL Database ran eight times
// its hours raises exactly one, with its exact impact and the subscription
// that made it among its causes.
func TestAnomaliesOnGeneratedExports(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	t.Run("clean Azure exports raise none", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "azure")
		o := synth.DemoAzureOptions(now)
		o.SpikeDay = time.Time{}
		if _, err := synth.WriteAzureExports(dir, o); err != nil {
			t.Fatal(err)
		}
		if alerts := anomaliesAfter(t, dir, now, 30); len(alerts) != 0 {
			t.Errorf("%d anomalies on clean data: %s", len(alerts), alerts[0].Message)
		}
	})
	t.Run("a day of eight times the SQL hours is one anomaly, explained", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "azure")
		o := synth.DemoAzureOptions(now)
		if _, err := synth.WriteAzureExports(dir, o); err != nil {
			t.Fatal(err)
		}
		alerts := anomaliesAfter(t, dir, now, 30)
		if len(alerts) != 1 {
			t.Fatalf("%d anomalies, not 1: %v", len(alerts), alerts)
		}
		a := alerts[0].Anomaly
		// SQL Database bills 24 hours at 0.25 EUR a day in the first
		// subscription, 2 × that in the second: 18 EUR a day, and 6 × 8 +
		// 12 on the spike day.
		if a.Date != o.SpikeDay || a.Dimension != "ServiceName" || a.Value != "SQL Database" || a.Currency != "EUR" ||
			a.Expected.Cmp(decimal.FromInt(18)) != 0 || a.Actual.Cmp(decimal.FromInt(60)) != 0 || a.Impact.Cmp(decimal.FromInt(42)) != 0 {
			t.Errorf("the anomaly is %+v, not SQL Database on %s, 60 EUR against 18 expected", a, o.SpikeDay.Format(time.DateOnly))
		}
		// Each dimension splits the same 42 EUR: the subscription, the
		// region and the usage type all carry it.
		var named bool
		for _, c := range a.Causes {
			named = named || (c.Dimension == "SubAccountId" && c.Value == o.Subscriptions[0].ID && c.Impact.Cmp(decimal.FromInt(42)) == 0 &&
				c.Expected.Cmp(decimal.FromInt(6)) == 0)
		}
		if !named {
			t.Errorf("the causes %+v do not name the first subscription, 48 EUR against 6 expected", a.Causes)
		}
	})
	t.Run("clean CURs raise at most one a month", func(t *testing.T) {
		bucket := filepath.Join(t.TempDir(), "bucket")
		if _, err := synth.WriteBucket(bucket, synth.DemoOptions(now)); err != nil {
			t.Fatal(err)
		}
		alerts := anomaliesAfter(t, bucket, now, 30)
		for _, a := range alerts {
			t.Logf("false alarm: %s", a.Message)
		}
		if len(alerts) > 1 {
			t.Errorf("%d anomalies in a month of clean CUR data, more than 1", len(alerts))
		}
	})
}
