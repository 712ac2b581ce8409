package main

import (
	"net/http"
	"testing"
	"time"
)

func TestTheHTTPServerBoundsWhatAClientMayHold(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler())
	for _, c := range []struct {
		name     string
		got, max time.Duration
	}{
		{"ReadHeaderTimeout", srv.ReadHeaderTimeout, 10 * time.Second},
		{"ReadTimeout", srv.ReadTimeout, time.Minute},
		{"WriteTimeout", srv.WriteTimeout, 5 * time.Minute},
		{"IdleTimeout", srv.IdleTimeout, 5 * time.Minute},
	} {
		if c.got <= 0 || c.got > c.max {
			t.Errorf("%s = %s, want set and at most %s", c.name, c.got, c.max)
		}
	}
	if srv.WriteTimeout < time.Minute {
		t.Errorf("WriteTimeout %s is too short for a large query", srv.WriteTimeout)
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes = %d", srv.MaxHeaderBytes)
	}
}
