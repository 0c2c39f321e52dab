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
	"fmt"
	"github.com/spf13/pflag"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

// connectConfig is what the connect flags ask for.
type connectConfig struct {
	uniFlags
	url       string // as given; empty or starting with / or ? means the embedded server
	embedded  bool   // connect to the embedded test server
	headers   []string
	protocols []string
	method    string

	pingInterval time.Duration
	showPings    bool
	binary       bool // input lines (and -x) are hex, binary output is hex
	base64       bool // input lines (and -x) are base64, binary output is base64
	execute      []string
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

func runConnect(args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseConnectFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	diag := &connectSwitchWriter{w: stderr}
	ucfg, proxy, warnings, err := cfg.build(os.Getenv, diag)
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
	s.showPings = mode == connectModeREPL || cfg.verbose || cfg.showPings
	var (
		task    *uni.SocketTask
		dialErr error
	)
	// One App turn from the dial to the listeners: no event of the socket
	// can be delivered before OnError and OnClose are added.
	app.Run(func() {
		task, dialErr = app.Dial(ctx, uni.ConnectSocketOptions{
			URL:               target,
			Header:            cfg.headerMap(),
			Method:            cfg.method,
			Protocols:         cfg.protocols,
			PerMessageDeflate: cfg.compress,
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
		s.startPings(ctx, cfg.pingInterval, cfg.verbose || cfg.showPings)
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
		return connectRunREPL(ctx, s, os.Stdin, stdout.(*os.File), diag, cfg.messageLimit())
	default:
		return connectRunPipe(ctx, s, os.Stdin, cfg.wait.d, cfg.messageLimit())
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
	for _, k := range slices.Sorted(maps.Keys(h)) {
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
	if code, ok := parseFlags(fs, args, stdout, stderr, func(w io.Writer) { connectUsage(w, fs) }); !ok {
		return cfg, code, false
	}
	fail := func(format string, a ...any) (connectConfig, int, bool) {
		return cfg, usageError(stderr, "connect", format, a...), false
	}
	urls := fs.Args()
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
	if err := cfg.uniFlags.check(); err != nil {
		return fail("%v", err)
	}
	switch {
	case cfg.binary && cfg.base64:
		return fail("--binary and --base64 exclude each other")
	case cfg.pingInterval < 0:
		return fail("--ping-interval must not be negative")
	}
	for _, h := range cfg.headers {
		name, _, err := connectParseHeader(h)
		if err != nil {
			return fail("%v", err)
		}
		// The wire layer sends the URL's host whatever the header option
		// says; refusing beats dropping it silently.
		if http.CanonicalHeaderKey(name) == "Host" {
			return fail("-H %q: the Host header is the URL's host; to send this name to another address, put it in the URL and add --resolve HOST:PORT:ADDR", h)
		}
	}
	if err := uni.CheckProtocols(cfg.protocols); err != nil {
		return fail("-s: %v", err)
	}
	if cfg.method != "" {
		// uni-app sends GET for a method it does not know, silently; a
		// command line says so instead.
		if !uni.ValidMethod(cfg.method) {
			return fail("--method %q: uni-app knows %s", cfg.method, strings.Join(uni.Methods(), ", "))
		}
		cfg.method = strings.ToUpper(cfg.method)
	}
	if _, err := cfg.executeMessages(); err != nil {
		return fail("%v", err)
	}
	return cfg, exitOK, true
}

func connectFlagSet(cfg *connectConfig) *pflag.FlagSet {
	fs := newFlagSet("connect")
	fs.StringArrayVarP(&cfg.headers, "header", "H", nil, "send the request header `\"Name: value\"` (repeat for more; for Host, see --resolve)")
	fs.StringArrayVarP(&cfg.protocols, "protocol", "s", nil, "request the subprotocol `NAME` (repeat for more, in order of preference); the server must confirm one (also --subprotocol)")
	fs.StringVar(&cfg.method, "method", "", "the handshake's HTTP `METHOD` (uni-app's method option; default GET)")
	cfg.uniFlags.register(fs)
	fs.DurationVar(&cfg.pingInterval, "ping-interval", 0, "send a ping every `D` and report failures (-v or -P: each round trip)")
	fs.BoolVarP(&cfg.showPings, "show-ping-pong", "P", false, "show the server's pings (\"< ping PAYLOAD\") and each pong's round trip on stderr in the -x and pipe modes; the REPL always shows pings")
	fs.BoolVarP(&cfg.binary, "binary", "b", false, "input lines and -x are hex and sent as binary messages")
	fs.BoolVar(&cfg.base64, "base64", false, "input lines and -x are base64 and sent as binary messages; binary output is base64")
	fs.StringArrayVarP(&cfg.execute, "execute", "x", nil, "send `MSG` once open (repeat for more), wait -w, close and exit")
	fs.VarP(&cfg.wait, "wait", "w", "after the last message (-x or end of input), wait this long for replies before closing: seconds, or a duration such as 500ms (default 2 with -x, 0 in pipe mode)")
	fs.BoolVarP(&cfg.timestamps, "timestamps", "t", false, "put the time before each message and event")
	fs.BoolVar(&cfg.json, "json", false, "pretty-print JSON text messages (REPL)")
	fs.BoolVarP(&cfg.verbose, "verbose", "v", false, "show the proxy, the handshake response (headers, subprotocol, extensions) and ping round trips")
	fs.BoolVar(&cfg.noColor, "no-color", false, "no colours (also: the NO_COLOR environment variable)")
	return fs
}

func connectUsage(w io.Writer, fs *pflag.FlagSet) {
	printHelp(w, fs, `Usage: unisocket connect [URL] [flags]

Opens a WebSocket to URL with the uni-app socket API and lets you talk to
it. URL is ws:// or wss:// (ws:// is assumed without a scheme); without a
URL, or with only a path and query (/chat?send=3), the embedded test
server is started for the session and used.

Flags (before or after URL):
`, connectExamples)
}

// connectNormalizeURL adds ws:// to a URL without a scheme (as wscat
// does) and checks that the result is a URL, ws:// or wss://, with a
// host and a port that can be.
func connectNormalizeURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		raw = "ws://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("URL %q is not a URL: %v", raw, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "ws", "wss":
	case "http", "https":
		return "", fmt.Errorf("URL %q: the scheme is %s; a WebSocket URL starts with ws:// or wss://", raw, u.Scheme)
	default:
		return "", fmt.Errorf("URL %q: unknown scheme %q; a WebSocket URL starts with ws:// or wss://", raw, u.Scheme)
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("URL %q has no host", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("URL %q: the port must be 1 to 65535, not %s", raw, p)
		}
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return "", fmt.Errorf("URL %q: a WebSocket URL has no #fragment", raw)
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
	if !uni.ValidHeaderName(name) {
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

// connectWait is -w: seconds as wscat takes them (2, 0.5), or a Go
// duration (500ms).
type connectWait struct {
	d   time.Duration
	set bool
}

func (w *connectWait) String() string { return w.d.String() }
func (w *connectWait) Type() string   { return "SECONDS" }

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
