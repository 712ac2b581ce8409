package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/budget"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/iampolicy"
	"github.com/reckon-finops/reckon/internal/jobs"
	"github.com/reckon-finops/reckon/internal/web"
)

// defaultLease is how long a replica that died holds the periodic job,
// at most, before another takes it over.
const defaultLease = 15 * time.Second

// shutdownGrace is how long a stopping server lets requests finish.
const shutdownGrace = 10 * time.Second

func newServeCommand() *cobra.Command {
	var dataDir, listen, awsEndpoint, maxUpload, configFile string
	var certs tlsFiles
	limits := defaultQueryLimits()
	store := loadOptions()
	scale := serverOptions{concurrent: 8, lease: defaultLease}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the REST API over the data folder",
		Long: `Serve the JSON API under /api/v1, with /healthz and /metrics.

On the first start over a data folder it creates the administrator "admin",
Owner at mg/root, and prints its API token once. Set RECKON_ADMIN_TOKEN to a
token of the form rkn_<16 hex>_<64 hex> to choose it instead.

Each query may run for --query-timeout and count on --query-memory of the
--memory DuckDB is given (` + loadOptions().MemoryLimit + `, a limit on the database, not on a query):
3 queries run at once by default and the others wait their turn, within
their deadline. A query past its deadline is interrupted and answered with
the error code Timeout. Give DuckDB more --memory (and --threads) for stores
whose queries group millions of distinct values, which otherwise spill to
disk. Answers are kept (--query-cache bytes of them) for queries
asked again until a load changes the data; 0 keeps none.

With --tls-cert and --tls-key it serves HTTPS with that certificate (PEM
files; the chain first, then its key): the Azure SDKs send their bearer
token over TLS only. Without them it serves plain HTTP.

POST /api/v1/ingest (reckon ingest --server) loads files into the running
server with the caller's rights; each upload is written to tmp/ in the data
folder, refused past --max-upload, loaded, and removed.

With --store clickhouse://HOST:PORT?cluster=NAME --catalog postgres://… it
serves the scale-out pair instead of a data folder: cost rows sharded over a
ClickHouse cluster, the catalog (and the load versions that make a restated
month visible on every shard at once) in PostgreSQL. Run as many replicas as
you like on the same pair: they answer alike, and a change made through one
holds on the others' next request. The periodic job (collections, purges,
charges, budgets) runs on one replica at a time, the holder of a lease in
PostgreSQL; when it dies another takes it over within --lease. The key that
encrypts the connectors' external IDs in the catalog is RECKON_CATALOG_KEY
(32 bytes in base64, the same on every replica; RECKON_CATALOG_OLD_KEYS
lists the ones it replaced). reckon migrate moves a data folder there.

SIGINT or SIGTERM stops the server: running requests are cancelled (a query
is interrupted, a collection rolled back) and answered with the error code
Unavailable, then it exits.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := readConfig(configFile)
			if err != nil {
				return err
			}
			// The flags win over the config file's [scaleout].
			flags := cmd.Flags()
			if dataDir == "" {
				scale.storeURL = cmp.Or(scale.storeURL, cfg.Scaleout.Store)
				scale.catalogURL = cmp.Or(scale.catalogURL, cfg.Scaleout.Catalog)
			}
			if !flags.Changed("lease") && cfg.Scaleout.Lease.Duration != 0 {
				scale.lease = cfg.Scaleout.Lease.Duration
			}
			if !flags.Changed("query-concurrency") && cfg.Scaleout.QueryConcurrency != 0 {
				scale.concurrent = cfg.Scaleout.QueryConcurrency
			}
			switch {
			case dataDir == "" && scale.storeURL == "":
				return usageErrorf("give --data DIR (the embedded store), or --store clickhouse://… --catalog postgres://… (the scale-out pair)")
			case dataDir != "" && scale.storeURL != "":
				return usageErrorf("--data and --store choose where the data is: give one (reckon migrate moves a data folder to the scale-out pair)")
			case scale.catalogURL != "" && scale.storeURL == "":
				return usageErrorf("--catalog goes with --store clickhouse://…: the embedded store keeps its catalog in --data")
			case scale.concurrent < 1 || scale.lease < time.Second:
				return usageErrorf("--query-concurrency %d, --lease %s: give 1 or more queries, and a lease of a second or more", scale.concurrent, scale.lease)
			}
			if limits.Timeout <= 0 || limits.Timeout >= writeTimeout {
				return usageErrorf("--query-timeout %s: give a duration above 0 and below the %s an answer may take to write", limits.Timeout, writeTimeout)
			}
			if (certs.cert == "") != (certs.key == "") {
				return usageErrorf("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither for HTTP")
			}
			if store.Threads < 1 {
				return usageErrorf("--threads %d: give 1 or more", store.Threads)
			}
			if _, err := duckstore.ParseSize(store.MemoryLimit); err != nil {
				return usageErrorf("--memory: %s", cost.ErrorMessage(err))
			}
			upload, err := duckstore.ParseSize(maxUpload)
			if err != nil || upload <= 0 {
				return usageErrorf("--max-upload %q: give a size above 0, such as 512MiB or 2GiB", maxUpload)
			}
			o := serverOptions{dataDir: dataDir, awsEndpoint: awsEndpoint, store: store, storeURL: scale.storeURL, catalogURL: scale.catalogURL,
				limits: limits, concurrent: scale.concurrent, lease: scale.lease, maxUpload: upload, log: cmd.ErrOrStderr(), config: cfg}
			return serve(cmd.Context(), cmd, listen, o, certs)
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "", "the data folder (the embedded store)")
	cmd.Flags().StringVar(&scale.storeURL, "store", "", "the scale-out cost store, clickhouse://HOST:PORT[/DB]?cluster=NAME, instead of --data; needs --catalog")
	cmd.Flags().StringVar(&scale.catalogURL, "catalog", "", "with --store: the PostgreSQL catalog, postgres://USER:PASSWORD@HOST:PORT/DB; its secrets' key comes from "+catalogKeyEnv)
	cmd.Flags().IntVar(&scale.concurrent, "query-concurrency", scale.concurrent, "with --store: how many queries this replica runs on ClickHouse at once")
	cmd.Flags().DurationVar(&scale.lease, "lease", scale.lease, "with --store: how soon another replica takes over the periodic job when the one running it dies")
	cmd.Flags().StringVar(&store.MemoryLimit, "memory", store.MemoryLimit, "memory for DuckDB, such as 192MB or 2GB; it spills to the data folder beyond")
	cmd.Flags().IntVar(&store.Threads, "threads", store.Threads, "DuckDB's threads; more help one large query, not many small ones")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "the address to listen on")
	cmd.Flags().StringVar(&awsEndpoint, "aws-endpoint", "", "send every AWS call to this URL (the emulator)")
	cmd.Flags().DurationVar(&limits.Timeout, "query-timeout", limits.Timeout, "how long a query may run, waiting its turn included")
	cmd.Flags().StringVar(&limits.Memory, "query-memory", limits.Memory,
		"the share of the store's "+loadOptions().MemoryLimit+" each query can count on; the more each has, the fewer run at once")
	cmd.Flags().StringVar(&limits.Cache, "query-cache", limits.Cache, "memory for answers to queries asked again before the data changes; 0 for none")
	cmd.Flags().StringVar(&certs.cert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	cmd.Flags().StringVar(&certs.key, "tls-key", "", "the PEM private key of --tls-cert")
	cmd.Flags().StringVar(&configFile, "config", "", "a TOML file of the alerts' settings: base_url, [smtp], [webhooks], [alerts] (see the README); secrets come from RECKON_SMTP_PASSWORD and RECKON_WEBHOOK_SECRET")
	cmd.Flags().StringVar(&maxUpload, "max-upload", "1GiB", "the largest upload POST /api/v1/ingest takes (reckon ingest --server), such as 512MiB or 2GiB")
	return cmd
}

// tlsFiles are the PEM files of the certificate and key to serve HTTPS
// with; empty for HTTP.
type tlsFiles struct{ cert, key string }

func serve(ctx context.Context, cmd *cobra.Command, listen string, o serverOptions, certs tlsFiles) error {
	clock := clockOf(ctx)
	var tlsConfig *tls.Config
	if certs.cert != "" {
		pair, err := tls.LoadX509KeyPair(certs.cert, certs.key)
		if err != nil {
			return usageErrorf("--tls-cert %s, --tls-key %s: %v", certs.cert, certs.key, err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	srv, err := openServer(ctx, o)
	if err != nil {
		return err
	}
	defer srv.backend.Close()
	out := cmd.OutOrStdout()
	token, err := api.EnsureAdmin(ctx, srv.backend.catalog, clock, os.Getenv("RECKON_ADMIN_TOKEN"))
	if err != nil {
		return fmt.Errorf("create the administrator: %w", err)
	}
	if token != "" {
		fmt.Fprintf(out, "Created the administrator %q, Owner at mg/root. Its API token, shown this once:\n\n  %s\n\n", api.AdminUser, token)
	}
	ln, err := listenOn(listen, "--listen")
	if err != nil {
		return err
	}
	scheme := "http"
	if tlsConfig != nil {
		ln, scheme = tls.NewListener(ln, tlsConfig), "https"
	}
	srv.start(ctx, ln)
	where := "data in " + o.dataDir
	if o.storeURL != "" {
		where = "costs in " + redactURL(o.storeURL) + ", catalog in " + redactURL(o.catalogURL)
	}
	fmt.Fprintf(out, "Reckon is serving %s://%s/api/v1 and the web UI at %s://%s/ (%s)\n", scheme, ln.Addr(), scheme, ln.Addr(), where)
	if err := srv.wait(ctx); err != nil {
		return err
	}
	fmt.Fprintln(out, "Reckon stopped.")
	return nil
}

// defaultQueryLimits are the query limits of a server not told others.
func defaultQueryLimits() duckstore.QueryLimits {
	return duckstore.QueryLimits{Timeout: 30 * time.Second, Memory: "64MB", Cache: "64MB"}
}

// listenOn listens on addr, saying in words what to do when the port is
// taken; flag names the flag that chooses another.
func listenOn(addr, flag string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s is in use, by another program or another Reckon: stop it, or choose a free address with %s, "+
			"such as %s 127.0.0.1:8081 (or 127.0.0.1:0 for any free port)", addr, flag, flag)
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// serverOptions are what `reckon serve` and `reckon demo` build a server
// from.
type serverOptions struct {
	dataDir     string
	awsEndpoint string // every AWS call goes here when set (the emulator)
	// awsCredentials are Reckon's own AWS credentials; nil for the SDK's
	// default chain.
	awsCredentials aws.CredentialsProvider
	store          duckstore.Options
	// storeURL and catalogURL choose the scale-out pair instead of the
	// data folder: clickhouse://… and postgres://….
	storeURL, catalogURL string
	limits               duckstore.QueryLimits
	concurrent           int           // queries at once on the scale-out pair
	lease                time.Duration // the periodic job's lease on the scale-out pair; defaultLease when 0
	maxUpload            int64
	log                  io.Writer
	logLevel             slog.Leveler // nil: Info, every request
	config               *fileConfig  // the alerts' settings; nil for none
}

// server is the API over an open store, with its periodic job: opened,
// then started on a listener, then shut down; its owner closes the store.
type server struct {
	backend      *backend
	store        *duckstore.Store // the embedded store; nil on the scale-out pair
	metrics      *api.Metrics
	lease        time.Duration // the periodic job's lease, on the scale-out pair
	http         *http.Server
	runner       *jobs.Runner
	alerts       *budget.Evaluator
	alertsEvery  time.Duration
	log          *slog.Logger
	done         chan error    // Serve's result
	periodic     chan struct{} // closed when the periodic job has stopped
	stopJobs     context.CancelFunc
	stopRequests context.CancelCauseFunc
}

// openServer opens the store and builds the API over it.
func openServer(ctx context.Context, o serverOptions) (*server, error) {
	clock := clockOf(ctx)
	b, err := openBackend(ctx, o)
	if err != nil {
		return nil, err
	}
	srv, err := buildServer(ctx, o, b, clock)
	if err != nil {
		b.Close()
		return nil, err
	}
	return srv, nil
}

// buildServer builds the API, the jobs and the budgets' evaluator over b.
func buildServer(ctx context.Context, o serverOptions, b *backend, clock cost.Clock) (*server, error) {
	queries, err := b.queries(o.limits, o.concurrent)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(o.log, &slog.HandlerOptions{Level: o.logLevel}))
	conns := newCollector(&awsCollector{store: b.store, tempDir: b.tempDir, endpoint: o.awsEndpoint, credentials: o.awsCredentials, clock: clock})
	metrics := api.NewMetrics()
	cfg := o.config
	if cfg == nil {
		cfg = &fileConfig{}
	}
	send, err := newNotifier(cfg, clock)
	if err != nil {
		return nil, err
	}
	alerts := budget.New(budget.Options{Catalog: b.catalog, Costs: queries, Clock: clock, Notifier: send, Log: log, BaseURL: cfg.BaseURL})
	// Every load that commits rows may move a budget or show an anomaly.
	collected := func(conn cost.ScopeID, rows int64, err error) {
		metrics.CountCollection(conn, rows, err)
		if rows > 0 {
			alerts.Poke()
		}
	}
	runner := jobs.New(jobs.Options{Catalog: b.catalog, Costs: b.store, Collector: conns, Clock: clock, Log: log, OnCollect: collected})
	// The web UI's sessions are the API's too: a signed-in browser calls
	// the API with its cookie.
	sessions := web.NewSessions(clock, b.sessions())
	apiServer := api.New(api.Options{Catalog: b.catalog, Costs: queries, Rows: queries, Clock: clock, Log: log, Jobs: runner, Verifier: conns, Metrics: metrics,
		ValidExternalID: iampolicy.ValidExternalID, AuthFailureDelay: authFailureDelay,
		Ingester: &uploads{store: b.store, tempDir: b.tempDir, clock: clock, loaded: alerts.Poke}, TempDir: b.tempDir, MaxUpload: o.maxUpload, Sessions: sessions,
		Alerts: alerts, Ready: b.ready})
	handler := web.New(web.Options{Sessions: sessions, Tokens: apiServer, API: apiServer, Clock: clock, Log: log})
	every := cfg.Alerts.Interval.Duration
	if every == 0 {
		every = 24 * time.Hour
	}
	if b.scale == nil {
		metrics.SetLeader(true)
	}
	return &server{backend: b, store: b.duck, http: newHTTPServer(handler), runner: runner, alerts: alerts, alertsEvery: every, log: log,
		metrics: metrics, lease: cmp.Or(o.lease, defaultLease), done: make(chan error, 1), periodic: make(chan struct{})}, nil
}

// start serves ln and runs the periodic job until ctx ends or shutdown.
func (s *server) start(ctx context.Context, ln net.Listener) {
	// The periodic job stops with the server, before the store closes; a
	// collection cut short is rolled back by the store.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	s.stopJobs = stopJobs
	go func() {
		defer close(s.periodic)
		s.leads(jobsCtx, s.lease, func(ctx context.Context) {
			var jobs sync.WaitGroup
			jobs.Go(func() { s.runner.Periodic().Run(ctx) })
			jobs.Go(func() { s.alerts.Run(ctx, s.alertsEvery, nil) })
			jobs.Go(func() { s.cleans(ctx) })
			jobs.Wait()
		})
	}()
	// Requests run in a context of their own that shutdown cancels, with
	// the error their callers get: a query is interrupted rather than
	// waited for.
	base, stopRequests := context.WithCancelCause(context.WithoutCancel(ctx))
	s.stopRequests = stopRequests
	s.http.BaseContext = func(net.Listener) context.Context { return base }
	go func() { s.done <- s.http.Serve(ln) }()
}

// wait serves until ctx ends, then shuts the server down; a listener that
// fails first ends it with its error.
func (s *server) wait(ctx context.Context) error {
	select {
	case err := <-s.done:
		s.stopJobs()
		<-s.periodic
		return err
	case <-ctx.Done():
	}
	return s.shutdown()
}

// shutdown cancels the running requests, stops serving and waits for the
// periodic job; the store stays open.
func (s *server) shutdown() error {
	defer func() { s.stopJobs(); <-s.periodic }()
	s.log.Info("shutting down", "grace", shutdownGrace)
	s.stopRequests(cost.Errorf(cost.EUnavailable, "the server is shutting down: try again when it is back"))
	stop, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := s.http.Shutdown(stop); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-s.done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// authFailureDelay holds back the answer to a request with a bad token: a
// guesser waits, and costs the server nothing meanwhile.
const authFailureDelay = 250 * time.Millisecond

// writeTimeout is how long an answer may take to write, its query
// included.
const writeTimeout = 2 * time.Minute

// newHTTPServer bounds what a client may hold: the header must arrive
// within 10 s and the body (at most 1 MB, which the API enforces) within
// 30 s, but for an upload's, which the API gives an hour once the caller
// is known; a connection idles at most 2 minutes; headers are at most 64 KB.
// An answer must be written within 2 minutes, which holds the largest
// query; the collect route alone, which downloads and loads a whole report
// before it answers, extends its own deadline (api.collectTimeout).
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}
