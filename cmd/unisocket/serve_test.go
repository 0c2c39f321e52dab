package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/internal/testutil"
)

// serveGuard bounds every wait in the serve tests so that a bug fails
// instead of hanging; it asserts nothing about speed.
const serveGuard = 10 * time.Second

var serveURLPattern = regexp.MustCompile(`listening on (wss?://127\.0\.0\.1:[0-9]+)`)

// serveURL waits for the whole start-up banner and returns its URL.
func serveURL(t *testing.T, stdout *testutil.Buffer) string {
	t.Helper()
	stdout.WaitFor(t, "stdout", regexp.MustCompile(`Press Ctrl-C to stop`))
	return serveURLPattern.FindStringSubmatch(stdout.WaitFor(t, "stdout", serveURLPattern))[1]
}

// startServe runs serve in the background until the test ends, and then
// checks that it left no goroutine behind.
func startServe(t *testing.T, cfg serveConfig) (stdout, stderr *testutil.Buffer) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) }) // runs after the stop below
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = new(testutil.Buffer), new(testutil.Buffer)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(serveGuard):
			t.Error("serve did not return after its context was cancelled")
		}
	})
	return stdout, stderr
}

func serveDialEcho(t *testing.T, u string, tlsConfig *tls.Config) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), serveGuard)
	defer cancel()
	tr := &http.Transport{TLSClientConfig: tlsConfig}
	defer tr.CloseIdleConnections()
	c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	defer c.CloseNow()
	if _, p, err := c.Read(ctx); err != nil || string(p) != "message 1" {
		t.Fatalf("send=1: got %q, %v", p, err)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte("echo")); err != nil {
		t.Fatal(err)
	}
	if _, p, err := c.Read(ctx); err != nil || string(p) != "echo" {
		t.Fatalf("echo: got %q, %v", p, err)
	}
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
}

func TestServePrintsURLAndServes(t *testing.T) {
	cfg, code, ok := parseServeFlags([]string{"--addr", "127.0.0.1:0"}, &bytes.Buffer{}, &bytes.Buffer{})
	if !ok {
		t.Fatalf("parseServeFlags: exit code %d", code)
	}
	stdout, stderr := startServe(t, cfg)
	u := serveURL(t, stdout)
	if !strings.HasPrefix(u, "ws://") {
		t.Errorf("URL %q, want ws://", u)
	}
	for _, b := range []string{"status=CODE", "close=CODE|empty", "inspect=1", "Ctrl-C"} {
		if !strings.Contains(stdout.String(), b) {
			t.Errorf("start-up output lacks %q:\n%s", b, stdout)
		}
	}
	serveDialEcho(t, u+"/chat?send=1", nil)
	stderr.WaitFor(t, "stderr", regexp.MustCompile(`#1 GET /chat\?send=1 from 127\.0\.0\.1`))
	stderr.WaitFor(t, "stderr", regexp.MustCompile(`#1 closed by the client with 1000`))
}

// TestServeRestartEvery: with --restart-every the server drops its
// connections, refuses for --refuse-for, and serves again, on a loop.
func TestServeRestartEvery(t *testing.T) {
	cfg, code, ok := parseServeFlags([]string{"--addr", "127.0.0.1:0", "--restart-every", "200ms", "--refuse-for", "100ms"}, &bytes.Buffer{}, &bytes.Buffer{})
	if !ok {
		t.Fatalf("parseServeFlags: exit code %d", code)
	}
	stdout, stderr := startServe(t, cfg)
	u := serveURL(t, stdout)
	if !strings.Contains(stdout.String(), "restarting every 200ms, refusing connections for 100ms each time") {
		t.Errorf("the banner does not announce the restarts:\n%s", stdout)
	}
	stderr.WaitFor(t, "stderr", regexp.MustCompile(`restart: refusing connections for 100ms`))
	// Two restarts have passed once the second one accepts again.
	stderr.WaitFor(t, "stderr", regexp.MustCompile(`(?s)accepting connections again.*accepting connections again`))
	// Between restarts the server serves; a dial that meets a restart
	// is retried, a bounded number of times.
	for attempt := 0; ; attempt++ {
		if err := serveTryEcho(u + "/?send=1"); err == nil {
			break
		} else if attempt == 20 {
			t.Fatalf("no echo in 20 attempts between restarts: %v", err)
		}
	}
}

