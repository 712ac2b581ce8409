package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestMain lets the test binary stand in for the reckon binary: with
// RECKON_TEST_AS_CLI=1 it runs the command line instead of the tests, so
// end-to-end tests exercise real processes without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("RECKON_TEST_AS_CLI") == "1" {
		ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// cli runs reckon in-process and returns its exit code and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return cliAt(t, cost.SystemClock{}, args...)
}

// cliAt runs reckon in-process with its time from clock.
func cliAt(t *testing.T, clock cost.Clock, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(withClock(context.Background(), clock), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// reckonProcess returns a command that runs reckon as its own process.
func reckonProcess(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "RECKON_TEST_AS_CLI=1"), env...)
	return cmd
}
