package main

// unisocket connect: a WebSocket client session over the uni API, in one
// of three modes chosen by how it is run:
//
//   - REPL (connect_repl.go) when stdin and stdout are terminals: line
//     editing, history, slash commands, decorated and coloured output;
//   - execute (connect_exec.go) with -x: send the given messages, wait,
//     close — wscat's -x/-w;
//   - pipe (connect_pipe.go) otherwise: each input line is a message and
//     each received message is one output line, undecorated.
//
// This file holds the flags and the part common to the modes: building the
// uni.Config, dialling inside one App turn, and the exit code. The session
// itself (receiving, sending, closing, pinging) is in connect_session.go,
// what it prints in connect_output.go.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/unisocket/unisocket/manifest"
	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

func init() {
	commands["connect"] = command{
		summary: "open a WebSocket and talk to it: REPL, pipe or -x (wscat-like)",
		run:     runConnect,
	}
}

// connectConfig is what the connect flags ask for.
type connectConfig struct {
	url       string // as given; empty or starting with / or ? means the embedded server
	embedded  bool   // connect to the embedded test server
	headers   connectStrings
	protocols connectStrings
	method    string
	platform  string
	manifest  string // uni-app manifest.json
	config    string // unisocket.config.json
	timeout   time.Duration
	set       map[string]bool // the flags given, by name

	cafile, cert, key string
	insecure          bool
	proxy             string

	pingInterval time.Duration
	binary       bool // input lines (and -x) are hex, binary output is hex
	base64       bool // input lines (and -x) are base64, binary output is base64
	execute      connectStrings
	wait         connectWait

	timestamps bool
	json       bool
	verbose    bool
	noColor    bool
}

// connectDefaultWait is how long -x waits for replies unless -w says
// otherwise: wscat's 2 seconds.
const connectDefaultWait = 2 * time.Second

const connectExamples = `Examples:
  unisocket connect
      talk to the embedded echo server (started for the session)
  unisocket connect '?send=3&close=4000&reason=bye'
      the embedded server, with a behaviour (see 'unisocket serve --help')
  unisocket connect wss://echo.example.com/chat -H "Authorization: Bearer T" -s chat.v1
      a REPL with a header and a subprotocol; type a line to send it
  unisocket connect ws://127.0.0.1:8080 -x '{"op":"hello"}' -w 5
      send one message, print the replies for 5 seconds, close, exit
  printf 'a\nb\n' | unisocket connect ws://127.0.0.1:8080 -w 1 > replies.txt
      send each line as a message; print each reply as one line
  unisocket connect wss://example.com/ws --proxy socks5h://127.0.0.1:1080 --cafile dev.pem
      through a SOCKS5 proxy, trusting the test server's certificate
  unisocket connect wss://example.com/ws --platform mp-weixin --timeout 10s
      refuse what WeChat refuses (ws://, IP hosts…), with WeChat's errMsg

REPL commands:
` + connectCommandHelp + `
Modes: a REPL when stdin and stdout are terminals (TERM not dumb); -x
sends its messages, waits -w seconds (default 2) for replies, closes and
exits; otherwise pipe mode: each stdin line is one message and each
received message one stdout line (binary as hex, or base64 with
--base64); at the end of stdin the socket is closed (after -w seconds,
default 0) and the command exits. Events and errors go to stderr in the
-x and pipe modes.

Proxies: --proxy, else HTTP_PROXY (ws://), HTTPS_PROXY (wss://) or
ALL_PROXY, except for hosts in NO_PROXY and loopback hosts. HTTP(S)
proxies are asked for a CONNECT tunnel for ws:// and wss:// alike, as
browsers do; socks5:// resolves the host here, socks5h:// at the proxy.

Exit status: 0 when the socket opened and closed without an error event
(whoever closed it); 1 when it could not open (refused, HTTP status, TLS,
timeout, a platform rule…: the errMsg is printed on stderr), ended with an
error event, or an input line could not be sent; 2 for bad flags or
arguments.
`

