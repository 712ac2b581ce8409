package jobs

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// stepClock is a clock that waiting moves forward: Wait records the delay
// and advances the time at once, so a day of schedule runs in microseconds.
type stepClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
	stop  int // Wait fails after this many waits
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Wait(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	if len(c.waits) >= c.stop {
		return context.Canceled
	}
	return nil
}

func TestTheScheduleRunsSeveralTimesADayWithJitter(t *testing.T) {
	clock := &stepClock{now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), stop: 4}
	var runs []time.Time
	rolls := []float64{0, 1, 0.5, 0.25}
	s := &Scheduler{Clock: clock, Wait: clock.Wait,
		Rand: func() float64 { r := rolls[0]; rolls = rolls[1:]; return r },
		Job: func(context.Context) ([]ingest.Report, error) {
			runs = append(runs, clock.Now())
			return []ingest.Report{{Skipped: len(runs) > 1}}, nil
		}}
	s.Run(context.Background())
	want := []time.Duration{5*time.Hour + 30*time.Minute, 6*time.Hour + 30*time.Minute, 6 * time.Hour, 5*time.Hour + 45*time.Minute}
	for i, w := range want {
		if clock.waits[i] != w {
			t.Errorf("wait %d = %s, want %s (6 h ± 30 min)", i, clock.waits[i], w)
		}
	}
	if len(runs) != 4 {
		t.Fatalf("%d collections, want 4", len(runs))
	}
	info := s.Info()
	if !info.LastChecked.Equal(runs[3]) || !info.LastUpdated.Equal(runs[0]) || info.Error != nil {
		t.Errorf("info = %+v; want last checked at the 4th run, last updated at the 1st", info)
	}
}

func TestAFailureIsRecordedFromWhenItBegan(t *testing.T) {
	clock := &stepClock{now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), stop: 100}
	fail := cost.Errorf(cost.EAccessDeniedDownloadReport, "allow s3:GetObject on the report's objects")
	var err error
	s := &Scheduler{Clock: clock, Job: func(context.Context) ([]ingest.Report, error) { return nil, err }}
	ctx := context.Background()
	s.RunOnce(ctx)
	err = fail
	first := clock.now.Add(time.Hour)
	clock.now = first
	s.RunOnce(ctx)
	clock.now = first.Add(6 * time.Hour)
	s.RunOnce(ctx)
	info := s.Info()
	if info.Error == nil || info.Error.Code != cost.EAccessDeniedDownloadReport || !info.Error.StartTime.Equal(first) ||
		!info.LastChecked.Equal(first.Add(6*time.Hour)) {
		t.Fatalf("info = %+v; want the error since %s", info, first)
	}
	err = nil
	s.RunOnce(ctx)
	if s.Info().Error != nil {
		t.Error("a successful collection did not clear the error")
	}
}

func TestTwoCollectionsOfAConnectorNeverRunAtOnce(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	s := &Scheduler{Clock: cost.SystemClock{}, Job: func(context.Context) ([]ingest.Report, error) {
		close(started)
		<-release
		return nil, nil
	}}
	done := make(chan error)
	go func() { _, err := s.RunOnce(context.Background()); done <- err }()
	<-started
	if _, err := s.RunOnce(context.Background()); !errors.Is(err, ErrCollecting) {
		t.Errorf("a second collection ran alongside: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
