package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/term"

	"github.com/unisocket/unisocket/load"
	"github.com/unisocket/unisocket/manifest"
	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

// exitThresholds is the exit code when a threshold failed, as k6's.
const exitThresholds = 99

// loadFlags is what the load flags ask for.
type loadFlags struct {
	uniFlags             // the flags shared with run and connect: platform, files, limits, TLS, proxy, resolve
	file          string // the script
	vus           int
	duration      time.Duration
	stages        []string
	rate          float64
	iterations    int
	segment       string
	gracefulStop  time.Duration
	target        string
	thresholds    []string
	summaryExport string
	report        string
	out           string
	quiet         bool
	progressEvery time.Duration
	metricsAddr   string
}

const loadExamples = `Examples:
  unisocket load examples/load/chat.js
      10 s with 1 VU against the embedded server (no URL needed)
  unisocket load chat.js --vus 50 --duration 1m --threshold 'ws_connecting:p(95)<300ms'
  unisocket load chat.js --stage 30s:100 --stage 1m:100 --stage 20s:0
      ramp to 100 VUs, hold, ramp down
  unisocket load chat.js --rate 20 --vus 100 --duration 1m
      start 20 iterations a second on at most 100 VUs
  unisocket load chat.js --target wss://www.example.com/socket --platform mp-weixin \
      --summary-export summary.json --out ndjson=samples.ndjson --report report.html
  unisocket load chat.js --vus 1000 --duration 5m --segment 2/4
      the 2nd of 4 processes: together they run the schedule of one

Each VU runs FILE.js once per iteration in a fresh JavaScript runtime (as
'unisocket run' does) with its own uni.App: registry, quota and globals are
the VU's. The script reads the helper object unisocket: unisocket.target
(the URL to load), unisocket.vu, unisocket.iteration, and records
unisocket.trend(name, ms), unisocket.counter(name, n) and
unisocket.check(name, ok).

Exit status: 0 when the test ran and every threshold passed; 99 when a
threshold failed; 1 when the script threw while starting (the test stops)
or an output could not be written; 2 for bad flags or arguments. The summary
is written in every case, Ctrl-C included: the first Ctrl-C stops
gracefully (running iterations get --graceful-stop), a second one at once.
`