// connectFlagHelp lists the flags in the help, in this order. Each entry
// names the flag's names; the text is the flag's usage.
var connectFlagHelp = []struct {
	names []string
	arg   string
}{
	{[]string{"H", "header"}, `"Name: value"`},
	{[]string{"s", "protocol", "subprotocol"}, "NAME"},
	{[]string{"method"}, "METHOD"},
	{[]string{"platform"}, "P"},
	{[]string{"manifest"}, "FILE"},
	{[]string{"config"}, "FILE"},
	{[]string{"timeout"}, "D"},
	{[]string{"cafile", "ca"}, "FILE"},
	{[]string{"cert"}, "FILE"},
	{[]string{"key"}, "FILE"},
	{[]string{"k", "insecure"}, ""},
	{[]string{"proxy"}, "URL"},
	{[]string{"ping-interval"}, "D"},
	{[]string{"b", "binary"}, ""},
	{[]string{"base64"}, ""},
	{[]string{"x", "execute"}, "MSG"},
	{[]string{"w", "wait"}, "SECONDS"},
	{[]string{"t", "timestamps"}, ""},
	{[]string{"json"}, ""},
	{[]string{"v", "verbose"}, ""},
	{[]string{"no-color"}, ""},
}

func runConnect(args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseConnectFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	diag := &connectSwitchWriter{w: stderr}
	ucfg, proxy, warnings, err := cfg.uniConfig(os.Getenv, diag)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "unisocket connect: warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintf(stderr, "unisocket connect: %v (run 'unisocket connect --help' for usage)\n", err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	target := cfg.url
	if cfg.embedded {
		srv, err := server.Start(server.Options{})
		if err != nil {
			fmt.Fprintf(stderr, "unisocket connect: start the embedded test server: %v\n", err)
			return exitFailure
		}
		defer srv.Close()
		suffix := cfg.url
		if !strings.HasPrefix(suffix, "/") {
			suffix = "/" + suffix
		}
		target = srv.URL() + suffix
		why := "no URL given: "
		if cfg.url != "" {
			why = ""
		}
		fmt.Fprintf(stderr, "unisocket connect: %sstarted the embedded test server; connecting to %s (it echoes; 'unisocket serve --help' lists the ?behaviours)\n", why, target)
	}

	stdinTTY := term.IsTerminal(int(os.Stdin.Fd()))
	stdoutTTY := connectIsTerminal(stdout)
	mode := connectModePipe
	switch {
	case len(cfg.execute) > 0:
		mode = connectModeExec
	case stdinTTY && stdoutTTY && os.Getenv("TERM") != "dumb":
		// A dumb terminal (Emacs' shell) cannot take the line editor's
		// cursor moves; it gets pipe mode, and edits lines itself.
		mode = connectModeREPL
	}
	out := &connectOutput{
		out:        stdout,
		diag:       diag,
		decorated:  mode == connectModeREPL,
		color:      mode == connectModeREPL && !cfg.noColor && os.Getenv("NO_COLOR") == "",
		timestamps: cfg.timestamps,
		json:       cfg.json,
		base64:     cfg.base64,
		now:        time.Now,
	}
	if cfg.verbose {
		out.event(connectColorInfo, "connecting to %s (platform %s, proxy: %s)", target, ucfg.Profile.Name, proxy.describe(target))
		for _, h := range cfg.headers {
			out.event(connectColorInfo, "  request header %s", h)
		}
		if len(cfg.protocols) > 0 {
			out.event(connectColorInfo, "  subprotocols requested: %s", strings.Join(cfg.protocols, ", "))
		}
	}

	app := uni.NewApp(ucfg)
	s := newConnectSession(out, cfg.inputMode())
	var (
		task    *uni.SocketTask
		dialErr error
	)
	// One App turn from the dial to the listeners: no event of the socket
	// can be delivered before OnError and OnClose are added.
	app.Run(func() {
		task, dialErr = app.Dial(ctx, uni.ConnectSocketOptions{
			URL:       target,
			Header:    cfg.headerMap(),
			Method:    cfg.method,
			Protocols: cfg.protocols,
		})
		if dialErr == nil {
			s.attach(task)
		}
	})
	if dialErr != nil {
		var ue *uni.Error
		switch {
		case errors.As(dialErr, &ue):
			fmt.Fprintf(stderr, "unisocket connect: %s\n", ue.ErrMsg)
		case ctx.Err() != nil:
			fmt.Fprintf(stderr, "unisocket connect: interrupted while connecting to %s\n", target)
		default:
			fmt.Fprintf(stderr, "unisocket connect: %v\n", dialErr)
		}
		return exitFailure
	}
	go s.receive()

	if mode == connectModeREPL || cfg.verbose {
		sp := task.Subprotocol()
		if sp == "" {
			sp = "none"
		}
		out.event(connectColorOK, "connected to %s (subprotocol: %s)", target, sp)
	}
	if cfg.verbose {
		connectPrintHandshake(out, task.ResponseHeader(), task.Subprotocol())
	}
	if cfg.pingInterval > 0 {
		s.startPings(ctx, cfg.pingInterval, cfg.verbose)
	}

	switch mode {
	case connectModeExec:
		msgs, _ := cfg.executeMessages() // checked by parseConnectFlags
		wait := connectDefaultWait
		if cfg.wait.set {
			wait = cfg.wait.d
		}
		return connectRunExec(ctx, s, msgs, wait)
	case connectModeREPL:
		return connectRunREPL(ctx, s, os.Stdin, stdout.(*os.File), diag)
	default:
		return connectRunPipe(ctx, s, os.Stdin, cfg.wait.d)
	}
}

