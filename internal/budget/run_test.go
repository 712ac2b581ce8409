package budget_test

import (
	"context"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
)

// signal is a recorder that also says when it was asked to send.
type signal struct {
	recorder
	mailed chan string
}

func (s *signal) Email(ctx context.Context, to string, m budget.Email) error {
	s.mailed <- m.Subject
	return s.recorder.Email(ctx, to, m)
}

func TestRunEvaluatesAtTheStartWhenPokedAndOnTheSchedule(t *testing.T) {
	oct := day(2026, 10, 1)
	store, _ := newStore(t)
	deliver(t, store, oct, "v1", monthToDate(t, oct, day(2026, 10, 20), "1200.00"))
	clk := &clock{t: day(2026, 10, 20).Add(6 * time.Hour)}
	n := &signal{recorder: recorder{clock: clk}, mailed: make(chan string, 10)}
	e := newEvaluator(store, clk, n, nil)
	ticks := make(chan struct{})
	wait := func(ctx context.Context, d time.Duration) error {
		if d != time.Hour {
			t.Errorf("waits %s, want the interval", d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticks:
			return nil
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	add := func(name string) {
		b := atFull(oct)
		b.Name, b.Notifications[0].Webhooks = name, nil
		saveBudget(t, store, b)
	}
	add("first")
	go func() {
		e.Run(ctx, time.Hour, wait)
		close(done)
	}()
	expect := func(what, name string) {
		t.Helper()
		select {
		case subject := <-n.mailed:
			if want := "Reckon budget alert: " + name + " on "; len(subject) < len(want) || subject[:len(want)] != want {
				t.Errorf("%s: mailed %q, want budget %s's alert", what, subject, name)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: no evaluation", what)
		}
	}
	expect("at the start", "first")
	add("poked")
	e.Poke()
	expect("after a poke", "poked")
	add("ticked")
	ticks <- struct{}{}
	expect("on the schedule", "ticked")
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
	as := read(t, store, func(ctx context.Context, r cost.CatalogReader) ([]cost.Alert, error) {
		return r.Alerts(ctx, cost.AlertFilter{Scope: billing})
	})
	if len(as) != 3 {
		t.Errorf("%d alerts, want one per budget", len(as))
	}
	select {
	case subject := <-n.mailed:
		t.Errorf("mailed %q more", subject)
	default:
	}
}
