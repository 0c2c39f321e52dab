package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/unisocket/unisocket/js"
	"github.com/unisocket/unisocket/manifest"
	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/uni"
)

func init() {
	commands["run"] = command{
		summary: "run unchanged uni-app / WeChat socket code (uni.*, wx.*) headlessly",
		run:     runRun,
	}
}

// runConfig is what the run flags ask for.
type runConfig struct {
	file        string
	platform    string
	platformSet bool // --platform was given, and overrides the socket config's
	manifest    string
	config      string
	resolve     resolveFlag
	cafile      string
	insecure    bool
	timeoutMS   int
}

const runExamples = `Examples:
  unisocket run chat.js
      run chat.js with the standard profile until nothing is pending
  unisocket serve --tls --host www.example.com --addr 127.0.0.1:8443 &
  unisocket run examples/seed/07_onSocketClose.js \
      --resolve www.example.com:443:127.0.0.1:8443 --cafile unisocket-server.pem
      run code written for wss://www.example.com/socket, unchanged, against
      the local test server (TLS still checks the name www.example.com)
  unisocket run bot.js --platform mp-weixin --timeout-ms 10000
      run as on WeChat (wss only, 5 sockets); give up after 10 s and say
      what was still pending

Exit status: 0 when the script ended with nothing pending and no uncaught
error; 1 when it threw, reported uncaught errors, or was stopped by
--timeout-ms or Ctrl-C; 2 for bad flags or arguments.
`

func runRun(args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseRunFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	ucfg, err := cfg.uniConfig(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "unisocket run: %v (run 'unisocket run --help' for usage)\n", err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.timeoutMS > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, time.Duration(cfg.timeoutMS)*time.Millisecond, errRunTimeout)
		defer cancel()
	}

	rt := js.New(js.Options{Config: ucfg, Stdout: stdout, Stderr: stderr})
	err = rt.RunFile(ctx, cfg.file)
	return reportRun(ctx, err, cfg, stderr)
}

var errRunTimeout = errors.New("timed out")

// reportRun prints how the script ended and returns the exit code.
func reportRun(ctx context.Context, err error, cfg runConfig, stderr io.Writer) int {
	var (
		se *js.ScriptError
		pe *js.PendingError
		re *js.ReportedError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &se):
		fmt.Fprintln(stderr, se.Text)
	case errors.As(err, &pe):
		why := "interrupted"
		if errors.Is(context.Cause(ctx), errRunTimeout) {
			why = fmt.Sprintf("timed out after %d ms (--timeout-ms)", cfg.timeoutMS)
		}
		if len(pe.Pending) == 0 {
			fmt.Fprintf(stderr, "unisocket run: %s\n", why)
		} else {
			fmt.Fprintf(stderr, "unisocket run: %s; still pending: %s\n", why, strings.Join(pe.Pending, "; "))
		}
	case errors.As(err, &re):
		fmt.Fprintf(stderr, "unisocket run: %v\n", re)
	default:
		fmt.Fprintf(stderr, "unisocket run: %v\n", err)
	}
	return exitFailure
}