func runLoad(args []string, stdout, stderr io.Writer) int {
	f, code, ok := parseLoadFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "unisocket load: %s\n", fmt.Sprintf(format, a...))
		return code
	}
	opts, err := f.options()
	if err != nil {
		return usageError(stderr, "load", "%v", err)
	}
	var warnings []manifest.Warning
	opts.Config, _, warnings, err = f.build(os.Getenv, stderr)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "unisocket load: warning: %s\n", w)
	}
	if err != nil {
		return usageError(stderr, "load", "%v", err)
	}
	target := f.target
	if target == "" {
		srv, err := embeddedTarget(&opts.Config)
		if err != nil {
			return fail(exitFailure, "cannot start the embedded server: %v", err)
		}
		defer srv.close()
		target = srv.url
		fmt.Fprintf(stderr, "unisocket load: no --target: loading the embedded server at %s\n", target)
	}
	scenario, err := load.JSScenario(f.file, load.JSOptions{Target: target, Stdout: stdout, Stderr: stderr})
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	var samples *load.NDJSON
	if f.out != "" {
		file, err := os.Create(strings.TrimPrefix(strings.TrimPrefix(f.out, "ndjson="), "json="))
		if err != nil {
			return fail(exitFailure, "--out: %v", err)
		}
		defer file.Close()
		samples = load.NewNDJSON(file)
		opts.Samples = samples
	}
	var (
		timeline   *load.Timeline
		reportFile *os.File
	)
	if f.report != "" {
		// Created now, so a path that cannot be written fails before the test.
		if reportFile, err = os.Create(f.report); err != nil {
			return fail(exitFailure, "--report: %v", err)
		}
		defer reportFile.Close()
		timeline = load.NewTimeline()
		opts.Samples = load.TeeSamples(opts.Samples, timeline)
	}
	var test *load.Test
	scriptFailed := false
	opts.IterationError = func(vu int, err error) {
		var se *load.ScriptError
		if errors.As(err, &se) {
			// The same script throws in every iteration: stop, as k6
			// stops on an error in the init code.
			fmt.Fprintf(stderr, "unisocket load: VU %d: the script threw while starting; stopping the test\n%s\n", vu, se.Text)
			scriptFailed = true
			test.Abort()
			return
		}
		fmt.Fprintf(stderr, "unisocket load: VU %d: iteration failed: %v\n", vu, err)
	}
	opts.Warn = func(err error) { fmt.Fprintf(stderr, "unisocket load: warning: %v\n", err) }
	if test, err = load.New(opts, scenario); err != nil {
		return fail(exitUsage, "%v", err)
	}

	if f.metricsAddr != "" {
		stop, err := serveMetrics(f.metricsAddr, test, stderr)
		if err != nil {
			return fail(exitFailure, "--metrics-addr %s: %v", f.metricsAddr, err)
		}
		defer stop()
	}
	stopSignals := handleInterrupts(test, opts.GracefulStop, stderr)
	defer stopSignals()
	stopProgress := showProgress(test, stderr, f.quiet, f.progressEvery)
	stopTimeline := func() {}
	if timeline != nil {
		stopTimeline = timeline.Follow(test, time.Second)
	}
	res := test.Run(context.Background())
	stopTimeline()
	stopProgress()

	code = exitOK
	if samples != nil {
		if err := samples.Flush(); err != nil {
			code = fail(exitFailure, "--out: %v", err)
		}
	}
	fmt.Fprintln(stdout)
	res.Summary.WriteText(stdout)
	if f.summaryExport != "" {
		if err := writeSummary(f.summaryExport, res.Summary); err != nil {
			code = fail(exitFailure, "--summary-export: %v", err)
		}
	}
	if reportFile != nil {
		r := load.Report{Title: filepath.Base(f.file), Created: time.Now(), Summary: res.Summary, Timeline: timeline}
		if err := r.WriteHTML(reportFile); err != nil {
			code = fail(exitFailure, "--report: %v", err)
		} else if err := reportFile.Close(); err != nil {
			code = fail(exitFailure, "--report: %v", err)
		}
	}
	explainNoSocket(res.Summary, stderr)
	switch {
	case scriptFailed:
		return exitFailure
	case !res.Passed():
		for _, t := range res.Summary.Thresholds {
			if !t.OK {
				why := "value " + strconv.FormatFloat(t.Value, 'f', -1, 64)
				if t.Note != "" {
					why = t.Note
				}
				fmt.Fprintf(stderr, "unisocket load: threshold %s failed (%s)\n", t.Source, why)
			}
		}
		return exitThresholds
	}
	return code
}

// explainNoSocket says, when no socket opened at all, which error was the
// most frequent: the summary alone would show only zeros and counts.
func explainNoSocket(s *load.Summary, stderr io.Writer) {
	if m := s.Metrics[load.MetricConnecting]; m != nil && m.Count > 0 {
		return
	}
	var (
		top   string
		count float64
	)
	for name, m := range s.Metrics {
		if msg, ok := strings.CutPrefix(name, load.MetricErrors+"{errMsg:"); ok && (m.Count > count || m.Count == count && msg < top) {
			top, count = strings.TrimSuffix(msg, "}"), m.Count
		}
	}
	if count > 0 {
		fmt.Fprintf(stderr, "unisocket load: no socket opened; the most frequent error (%s times): %s\n", strconv.FormatFloat(count, 'f', -1, 64), top)
	}
}

func writeSummary(path string, s *load.Summary) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := s.WriteJSON(file); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}

// options maps the flags onto the load test's options: the one place the
// flag names meet package load.
func (f loadFlags) options() (load.Options, error) {
	o := load.Options{
		VUs: f.vus, Duration: f.duration, Rate: f.rate, Iterations: f.iterations,
		GracefulStop: f.gracefulStop,
	}
	for _, s := range f.stages {
		st, err := load.ParseStage(s)
		if err != nil {
			return o, err
		}
		o.Stages = append(o.Stages, st)
	}
	if f.segment != "" {
		seg, err := load.ParseSegment(f.segment)
		if err != nil {
			return o, err
		}
		o.Segment = seg
	}
	for _, s := range f.thresholds {
		th, err := load.ParseThreshold(s)
		if err != nil {
			return o, err
		}
		o.Thresholds = append(o.Thresholds, th)
	}
	switch {
	case o.Duration == 0 && o.Iterations > 0:
		o.Duration = 10 * time.Minute // k6's maxDuration: a script that never ends cannot hold the test forever
	case o.Duration == 0 && len(o.Stages) == 0:
		o.Duration = 10 * time.Second // k6 runs one iteration without options; 10 s shows the metrics
	}
	return o, nil
}

