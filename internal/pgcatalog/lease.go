package pgcatalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// leadLockKey is the session-level advisory lock that the replica running
// the periodic job holds ("reckon" and "leader" in ASCII).
const leadLockKey int64 = 0x7265636b_6c656164

// Lead runs lead while this process holds the periodic job's lease, until
// ctx ends. The lease is a session-level advisory lock on a connection of
// its own: a replica that dies, or loses its connection, loses the lock
// with it, and another replica, which tries every half period, takes it at
// its next try, within the period. While it leads, the holder checks its connection every period
// and stops lead (cancelling its context, then waiting for it) when the
// connection is gone: two replicas may then both run for at most one
// period. led, when set, is told each time the lease is taken (true) or
// given up (false).
func (c *Catalog) Lead(ctx context.Context, period time.Duration, log *slog.Logger, led func(bool), lead func(context.Context)) {
	if led == nil {
		led = func(bool) {}
	}
	for {
		held, err := c.holdLease(ctx, period, led, lead)
		if err != nil && ctx.Err() == nil {
			log.Warn("the periodic job's lease", "err", err)
		}
		if held {
			continue // try again at once: the lock may be free
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(period / 2):
		}
	}
}

// holdLease tries the lock once; when it gets it, it runs lead until ctx
// ends or the connection fails, and reports that it held it.
func (c *Catalog) holdLease(ctx context.Context, period time.Duration, led func(bool), lead func(context.Context)) (bool, error) {
	conn, err := c.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, leadLockKey).Scan(&got); err != nil || !got {
		conn.Release()
		return false, err
	}
	// The connection is this lease's alone: it never goes back to the
	// pool, where another request could unlock it or hold it idle.
	raw := conn.Hijack()
	defer raw.Close(context.WithoutCancel(ctx))
	led(true)
	defer led(false)
	leadCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); lead(leadCtx) }()
	defer func() { stop(); <-done }()
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return true, nil
		case <-done:
			return true, errors.New("the periodic job stopped while it held the lease")
		case <-tick.C:
			check, cancel := context.WithTimeout(ctx, period)
			err := raw.Ping(check)
			cancel()
			if err != nil {
				return true, fmt.Errorf("lost the connection that holds the lease: %w", err)
			}
		}
	}
}

// Listen calls fn with the catalog's version after every Update that
// another process (or this one) commits, until ctx ends; it listens on a
// connection of its own, and connects again when that fails.
func (c *Catalog) Listen(ctx context.Context, log *slog.Logger, fn func(version int64)) {
	for ctx.Err() == nil {
		if err := c.listen(ctx, fn); err != nil && ctx.Err() == nil {
			log.Warn("listen for catalog changes", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

func (c *Catalog) listen(ctx context.Context, fn func(int64)) error {
	conn, err := c.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	raw := conn.Hijack()
	defer raw.Close(context.WithoutCancel(ctx))
	if _, err := raw.Exec(ctx, "LISTEN "+ChangeChannel); err != nil {
		return err
	}
	for {
		n, err := raw.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		v, _ := strconv.ParseInt(n.Payload, 10, 64)
		fn(v)
	}
}