type connectMode int

const (
	connectModePipe connectMode = iota
	connectModeExec
	connectModeREPL
)

// connectIsTerminal reports whether w is a terminal.
func connectIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// connectPrintHandshake shows the handshake response, for -v. uni keeps
// no status line: an open socket's answer was 101.
func connectPrintHandshake(out *connectOutput, h http.Header, subprotocol string) {
	out.event(connectColorInfo, "handshake response: HTTP/1.1 101 Switching Protocols")
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			out.event(connectColorInfo, "  %s: %s", k, v)
		}
	}
	if subprotocol == "" {
		subprotocol = "none"
	}
	ext := h.Get("Sec-WebSocket-Extensions")
	if ext == "" {
		ext = "none"
	}
	out.event(connectColorInfo, "subprotocol: %s; extensions: %s", subprotocol, ext)
}

// parseConnectFlags reads the connect flags, which may come before or
// after the URL. When ok is false the caller exits with code: the help was
// shown, or the flags were wrong and one line on stderr says how.
func parseConnectFlags(args []string, stdout, stderr io.Writer) (cfg connectConfig, code int, ok bool) {
	fs := connectFlagSet(&cfg)
	fail := func(format string, a ...any) (connectConfig, int, bool) {
		fmt.Fprintf(stderr, "unisocket connect: %s (run 'unisocket connect --help' for usage)\n", fmt.Sprintf(format, a...))
		return cfg, exitUsage, false
	}
	var urls []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				connectUsage(stdout, fs)
				return cfg, exitOK, false
			}
			return fail("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		// After "--" everything is an argument.
		if used := len(rest) - fs.NArg(); used > 0 && rest[used-1] == "--" {
			urls = append(urls, fs.Args()...)
			break
		}
		urls = append(urls, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	cfg.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { cfg.set[f.Name] = true })
	if len(urls) > 1 {
		return fail("one URL at a time, got %d: %s", len(urls), strings.Join(urls, " "))
	}
	if len(urls) == 1 {
		cfg.url = urls[0]
	}
	if cfg.url == "" || strings.HasPrefix(cfg.url, "/") || strings.HasPrefix(cfg.url, "?") {
		cfg.embedded = true
	} else {
		u, err := connectNormalizeURL(cfg.url)
		if err != nil {
			return fail("%v", err)
		}
		cfg.url = u
	}
	switch {
	case cfg.binary && cfg.base64:
		return fail("--binary and --base64 exclude each other")
	case cfg.cafile != "" && cfg.insecure:
		return fail("--cafile and --insecure exclude each other")
	case cfg.key != "" && cfg.cert == "":
		return fail("--key needs --cert")
	case cfg.timeout < 0:
		return fail("--timeout must not be negative")
	case cfg.pingInterval < 0:
		return fail("--ping-interval must not be negative")
	}
	for _, h := range cfg.headers {
		if _, _, err := connectParseHeader(h); err != nil {
			return fail("%v", err)
		}
	}
	seen := map[string]bool{}
	for _, p := range cfg.protocols {
		if !connectValidToken(p) {
			return fail("-s %q: a subprotocol is an HTTP token (no spaces, commas or separators)", p)
		}
		if seen[p] {
			return fail("-s %q is given twice", p)
		}
		seen[p] = true
	}
	if cfg.method != "" {
		m := strings.ToUpper(cfg.method)
		if !slices.Contains(connectMethods, m) {
			return fail("--method %q: uni-app knows %s", cfg.method, strings.Join(connectMethods, ", "))
		}
		cfg.method = m
	}
	if _, err := platform.Lookup(cfg.platform); err != nil {
		return fail("--platform: %v", err)
	}
	if _, err := cfg.executeMessages(); err != nil {
		return fail("%v", err)
	}
	return cfg, exitOK, true
}

