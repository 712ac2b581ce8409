package awsemu

import (
	"net/http"
	"strings"
	"time"
)

// FaultKind is a way an AWS call can fail.
type FaultKind string

// The faults the emulator can inject.
const (
	FaultAccessDenied FaultKind = "AccessDenied" // 403 with the service's access-denied code
	FaultThrottle     FaultKind = "Throttle"     // 400 ThrottlingException (JSON/query) or 503 SlowDown (S3)
	FaultTooMany      FaultKind = "TooMany"      // 429 TooManyRequestsException
	FaultServerError  FaultKind = "ServerError"  // 500 InternalError
	FaultSlow         FaultKind = "Slow"         // answers after Delay
	FaultTruncate     FaultKind = "Truncate"     // S3 GetObject: sends half the body, then closes
)

// Fault makes an operation misbehave. Times is how many calls it affects;
// 0 means every call until it is cleared.
type Fault struct {
	Kind  FaultKind
	Times int
	Delay time.Duration
	// Match, if set, limits the fault to requests whose path contains it
	// (an S3 key such as ".csv.gz").
	Match string
}

// SetFault injects a fault into an operation, named as the API names it
// ("AssumeRole", "ListAccounts", "GetObject", …). A zero Fault clears it.
func (s *Server) SetFault(operation string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Kind == "" {
		delete(s.faults, operation)
		return
	}
	s.faults[operation] = &f
}

// takeFault returns the fault for the operation on path, counting one use.
func (s *Server) takeFault(operation, path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults[operation]
	if f == nil || !strings.Contains(path, f.Match) {
		return nil
	}
	if f.Times > 0 {
		if f.Times--; f.Times == 0 {
			delete(s.faults, operation)
		}
	}
	copied := *f
	return &copied
}

// injectFault applies the call's fault, if any; it reports whether the
// call has been answered.
func (s *Server) injectFault(c *call) bool {
	op := c.operation
	if c.protocol == protoREST {
		op = s3Operation(c.r)
	}
	f := s.takeFault(op, c.r.URL.Path)
	if f == nil {
		return false
	}
	switch f.Kind {
	case FaultSlow:
		select {
		case <-time.After(f.Delay):
		case <-c.r.Context().Done():
		}
		return false
	case FaultTruncate:
		c.truncate = true
		return false
	case FaultAccessDenied:
		code := "AccessDenied"
		if c.protocol == protoJSON {
			code = "AccessDeniedException"
		}
		s.fail(c, http.StatusForbidden, code, "injected: the role is not allowed to call "+op)
	case FaultTooMany:
		s.fail(c, http.StatusTooManyRequests, "TooManyRequestsException", "injected: too many requests")
	case FaultThrottle:
		if c.protocol == protoREST {
			s.fail(c, http.StatusServiceUnavailable, "SlowDown", "injected: reduce your request rate")
		} else {
			s.fail(c, http.StatusBadRequest, "ThrottlingException", "injected: rate exceeded")
		}
	default:
		s.fail(c, http.StatusInternalServerError, "InternalError", "injected: internal error")
	}
	return true
}