// parseRunFlags reads the run flags, which may come before or after the
// script's name. When ok is false the caller exits with code: the help was
// shown, or the flags were wrong and one line on stderr says how.
func parseRunFlags(args []string, stdout, stderr io.Writer) (cfg runConfig, code int, ok bool) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // one line of our own instead of the flag package's messages
	fs.StringVar(&cfg.platform, "platform", "standard", "behave as platform `P` (overrides the socket config's): "+strings.Join(platform.Names(), ", "))
	fs.StringVar(&cfg.manifest, "manifest", "", "read networkTimeout.connectSocket and setting.urlCheck from the uni-app manifest.json `FILE`")
	fs.StringVar(&cfg.config, "config", "", "read the project's socket config `FILE` (unisocket.config.json: platform, socketDomains, urlCheck, lanIP, ...)")
	fs.Var(&cfg.resolve, "resolve", "`HOST:PORT:ADDR`: connect to ADDR when a URL names HOST:PORT, as curl's --resolve; TLS still checks HOST; ADDR may carry its own port (repeat for more)")
	fs.StringVar(&cfg.cafile, "cafile", "", "trust the PEM certificates in `FILE` (instead of the system's) for wss://")
	fs.BoolVar(&cfg.insecure, "insecure", false, "do not verify TLS certificates")
	fs.IntVar(&cfg.timeoutMS, "timeout-ms", 0, "stop the script after `N` ms, exit 1 and say what was still pending (0: no limit)")

	fail := func(format string, a ...any) (runConfig, int, bool) {
		fmt.Fprintf(stderr, "unisocket run: %s (run 'unisocket run --help' for usage)\n", fmt.Sprintf(format, a...))
		return cfg, exitUsage, false
	}
	var files []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				runUsage(stdout, fs)
				return cfg, exitOK, false
			}
			return fail("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		// After "--" everything is an argument.
		if used := len(rest) - fs.NArg(); used > 0 && rest[used-1] == "--" {
			files = append(files, fs.Args()...)
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	switch {
	case len(files) == 0:
		return fail("no script given: unisocket run FILE.js [flags]")
	case len(files) > 1:
		return fail("one script at a time, got %d: %s", len(files), strings.Join(files, " "))
	}
	cfg.file = files[0]
	fs.Visit(func(f *flag.Flag) { cfg.platformSet = cfg.platformSet || f.Name == "platform" })
	if fi, err := os.Stat(cfg.file); err != nil {
		return fail("cannot read the script: %v", err)
	} else if fi.IsDir() {
		return fail("%s is a directory, not a script", cfg.file)
	}
	if cfg.timeoutMS < 0 {
		return fail("--timeout-ms must be 0 (no limit) or more, not %d", cfg.timeoutMS)
	}
	if cfg.cafile != "" && cfg.insecure {
		return fail("--cafile and --insecure exclude each other")
	}
	return cfg, exitOK, true
}

func runUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: unisocket run FILE.js [flags]

Runs FILE.js, a CommonJS module, with the globals uni and wx backed by
unisocket's uni-app socket API, plus console, timers and require() of
relative .js and .json files. Code written for uni-app or a WeChat
mini-program runs unchanged. The script ends when nothing is pending: no
socket still open, connecting or closing, no timer, no API call awaiting
its result.

Flags (before or after FILE.js):
`)
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s", f.Name)
		if name != "" {
			fmt.Fprintf(w, " %s", name)
		}
		fmt.Fprintf(w, "\n        %s", usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprintln(w)
	fmt.Fprint(w, runExamples)
}

// uniConfig turns the flags into the App's configuration. Warnings about
// the manifest and the socket config (unknown keys, settings with no
// effect on the platform) go to warn.
func (cfg runConfig) uniConfig(warn io.Writer) (uni.Config, error) {
	var (
		m   *manifest.Manifest
		sc  *manifest.SocketConfig
		ws  []manifest.Warning
		err error
	)
	if cfg.manifest != "" {
		var w []manifest.Warning
		if m, w, err = manifest.ReadManifest(cfg.manifest); err != nil {
			return uni.Config{}, fmt.Errorf("--manifest: %w", err)
		}
		ws = append(ws, w...)
	}
	if cfg.config != "" {
		var w []manifest.Warning
		if sc, w, err = manifest.ReadSocketConfig(cfg.config); err != nil {
			return uni.Config{}, fmt.Errorf("--config: %w", err)
		}
		ws = append(ws, w...)
	}
	if sc == nil {
		sc = &manifest.SocketConfig{}
	}
	if cfg.platformSet || sc.Platform == "" {
		sc.Platform = cfg.platform
	}
	c, w, err := manifest.UniConfig(m, sc)
	if err != nil {
		return c, err
	}
	for _, w := range append(ws, w...) {
		fmt.Fprintf(warn, "unisocket run: warning: %s\n", w)
	}
	// The same TLS flags, with the same messages, as connect's.
	if c.TLSConfig, err = connectTLSConfig(cfg.cafile, "", "", cfg.insecure); err != nil {
		return c, err
	}
	if len(cfg.resolve) > 0 {
		c.DialContext = cfg.resolve.dialer()
	}
	return c, nil
}

// resolveFlag collects --resolve HOST:PORT:ADDR entries: connections to
// HOST:PORT go to ADDR instead (ADDR:PORT when ADDR has no port). Only the
// TCP connection moves: the URL, the Host header, TLS's server name and
// certificate check still use HOST, so code with production URLs runs
// against a local server.
type resolveFlag map[string]string

func (r *resolveFlag) String() string {
	parts := make([]string, 0, len(*r))
	for k, v := range *r {
		parts = append(parts, k+"->"+v)
	}
	return strings.Join(parts, ",")
}

func (r *resolveFlag) Set(v string) error {
	from, to, err := parseResolve(v)
	if err != nil {
		return err
	}
	if *r == nil {
		*r = resolveFlag{}
	}
	(*r)[from] = to
	return nil
}

// parseResolve parses HOST:PORT:ADDR. HOST may be an IPv6 literal in
// brackets; ADDR may be an IP, [IPv6], a host name, or any of them with
// :PORT.
func parseResolve(v string) (from, to string, err error) {
	bad := func(why string) (string, string, error) {
		return "", "", fmt.Errorf("%q: %s (want HOST:PORT:ADDR, e.g. www.example.com:443:127.0.0.1:8443)", v, why)
	}
	var host, rest string
	if strings.HasPrefix(v, "[") {
		i := strings.Index(v, "]:")
		if i < 0 {
			return bad("unclosed [")
		}
		host, rest = v[1:i], v[i+2:]
	} else {
		var found bool
		host, rest, found = strings.Cut(v, ":")
		if !found {
			return bad("no port")
		}
	}
	port, addr, found := strings.Cut(rest, ":")
	if !found || addr == "" {
		return bad("no address")
	}
	if host == "" {
		return bad("no host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return bad("bad port " + strconv.Quote(port))
	}
	from = net.JoinHostPort(strings.ToLower(host), port)
	switch {
	case strings.HasPrefix(addr, "[") && strings.HasSuffix(addr, "]"):
		to = net.JoinHostPort(addr[1:len(addr)-1], port)
	case strings.Count(addr, ":") > 1 && !strings.HasPrefix(addr, "["):
		to = net.JoinHostPort(addr, port) // a bare IPv6 address
	default:
		if h, p, err := net.SplitHostPort(addr); err == nil {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 || h == "" {
				return bad("bad address " + strconv.Quote(addr))
			}
			to = addr
		} else {
			to = net.JoinHostPort(addr, port)
		}
	}
	return from, to, nil
}

// dialer returns a DialContext that routes the resolved host:port pairs.
func (r resolveFlag) dialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if to, ok := r[strings.ToLower(addr)]; ok {
			addr = to
		}
		return d.DialContext(ctx, network, addr)
	}
}