// embedded is the embedded server a test loads when no --target is given.
type embedded struct {
	url   string
	close func()
}

// embeddedHost is the name the embedded server takes for platforms that
// accept only wss:// URLs on listed domains: it is listed, and resolved
// to the server, so the platform's rules apply as they would in
// production.
const embeddedHost = "load.unisocket.test"

// embeddedTarget starts the embedded server. On a platform that requires
// wss:// and a listed domain, it serves TLS for embeddedHost, and cfg
// trusts it, lists it and routes it to the server.
func embeddedTarget(cfg *uni.Config) (*embedded, error) {
	p := cfg.Profile
	if p.Name == "" {
		p = platform.Standard()
	}
	if !p.SecureOnly && !p.CheckDomain {
		srv, err := server.Start(server.Options{})
		if err != nil {
			return nil, err
		}
		return &embedded{url: srv.URL(), close: func() { srv.Close() }}, nil
	}
	srv, err := server.Start(server.Options{TLS: true, Hosts: []string{embeddedHost}})
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(srv.Addr())
	cfg.TLSConfig = srv.ClientTLSConfig()
	cfg.Domains = append(cfg.Domains, embeddedHost)
	next := cfg.DialContext
	if next == nil {
		next = (&net.Dialer{}).DialContext
	}
	named := net.JoinHostPort(embeddedHost, port)
	cfg.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == named {
			addr = srv.Addr()
		}
		return next(ctx, network, addr)
	}
	return &embedded{url: "wss://" + named, close: func() { srv.Close() }}, nil
}

// serveMetrics serves the test's metrics for Prometheus at addr until
// stop is called.
func serveMetrics(addr string, test *load.Test, stderr io.Writer) (stop func(), err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err // "bind: address already in use", without Go's wrapping
		}
		return nil, fmt.Errorf("cannot listen: %v", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(test.Collector())
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	fmt.Fprintf(stderr, "unisocket load: Prometheus metrics at http://%s/metrics\n", l.Addr())
	return func() {
		_ = srv.Close()
		<-done
	}, nil
}

