package api

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestARequestWhoseContextEndedIsNotAnInternalError: a server shutting down
// answers 503 with its reason, a query past its deadline 503, a caller who
// left 499; none is logged as an internal error.
func TestARequestWhoseContextEndedIsNotAnInternalError(t *testing.T) {
	shutdown := cost.Errorf(cost.EUnavailable, "the server is shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(shutdown)
	left, leave := context.WithCancel(context.Background())
	leave()
	for _, c := range []struct {
		name   string
		ctx    context.Context
		err    error
		status int
	}{
		{"the server shuts down", ctx, fmt.Errorf("read catalog: %w", context.Canceled), 503},
		{"the caller left", left, context.Canceled, 499},
		{"a deadline passed", context.Background(), fmt.Errorf("query costs: %w", context.DeadlineExceeded), 503},
		{"a query timed out", context.Background(), cost.Errorf(cost.ETimeout, "the query ran past 30s"), 503},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil).WithContext(c.ctx)
			code := cost.ErrorCode(ended(r, c.err))
			if code == cost.EInternal || statusOf[code] != c.status {
				t.Fatalf("%v: code %s, status %d; want %d", c.err, code, statusOf[code], c.status)
			}
		})
	}
}