// connectMethods are the methods uni-app accepts for connectSocket; it
// silently sends GET for any other, so the CLI refuses them instead.
var connectMethods = []string{"GET", "OPTIONS", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT", "PATCH"}

func connectFlagSet(cfg *connectConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("connect", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // one line of our own instead of the flag package's messages
	for _, n := range []string{"H", "header"} {
		fs.Var(&cfg.headers, n, "send this request header (repeat for more)")
	}
	for _, n := range []string{"s", "protocol", "subprotocol"} {
		fs.Var(&cfg.protocols, n, "request this subprotocol (repeat for more, in order of preference); the server must confirm one")
	}
	fs.StringVar(&cfg.method, "method", "", "the handshake's HTTP method (uni-app's method option; default GET)")
	fs.StringVar(&cfg.platform, "platform", "standard", "behave as platform P: "+strings.Join(platform.Names(), ", ")+" (overrides --config's)")
	fs.StringVar(&cfg.manifest, "manifest", "", "read networkTimeout.connectSocket and setting.urlCheck from the uni-app manifest.json FILE")
	fs.StringVar(&cfg.config, "config", "", "read the platform, the socket domain whitelist and the url check switch from the unisocket.config.json FILE")
	fs.DurationVar(&cfg.timeout, "timeout", 0, "give up the handshake after D, e.g. 10s (networkTimeout.connectSocket; overrides --manifest's; default 60s)")
	for _, n := range []string{"cafile", "ca"} {
		fs.StringVar(&cfg.cafile, n, "", "trust the PEM certificates in FILE, instead of the system's, for wss://")
	}
	fs.StringVar(&cfg.cert, "cert", "", "present the PEM client certificate in FILE")
	fs.StringVar(&cfg.key, "key", "", "the client certificate's PEM private key (default: the --cert file)")
	for _, n := range []string{"k", "insecure"} {
		fs.BoolVar(&cfg.insecure, n, false, "do not verify the server's certificate")
	}
	fs.StringVar(&cfg.proxy, "proxy", "", "connect through this proxy: http://, https://, socks5:// or socks5h://[user:pass@]host:port")
	fs.DurationVar(&cfg.pingInterval, "ping-interval", 0, "send a ping every D and report failures (-v: each round trip)")
	for _, n := range []string{"b", "binary"} {
		fs.BoolVar(&cfg.binary, n, false, "input lines and -x are hex and sent as binary messages")
	}
	fs.BoolVar(&cfg.base64, "base64", false, "input lines and -x are base64 and sent as binary messages; binary output is base64")
	for _, n := range []string{"x", "execute"} {
		fs.Var(&cfg.execute, n, "send MSG once open (repeat for more), wait -w, close and exit")
	}
	for _, n := range []string{"w", "wait"} {
		fs.Var(&cfg.wait, n, "after the last message (-x or end of input), wait this long for replies before closing: seconds, or a duration such as 500ms (default 2 with -x, 0 in pipe mode)")
	}
	for _, n := range []string{"t", "timestamps"} {
		fs.BoolVar(&cfg.timestamps, n, false, "put the time before each message and event")
	}
	fs.BoolVar(&cfg.json, "json", false, "pretty-print JSON text messages (REPL)")
	for _, n := range []string{"v", "verbose"} {
		fs.BoolVar(&cfg.verbose, n, false, "show the proxy, the handshake response (headers, subprotocol, extensions) and ping round trips")
	}
	fs.BoolVar(&cfg.noColor, "no-color", false, "no colours (also: the NO_COLOR environment variable)")
	return fs
}

func connectUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: unisocket connect [URL] [flags]

Opens a WebSocket to URL with the uni-app socket API and lets you talk to
it. URL is ws:// or wss:// (ws:// is assumed without a scheme); without a
URL, or with only a path and query (/chat?send=3), the embedded test
server is started for the session and used.

Flags (before or after URL):
`)
	for _, e := range connectFlagHelp {
		f := fs.Lookup(e.names[0])
		names := make([]string, len(e.names))
		for i, n := range e.names {
			if len(n) == 1 {
				names[i] = "-" + n
			} else {
				names[i] = "--" + n
			}
		}
		fmt.Fprintf(w, "  %s", strings.Join(names, ", "))
		if e.arg != "" {
			fmt.Fprintf(w, " %s", e.arg)
		}
		fmt.Fprintf(w, "\n        %s\n", f.Usage)
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, connectExamples)
}

// connectNormalizeURL adds ws:// to a URL without a scheme (as wscat
// does) and checks that the result is a ws:// or wss:// URL with a host.
func connectNormalizeURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		raw = "ws://" + raw
	}
	scheme, rest, _ := strings.Cut(raw, "://")
	switch strings.ToLower(scheme) {
	case "ws", "wss":
	case "http", "https":
		return "", fmt.Errorf("URL %q: the scheme is %s; a WebSocket URL starts with ws:// or wss://", raw, scheme)
	default:
		return "", fmt.Errorf("URL %q: unknown scheme %q; a WebSocket URL starts with ws:// or wss://", raw, scheme)
	}
	host, _, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, "?")
	if host == "" || strings.HasPrefix(host, ":") {
		return "", fmt.Errorf("URL %q has no host", raw)
	}
	return raw, nil
}

// connectParseHeader splits "Name: value".
func connectParseHeader(h string) (name, value string, err error) {
	name, value, found := strings.Cut(h, ":")
	if !found {
		return "", "", fmt.Errorf("-H %q: want \"Name: value\"", h)
	}
	name = strings.TrimSpace(name)
	if !connectValidToken(name) {
		return "", "", fmt.Errorf("-H %q: the header name %q is not an HTTP token", h, name)
	}
	return name, strings.TrimSpace(value), nil
}

// headerMap turns the -H flags into uni's header option. uni takes one
// value per name, so repeated names are joined with ", " as HTTP allows.
func (cfg *connectConfig) headerMap() map[string]string {
	if len(cfg.headers) == 0 {
		return nil
	}
	m := make(map[string]string, len(cfg.headers))
	canon := map[string]string{} // canonical name -> the spelling first given
	for _, h := range cfg.headers {
		name, value, _ := connectParseHeader(h)
		key := http.CanonicalHeaderKey(name)
		if first, ok := canon[key]; ok {
			m[first] += ", " + value
			continue
		}
		canon[key] = name
		m[name] = value
	}
	return m
}

// connectValidToken reports whether s is an RFC 9110 token.
func connectValidToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// inputMode says how input lines and -x values become messages.
func (cfg *connectConfig) inputMode() connectInputMode {
	switch {
	case cfg.binary:
		return connectInputHex
	case cfg.base64:
		return connectInputBase64
	}
	return connectInputText
}

// executeMessages decodes the -x values.
func (cfg *connectConfig) executeMessages() ([]any, error) {
	mode := cfg.inputMode()
	msgs := make([]any, 0, len(cfg.execute))
	for _, x := range cfg.execute {
		m, err := mode.decode(x)
		if err != nil {
			return nil, fmt.Errorf("-x %q: %v", x, err)
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// uniConfig turns the flags into the App's configuration: --manifest and
// --config first, then --platform and --timeout when given, then TLS and
// the proxy. errLog receives the App's warnings. It also returns the proxy
// choice (for -v) and the warnings of the files.
func (cfg *connectConfig) uniConfig(getenv func(string) string, errLog io.Writer) (uni.Config, *connectProxy, []manifest.Warning, error) {
	var (
		c        uni.Config
		warnings []manifest.Warning
	)
	if cfg.manifest != "" || cfg.config != "" {
		var (
			m   *manifest.Manifest
			sc  *manifest.SocketConfig
			w   []manifest.Warning
			err error
		)
		if cfg.manifest != "" {
			if m, w, err = manifest.ReadManifest(cfg.manifest); err != nil {
				return c, nil, warnings, fmt.Errorf("--manifest: %w", err)
			}
			warnings = append(warnings, w...)
		}
		if cfg.config != "" {
			if sc, w, err = manifest.ReadSocketConfig(cfg.config); err != nil {
				return c, nil, warnings, fmt.Errorf("--config: %w", err)
			}
			warnings = append(warnings, w...)
		}
		if cfg.set["platform"] {
			// Before UniConfig, so that the url check switch of the
			// flag's platform section applies.
			if sc == nil {
				sc = &manifest.SocketConfig{}
			}
			sc.Platform = cfg.platform
		}
		if c, w, err = manifest.UniConfig(m, sc); err != nil {
			return c, nil, warnings, err
		}
		warnings = append(warnings, w...)
	} else {
		p, err := platform.Lookup(cfg.platform)
		if err != nil {
			return c, nil, warnings, err
		}
		c.Profile = p
	}
	if cfg.set["timeout"] {
		c.ConnectTimeout = cfg.timeout
	}
	c.ErrorLog = log.New(errLog, "", 0)
	var err error
	if c.TLSConfig, err = connectTLSConfig(cfg.cafile, cfg.cert, cfg.key, cfg.insecure); err != nil {
		return c, nil, warnings, err
	}
	proxy, err := newConnectProxy(cfg.proxy, getenv)
	if err != nil {
		return c, nil, warnings, err
	}
	c.Proxy = proxy.choose
	return c, proxy, warnings, nil
}

// connectStrings collects a repeated flag.
type connectStrings []string

func (s *connectStrings) String() string { return strings.Join(*s, ", ") }

func (s *connectStrings) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// connectWait is -w: seconds as wscat takes them (2, 0.5), or a Go
// duration (500ms).
type connectWait struct {
	d   time.Duration
	set bool
}

func (w *connectWait) String() string { return w.d.String() }

func (w *connectWait) Set(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || f > 1e6 {
			return fmt.Errorf("want seconds (2, 0.5) or a duration (500ms), not %q", v)
		}
		d = time.Duration(f * float64(time.Second))
	}
	if d < 0 {
		return fmt.Errorf("must not be negative, got %q", v)
	}
	w.d, w.set = d, true
	return nil
}

// connectSwitchWriter is stderr until the REPL puts the terminal in raw
// mode; then what goes to stderr (the App's warnings, the session's
// events) must go through the terminal, which redraws the prompt.
type connectSwitchWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *connectSwitchWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *connectSwitchWriter) set(w io.Writer) {
	s.mu.Lock()
	s.w = w
	s.mu.Unlock()
}