// serveTryEcho dials u (which sends one message) and echoes a message.
func serveTryEcho(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), serveGuard)
	defer cancel()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		return err
	}
	defer c.CloseNow()
	if _, _, err := c.Read(ctx); err != nil {
		return err
	}
	if err := c.Write(ctx, websocket.MessageText, []byte("echo")); err != nil {
		return err
	}
	if _, _, err := c.Read(ctx); err != nil {
		return err
	}
	return c.Close(websocket.StatusNormalClosure, "")
}

func TestServeQuiet(t *testing.T) {
	cfg, _, ok := parseServeFlags([]string{"--addr=127.0.0.1:0", "--quiet"}, &bytes.Buffer{}, &bytes.Buffer{})
	if !ok {
		t.Fatal("parseServeFlags failed")
	}
	stdout, stderr := startServe(t, cfg)
	serveDialEcho(t, serveURL(t, stdout)+"/?send=1", nil)
	if strings.Contains(stdout.String(), "status=CODE") {
		t.Errorf("--quiet still shows the behaviour table:\n%s", stdout)
	}
	if s := stderr.String(); s != "" {
		t.Errorf("--quiet still logs:\n%s", s)
	}
}

func TestServeTLSWritesCertificate(t *testing.T) {
	certFile := filepath.Join(t.TempDir(), "server.pem")
	cfg, _, ok := parseServeFlags([]string{"--addr", "127.0.0.1:0", "--tls", "--host", "dev.example.com", "--host", "api.example.com", "--cert-out", certFile}, &bytes.Buffer{}, &bytes.Buffer{})
	if !ok {
		t.Fatal("parseServeFlags failed")
	}
	stdout, _ := startServe(t, cfg)
	u := serveURL(t, stdout)
	if !strings.HasPrefix(u, "wss://") {
		t.Fatalf("URL %q, want wss://", u)
	}
	if !strings.Contains(stdout.String(), "dev.example.com, api.example.com") || !strings.Contains(stdout.String(), certFile) {
		t.Errorf("start-up output does not name the certificate's hosts and file:\n%s", stdout)
	}
	pemData, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemData) {
		t.Fatalf("%s holds no certificate", certFile)
	}
	serveDialEcho(t, u+"/?send=1", &tls.Config{RootCAs: roots})
	serveDialEcho(t, u+"/?send=1", &tls.Config{RootCAs: roots, ServerName: "api.example.com"})
}

func TestServeTLSDefaultCertOut(t *testing.T) {
	cfg, _, ok := parseServeFlags([]string{"--tls"}, &bytes.Buffer{}, &bytes.Buffer{})
	if !ok || cfg.certOut != serveDefaultCertOut || !cfg.opts.TLS || cfg.opts.Addr != "127.0.0.1:8080" {
		t.Errorf("--tls: config %+v, want addr 127.0.0.1:8080 and cert-out %s", cfg, serveDefaultCertOut)
	}
}

func TestServeStopsOnSIGTERM(t *testing.T) {
	stdout, stderr := new(testutil.Buffer), new(testutil.Buffer)
	done := make(chan int, 1)
	go func() { done <- run([]string{"serve", "--addr", "127.0.0.1:0", "--quiet"}, stdout, stderr) }()
	u := serveURL(t, stdout) // printed after the signal handler is installed
	serveDialEcho(t, u+"/?send=1", nil)

	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := self.Signal(syscall.SIGTERM); err != nil {
		t.Skipf("cannot signal this process here: %v", err)
	}
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit code %d after SIGTERM, want %d; stderr:\n%s", code, exitOK, stderr)
		}
	case <-time.After(serveGuard):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if !strings.Contains(stdout.String(), "stopped") {
		t.Errorf("no stop message:\n%s", stdout)
	}
}

func TestServeFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--nope"}, "unknown flag: --nope"},
		{[]string{"--addr"}, "flag needs an argument: --addr"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--cert-out", "x.pem"}, "--cert-out needs --tls"},
		{[]string{"--host", "a.example"}, "--host needs --tls"},
		{[]string{"--tls", "--host="}, "empty host name"},
		{[]string{"--reply", "ping"}, `--reply "ping": want MATCH=REPLY`},
		{[]string{"--reply", "a=b", "--reply", "a=c"}, `--reply "a=c": "a" already has a reply`},
		{[]string{"--log-messages", "--quiet"}, "--log-messages and --quiet exclude each other"},
		{[]string{"--refuse-for", "1s"}, "--refuse-for needs --restart-every"},
		{[]string{"--restart-every", "0s"}, "--restart-every must be more than 0"},
		{[]string{"--restart-every", "-1s"}, `invalid argument "-1s" for "--restart-every" flag: want a duration of 0 or more such as 300ms or 2s`},
		{[]string{"--restart-every", "often"}, `invalid argument "often" for "--restart-every" flag: want a duration`},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"serve"}, tc.args...), &stdout, &stderr)
		if code != exitUsage {
			t.Errorf("%q: exit code %d, want %d", tc.args, code, exitUsage)
		}
		msg := stderr.String()
		if !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "unisocket serve: ") {
			t.Errorf("%q: stderr %q, want one line with %q", tc.args, msg, tc.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("%q: wrote to stdout: %q", tc.args, stdout.String())
		}
	}
}

func TestServeListenError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"serve", "--addr", "127.0.0.1:notaport"}, &stdout, &stderr)
	if code != exitFailure || !strings.Contains(stderr.String(), "127.0.0.1:notaport") {
		t.Errorf("exit code %d, stderr %q; want %d and a message naming the address", code, stderr.String(), exitFailure)
	}
}

func TestServeHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"serve", arg}, &stdout, &stderr); code != exitOK {
			t.Errorf("%s: exit code %d", arg, code)
		}
		help := stdout.String()
		for _, want := range []string{"Usage: unisocket serve", "--addr ADDR", "--tls", "--host NAME", "--cert-out FILE", "--quiet", "Examples:", "close=CODE|empty", "hang=1"} {
			if !strings.Contains(help, want) {
				t.Errorf("%s: help lacks %q:\n%s", arg, want, help)
			}
		}
		if stderr.Len() != 0 {
			t.Errorf("%s: stderr %q", arg, stderr.String())
		}
	}
}

func TestServeIsListed(t *testing.T) {
	var stdout bytes.Buffer
	run([]string{"help"}, &stdout, &bytes.Buffer{})
	if !strings.Contains(stdout.String(), "serve") {
		t.Errorf("'unisocket help' does not list serve:\n%s", stdout.String())
	}
}

// TestServePortInUse checks that a port in use fails with a hint to a free
// one.
func TestServePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stdout, stderr bytes.Buffer
	code := run([]string{"serve", "--addr", ln.Addr().String()}, &stdout, &stderr)
	if code != exitFailure || !strings.Contains(stderr.String(), "--addr 127.0.0.1:0 picks a free one") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want 1 and one line suggesting --addr 127.0.0.1:0", code, stderr.String())
	}
}

// TestServeRepliesAndLogMessages: --reply answers its MATCH (split at the
// first =, so a reply may hold =) and --log-messages logs both ways.
func TestServeRepliesAndLogMessages(t *testing.T) {
	cfg, code, ok := parseServeFlags([]string{"--addr", "127.0.0.1:0", "--reply", "ping=pong", "--reply", "q=a=b", "--log-messages"}, &bytes.Buffer{}, &bytes.Buffer{})
	if !ok {
		t.Fatalf("parseServeFlags: exit code %d", code)
	}
	stdout, stderr := startServe(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), serveGuard)
	defer cancel()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, _, err := websocket.Dial(ctx, serveURL(t, stdout)+"/", &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	for _, tc := range [][2]string{{"ping", "pong"}, {"q", "a=b"}, {"other", "other"}} {
		if err := c.Write(ctx, websocket.MessageText, []byte(tc[0])); err != nil {
			t.Fatal(err)
		}
		if _, p, err := c.Read(ctx); err != nil || string(p) != tc[1] {
			t.Fatalf("sent %q, got %q (%v); want %q", tc[0], p, err, tc[1])
		}
	}
	_ = c.Close(websocket.StatusNormalClosure, "")
	stderr.WaitFor(t, "stderr", regexp.MustCompile(`#1 received text, 4 bytes: "ping"\n.*#1 replied text, 4 bytes: "pong"\n`))
	stderr.WaitFor(t, "stderr", regexp.MustCompile(`#1 replied text, 3 bytes: "a=b"`))
	stderr.WaitFor(t, "stderr", regexp.MustCompile(`#1 received text, 5 bytes: "other"`))
}
