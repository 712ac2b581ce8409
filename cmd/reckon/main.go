// Command reckon is Reckon's one binary: it loads AWS Cost and Usage Reports
// into FOCUS rows in an embedded store, answers cost queries, benchmarks its
// own ingest and runs a demo. This package only wires: it reads flags and the
// environment, builds the parts and runs them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/awscur"
	"github.com/reckon-finops/reckon/internal/cost"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and returns the process exit code: 0 on
// success, 1 on a failure, 2 on a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "reckon: "+userMessage(err))
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// clockKey keys the clock in a command's context.
type clockKey struct{}

// withClock returns ctx carrying c, the time source of every command that
// runs in it: run passes its context to the root command, so a test that
// calls run with withClock(ctx, fixed) fixes the time of the whole command.
func withClock(ctx context.Context, c cost.Clock) context.Context {
	return context.WithValue(ctx, clockKey{}, c)
}

// clockOf is the clock ctx carries; the system clock when none.
func clockOf(ctx context.Context) cost.Clock {
	if c, ok := ctx.Value(clockKey{}).(cost.Clock); ok && c != nil {
		return c
	}
	return cost.SystemClock{}
}

// usageError marks a mistake in the command line itself.
type usageError struct{ error }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// userMessage is what a user sees for err: the parse error or domain
// message as is, anything else with its wrapping context.
func userMessage(err error) string {
	if pe, ok := errors.AsType[*awscur.ParseError](err); ok {
		return pe.Error()
	}
	if ce, ok := errors.AsType[*cost.Error](err); ok {
		return ce.Message
	}
	return err.Error()
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "reckon",
		Short: "Self-hosted cloud cost management: AWS CUR to FOCUS, exactly",
		Long: `Reckon loads AWS Cost and Usage Reports into FOCUS cost rows in an embedded
store, and answers cost queries with exact decimal totals.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newIngestCommand(),
		newQueryCommand(),
		newExportCommand(),
		newBenchCommand(),
		newDemoCommand(),
		newAWSCommand(),
		newServeCommand(),
		newScopeCommand(),
		newMGCommand(),
		newUserCommand(),
		newTokenCommand(),
		newAccessCommand(),
		newConnectorCommand(),
		newSubscriptionCommand(),
		newForecastCommand(),
		newDimensionsCommand(),
		newViewCommand(),
		newBudgetCommand(),
		newAlertCommand(),
		newRateCommand(),
		newMigrateCommand(),
	)
	return root
}
