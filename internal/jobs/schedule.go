package jobs

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// CollectionInfo is what a connector's collections found (cost.CollectionInfo).
type CollectionInfo = cost.CollectionInfo

// CollectionError is a failed collection (cost.CollectionError).
type CollectionError = cost.CollectionError

// Scheduler runs a job several times a day and on demand, never two at
// once, and keeps its CollectionInfo: a connector's collection (reckon aws
// collect --every), or the periodic job (reckon serve, Runner.Maintain).
// Time comes from Clock and waiting from Wait, so tests step through a day
// without sleeping.
type Scheduler struct {
	// Job is the work: a collection returns what it loaded; the periodic
	// job returns no reports.
	Job      func(context.Context) ([]ingest.Report, error)
	Clock    cost.Clock
	Delay    time.Duration // before the first run; 0 runs at once
	Interval time.Duration // between runs; 0 means 6 h
	Jitter   time.Duration // ± spread so connectors do not run in step; 0 means 30 min
	// Wait blocks for d or until ctx ends; nil means a real timer.
	Wait func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) for the jitter; nil means math/rand.
	Rand func() float64
	// OnDone, if set, is told the collection info after each scheduled run.
	OnDone func(CollectionInfo)

	mu      sync.Mutex
	running bool
	info    CollectionInfo
}

// ErrCollecting is returned when a collection of the connector is running.
var ErrCollecting = cost.Errorf(cost.EConflict, "a collection of this connector is already running; try again when it has finished")

// Info returns the latest collection info.
func (s *Scheduler) Info() CollectionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.info.Copy()
}

// RunOnce runs the job now, unless it is already running.
func (s *Scheduler) RunOnce(ctx context.Context) ([]ingest.Report, error) {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return nil, ErrCollecting
	}
	s.running = true
	s.mu.Unlock()
	started := s.Clock.Now().UTC()
	reports, err := s.Job(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running = false
	loaded, updated := false, time.Time{}
	for _, r := range reports {
		loaded = loaded || !r.Skipped
		if r.SourceUpdated.After(updated) {
			updated = r.SourceUpdated
		}
	}
	s.info.Record(started, loaded, updated, err)
	return reports, err
}

// Run runs the job after Delay and then every Interval ± Jitter until ctx
// ends. A failed run is recorded in Info and does not stop the schedule.
func (s *Scheduler) Run(ctx context.Context) {
	if s.Delay > 0 {
		if err := s.wait(ctx, s.Delay); err != nil {
			return
		}
	}
	for {
		s.RunOnce(ctx) //nolint:errcheck // recorded in Info
		if s.OnDone != nil {
			s.OnDone(s.Info())
		}
		if err := s.wait(ctx, s.next()); err != nil {
			return
		}
	}
}

// next is the time to the next run.
func (s *Scheduler) next() time.Duration {
	interval, jitter := s.Interval, s.Jitter
	if interval <= 0 {
		interval = 6 * time.Hour
	}
	if jitter <= 0 {
		jitter = 30 * time.Minute
	}
	r := rand.Float64
	if s.Rand != nil {
		r = s.Rand
	}
	return interval + time.Duration((2*r()-1)*float64(jitter))
}

func (s *Scheduler) wait(ctx context.Context, d time.Duration) error {
	if s.Wait != nil {
		return s.Wait(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
