package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/synth"
)

func newBenchServeCommand() *cobra.Command {
	var o serveBench
	cmd := &cobra.Command{
		Use:   "serve --rows N [--clients 50] [--duration 20s] [--keep DIR]",
		Short: "Load-test reckon serve: concurrent queries while a collection replaces a period",
		Long: `Generate a three-month CUR of about N rows into an emulated AWS account,
start reckon serve as its own process beside the emulator, create a
connector and collect it. Then time a collection that replaces the last
month alone, start --clients clients sending a mix of queries (scopes from
the root group to one account; no grouping, by service, account or tag;
actual or amortized; daily, monthly or none) without pause, collect a new
restatement of the month under that load, and keep the clients going for
--duration. It prints the errors, the queries' p50, p95 and p99 latency,
and the collection's time alone and under load.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.rows <= 0 || o.clients <= 0 || o.duration <= 0 {
				return usageErrorf("--rows, --clients and --duration must be positive")
			}
			return o.run(cmd.Context(), cmd.OutOrStdout())
		},
	}
	cmd.Flags().IntVar(&o.rows, "rows", 1_000_000, "rows in the store, over three months")
	cmd.Flags().IntVar(&o.clients, "clients", 50, "concurrent API clients")
	cmd.Flags().DurationVar(&o.duration, "duration", 20*time.Second, "how long the clients run")
	cmd.Flags().StringVar(&o.keep, "keep", "", "keep the bucket and the data folder in DIR")
	return cmd
}

// serveBench is one run of `reckon bench serve`.
type serveBench struct {
	rows, clients int
	duration      time.Duration
	keep          string
}

const benchExternalID = "Bn3chXt9Lm2Qw8Er5Ty7Ui1Op4As6Df0G"

func (o *serveBench) run(ctx context.Context, out io.Writer) (err error) {
	dir := o.keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "reckon-bench-serve-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	bucket, data := filepath.Join(dir, "bucket"), filepath.Join(dir, "data")
	opts := synth.Options{Seed: 1, Months: 3, RowsPerMonth: o.rows / 3, ReportName: "reckon", Prefix: "cur"}
	tot, err := synth.WriteBucket(bucket, opts)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Fprintf(out, "generated %d rows over 3 months\n", tot.Rows)
	emu, err := listenLocal(awsemu.New(emulatedCustomer(bucket, benchExternalID), nil))
	if err != nil {
		return err
	}
	defer emu.Close()
	logFile, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	defer func() {
		if err != nil {
			printServerErrors(out, logFile.Name())
		}
	}()
	srv, err := startServeProcess(ctx, data, logFile, "--aws-endpoint", "http://"+emu.Addr().String())
	if err != nil {
		return err
	}
	defer srv.stop()
	api := &apiClient{server: srv.base, token: srv.token, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients + 8}}}
	if err := api.do(ctx, "POST", "/api/v1/connectors", map[string]any{"name": "bench", "roleArn": emuRoleARN,
		"externalId": benchExternalID, "reportName": "reckon"}, nil); err != nil {
		return err
	}
	collect := func() error { return api.do(ctx, "POST", "/api/v1/connectors/bench/collect", nil, nil) }
	first, err := timed(collect)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "first collection (3 months) %s\n", first.Round(time.Millisecond))

	// A restatement of the last month, collected alone, then another under load.
	restate := func(seed int64) error {
		r := opts
		r.Seed, r.Months, r.Start = seed, 1, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		_, err := synth.WriteBucket(bucket, r)
		return err
	}
	if err := restate(2); err != nil {
		return err
	}
	alone, err := timed(collect)
	if err != nil {
		return err
	}
	if err := restate(3); err != nil {
		return err
	}
	lat, errs, underLoad, err := o.flood(ctx, api, collect)
	if err != nil {
		return err
	}
	o.print(out, lat, errs, alone, underLoad)
	if len(errs) > 0 {
		printServerErrors(out, logFile.Name())
	}
	return nil
}

// flood runs the clients for the duration, collecting once meanwhile.
func (o *serveBench) flood(ctx context.Context, api *apiClient, collect func() error) ([]time.Duration, []string, time.Duration, error) {
	var (
		mu   sync.Mutex
		lat  []time.Duration
		errs []string
		wg   sync.WaitGroup
		stop atomic.Bool
	)
	for i := range o.clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 99))
			for !stop.Load() && ctx.Err() == nil {
				body := benchQuery(rng)
				start := time.Now()
				err := api.do(ctx, "POST", "/api/v1/query", body, nil)
				d := time.Since(start)
				mu.Lock()
				lat = append(lat, d)
				if err != nil && len(errs) < 20 {
					errs = append(errs, err.Error())
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(time.Second) // the load is on
	underLoad, err := timed(collect)
	deadline := time.After(o.duration)
	select {
	case <-deadline:
	case <-ctx.Done():
	}
	stop.Store(true)
	wg.Wait()
	return lat, errs, underLoad, err
}

func (o *serveBench) print(out io.Writer, lat []time.Duration, errs []string, alone, underLoad time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Fprintf(out, "%d clients, %d queries, %d errors\n", o.clients, len(lat), len(errs))
	for _, e := range errs {
		fmt.Fprintf(out, "  error: %s\n", e)
	}
	fmt.Fprintf(out, "query latency p50 %s  p95 %s  p99 %s\n", pct(0.50).Round(time.Millisecond),
		pct(0.95).Round(time.Millisecond), pct(0.99).Round(time.Millisecond))
	fmt.Fprintf(out, "collection of one month: alone %s, under load %s (%.1f×)\n", alone.Round(time.Millisecond),
		underLoad.Round(time.Millisecond), underLoad.Seconds()/alone.Seconds())
}

// printServerErrors prints the server's internal error lines, which the
// clients see only as "an internal error occurred".
func printServerErrors(out io.Writer, log string) {
	f, err := os.Open(log)
	if err != nil {
		return
	}
	defer f.Close()
	lines, n := bufio.NewScanner(f), 0
	for lines.Scan() && n < 5 {
		if strings.Contains(lines.Text(), "level=ERROR") {
			fmt.Fprintf(out, "  server: %s\n", lines.Text())
			n++
		}
	}
}

// benchQuery is one query of the mix.
func benchQuery(rng *rand.Rand) map[string]any {
	scopes := []string{"mg/root", "aws/billing/" + emuPayer, "aws/accounts/" + emuPayer, "aws/accounts/234567890123"}
	groups := [][]string{nil, {"ServiceName"}, {"SubAccountId"}, {"tag:Team"}, {"ServiceName", "RegionId"}}
	body := map[string]any{
		"scope":       scopes[rng.IntN(len(scopes))],
		"granularity": []string{"none", "monthly", "daily"}[rng.IntN(3)],
		"type":        []string{"actual", "amortized"}[rng.IntN(2)],
	}
	if g := groups[rng.IntN(len(groups))]; g != nil {
		body["groupBy"] = g
	}
	return body
}

func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

// listenLocal serves h on a free 127.0.0.1 port.
func listenLocal(h http.Handler) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go (&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}).Serve(ln) //nolint:errcheck // ends when ln closes
	return ln, nil
}

// serveProcess is `reckon serve` running as its own process.
type serveProcess struct {
	cmd         *exec.Cmd
	base, token string
}

var (
	servingAt  = regexp.MustCompile(`serving (http://\S+)/api/v1`)
	adminToken = regexp.MustCompile(`^\s+(rkn_\S+)$`)
)

// startServeProcess starts this binary's `serve` on a free port over data,
// with the emulator's AWS keys, and waits for it to listen.
func startServeProcess(ctx context.Context, data string, log io.Writer, flags ...string) (*serveProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, append([]string{"serve", "--data", data, "--listen", "127.0.0.1:0"}, flags...)...)
	cmd.Env = append(os.Environ(), emuAWSEnv...)
	cmd.Stderr = log
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serveProcess{cmd: cmd}
	lines := bufio.NewScanner(pipe)
	for p.base == "" && lines.Scan() {
		if m := adminToken.FindStringSubmatch(lines.Text()); m != nil {
			p.token = m[1]
		}
		if m := servingAt.FindStringSubmatch(lines.Text()); m != nil {
			p.base = m[1]
		}
	}
	if p.base == "" || p.token == "" {
		p.stop()
		return nil, fmt.Errorf("reckon serve did not start")
	}
	go io.Copy(io.Discard, pipe) //nolint:errcheck // drain the rest
	return p, nil
}

func (p *serveProcess) stop() {
	p.cmd.Process.Signal(os.Interrupt) //nolint:errcheck // it may have ended
	p.cmd.Wait()                       //nolint:errcheck // how it ended does not matter here
}