// handleInterrupts stops the test gracefully at the first Ctrl-C (or
// SIGTERM) and at once at the second.
func handleInterrupts(test *load.Test, grace time.Duration, stderr io.Writer) (stop func()) {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		n := 0
		for {
			select {
			case <-done:
				return
			case <-sig:
				n++
				if n == 1 {
					fmt.Fprintf(stderr, "\nunisocket load: stopping: running iterations have %v to end (Ctrl-C again to stop now)\n", grace)
					test.Stop()
				} else {
					fmt.Fprintln(stderr, "\nunisocket load: stopping now")
					test.Abort()
				}
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
		<-finished
	}
}

// showProgress writes the live counters: one line rewritten every second
// on a terminal, a plain line every period otherwise.
func showProgress(test *load.Test, w io.Writer, quiet bool, period time.Duration) (stop func()) {
	if quiet {
		return func() {}
	}
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	if tty {
		period = time.Second
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(period)
		defer tick.Stop()
		var last load.Progress
		for {
			select {
			case <-done:
				if tty {
					fmt.Fprint(w, "\r\033[K")
				}
				return
			case <-tick.C:
				p := test.Progress()
				secs := (p.Elapsed - last.Elapsed).Seconds()
				rate := 0.0
				if secs > 0 {
					rate = float64(p.MsgsSent+p.MsgsReceived-last.MsgsSent-last.MsgsReceived) / secs
				}
				line := fmt.Sprintf("%6s  vus %d  open sockets %d  msgs %d sent, %d received (%.0f/s)  errors %d  iterations %d",
					p.Elapsed.Truncate(time.Second), p.VUs, p.OpenSockets, p.MsgsSent, p.MsgsReceived, rate, p.Errors, p.Iterations)
				if tty {
					fmt.Fprint(w, "\r\033[K"+line)
				} else {
					fmt.Fprintln(w, line)
				}
				last = p
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// parseLoadFlags reads the load flags, which may come before or after
// the script's name.
func parseLoadFlags(args []string, stdout, stderr io.Writer) (f loadFlags, code int, ok bool) {
	fs := newFlagSet("load")
	fs.IntVar(&f.vus, "vus", 1, "run `N` VUs (with --rate: at most N)")
	fs.DurationVar(&f.duration, "duration", 0, "run for `D` (default 10s when no --iterations or --stage)")
	fs.StringArrayVar(&f.stages, "stage", nil, "`D:N`: ramp to N VUs over D (repeat for more stages), e.g. 30s:100")
	fs.Float64Var(&f.rate, "rate", 0, "start `R` iterations a second (arrival rate) for --duration, on at most --vus VUs")
	fs.IntVar(&f.iterations, "iterations", 0, "run `N` iterations in all, shared by the VUs (for at most --duration, default 10m)")
	fs.StringVar(&f.segment, "segment", "", "run the `I/N`-th slice of the schedule, for N processes that together run it once")
	fs.DurationVar(&f.gracefulStop, "graceful-stop", load.DefaultGracefulStop, "give running iterations `D` to end when the test stops")
	fs.StringVar(&f.target, "target", "", "the `URL` the script loads (unisocket.target); none: start the embedded server")
	fs.StringArrayVar(&f.thresholds, "threshold", nil, "`METRIC:EXPR` that must hold, e.g. 'ws_connecting:p(95)<300ms' or 'uni_errors:count==0' (repeat for more)")
	fs.StringVar(&f.summaryExport, "summary-export", "", "write the end-of-test summary as JSON to `FILE`")
	fs.StringVar(&f.report, "report", "", "write an HTML report with charts over time (VUs, sockets, msgs/s, latency, errors) to `FILE`; it needs no network to view")
	fs.StringVar(&f.out, "out", "", "stream every sample to `ndjson=FILE` (k6's JSON lines)")
	fs.StringVar(&f.metricsAddr, "metrics-addr", "", "serve live Prometheus metrics at http://`ADDR`/metrics, e.g. 127.0.0.1:9464")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress lines")
	fs.DurationVar(&f.progressEvery, "progress-interval", 5*time.Second, "when stderr is not a terminal, write a progress line every `D` (a terminal gets one line, rewritten every second)")
	f.uniFlags.register(fs)
	help := func(w io.Writer) { printHelp(w, fs, loadHelp, loadExamples) }
	if code, ok := parseFlags(fs, args, stdout, stderr, help); !ok {
		return f, code, false
	}
	bad := func(format string, a ...any) (loadFlags, int, bool) {
		return f, usageError(stderr, "load", format, a...), false
	}
	files := fs.Args()
	switch {
	case len(files) == 0:
		return bad("no script given: unisocket load FILE.js [flags]")
	case len(files) > 1:
		return bad("one script at a time, got %d: %s", len(files), strings.Join(files, " "))
	}
	f.file = files[0]
	if fi, err := os.Stat(f.file); err != nil {
		return bad("cannot read the script: %v", err)
	} else if fi.IsDir() {
		return bad("%s is a directory, not a script", f.file)
	}
	if err := f.uniFlags.check(); err != nil {
		return bad("%v", err)
	}
	if f.progressEvery <= 0 {
		return bad("--progress-interval must be more than 0, not %v", f.progressEvery)
	}
	if f.out != "" && !strings.HasPrefix(f.out, "ndjson=") && !strings.HasPrefix(f.out, "json=") {
		return bad("--out %s: want ndjson=FILE", f.out)
	}
	return f, exitOK, true
}

const loadHelp = `Usage: unisocket load FILE.js [flags]

Loads a WebSocket server with virtual users (VUs) that run FILE.js, uni-app
or WeChat socket code, as real uni-app clients: the platform's rules (wss
only, socket quota, networkTimeout, close rules) apply to every VU. Reports
k6's metrics (ws_connecting, ws_sessions, ws_msgs_sent, data_sent, ...)
plus uni_errors by errMsg, uni_close_codes by code and uni_quota_rejections.

Flags (before or after FILE.js):
`
