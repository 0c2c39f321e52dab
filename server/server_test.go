package server_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/server"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// guard bounds every wait in these tests so that a bug fails the test
// instead of hanging it. It is not a speed assertion: loopback exchanges
// take microseconds.
const guard = 10 * time.Second

// logRecorder collects a server's log lines and lets a test wait for one.
type logRecorder struct {
	t       *testing.T
	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced at every new line
}

func newLogRecorder(t *testing.T) *logRecorder {
	return &logRecorder{t: t, changed: make(chan struct{})}
}

func (l *logRecorder) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	l.t.Log("server: " + line)
	l.mu.Lock()
	l.lines = append(l.lines, line)
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// waitFor returns the first line containing substr, waiting for it.
func (l *logRecorder) waitFor(substr string) string {
	l.t.Helper()
	timeout := time.NewTimer(guard)
	defer timeout.Stop()
	for {
		l.mu.Lock()
		for _, line := range l.lines {
			if strings.Contains(line, substr) {
				l.mu.Unlock()
				return line
			}
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-timeout.C:
			l.t.Fatalf("no server log line contains %q; lines so far:\n%s", substr, strings.Join(l.snapshot(), "\n"))
		}
	}
}

func (l *logRecorder) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// start runs a server for the test and closes it at the end.
func start(t *testing.T, opts server.Options) (*server.Server, *logRecorder) {
	t.Helper()
	logs := newLogRecorder(t)
	if opts.Logf == nil {
		opts.Logf = logs.logf
	}
	srv, err := server.Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv, logs
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

// httpClient returns a client of its own, so that connections left idle
// after a rejected handshake are closed at the end of the test.
func httpClient(t *testing.T, tlsConfig *tls.Config) *http.Client {
	tr := &http.Transport{TLSClientConfig: tlsConfig}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// dial opens a WebSocket to u, failing the test if it cannot.
func dial(t *testing.T, u string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	c, _, err := dialErr(t, u, opts)
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	return c
}

// dialErr dials u and returns what websocket.Dial returned; the
// connection, if any, is closed at the end of the test.
func dialErr(t *testing.T, u string, opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	if opts == nil {
		opts = &websocket.DialOptions{}
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = httpClient(t, nil)
	}
	c, resp, err := websocket.Dial(testContext(t), u, opts)
	if c != nil {
		c.SetReadLimit(-1)
		t.Cleanup(func() { _ = c.CloseNow() })
	}
	return c, resp, err
}

func read(t *testing.T, c *websocket.Conn) (websocket.MessageType, string) {
	t.Helper()
	typ, p, err := c.Read(testContext(t))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return typ, string(p)
}

func write(t *testing.T, c *websocket.Conn, typ websocket.MessageType, p string) {
	t.Helper()
	if err := c.Write(testContext(t), typ, []byte(p)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// readClose reads until the connection ends and returns the error.
func readClose(t *testing.T, c *websocket.Conn) error {
	t.Helper()
	ctx := testContext(t)
	for range 1000 {
		_, _, err := c.Read(ctx)
		if err != nil {
			return err
		}
	}
	t.Fatal("the connection did not end within 1000 messages")
	return nil
}

func TestStartDefaults(t *testing.T) {
	srv, _ := start(t, server.Options{})
	host, port, err := net.SplitHostPort(srv.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Errorf("Addr() = %q, want 127.0.0.1 and a chosen port", srv.Addr())
	}
	if want := "ws://" + srv.Addr(); srv.URL() != want {
		t.Errorf("URL() = %q, want %q", srv.URL(), want)
	}
	if srv.CertPEM() != nil || srv.ClientTLSConfig() != nil {
		t.Error("a server without TLS has a certificate")
	}
}

func TestStartWildcardAddrDialsLoopback(t *testing.T) {
	srv, _ := start(t, server.Options{Addr: ":0"})
	if !strings.HasPrefix(srv.URL(), "ws://127.0.0.1:") {
		t.Fatalf("URL() = %q, want ws://127.0.0.1:PORT", srv.URL())
	}
	c := dial(t, srv.URL(), nil)
	write(t, c, websocket.MessageText, "hi")
	if _, got := read(t, c); got != "hi" {
		t.Errorf("echo = %q", got)
	}
}

func TestStartBadAddr(t *testing.T) {
	_, err := server.Start(server.Options{Addr: "127.0.0.1:notaport"})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:notaport") {
		t.Errorf("Start with a bad address: err = %v, want one naming the address", err)
	}
}

func TestTLS(t *testing.T) {
	srv, _ := start(t, server.Options{TLS: true, Hosts: []string{"www.example.com", "10.1.2.3"}})
	if want := "wss://" + srv.Addr(); srv.URL() != want {
		t.Fatalf("URL() = %q, want %q", srv.URL(), want)
	}

	block, _ := pem.Decode(srv.CertPEM())
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("CertPEM() is not a PEM certificate: %q", srv.CertPEM())
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"localhost", "www.example.com", "127.0.0.1", "::1", "10.1.2.3"} {
		if err := cert.VerifyHostname(name); err != nil {
			t.Errorf("certificate: %v", err)
		}
	}
	if cert.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("certificate key is %v, want ECDSA", cert.PublicKeyAlgorithm)
	}

	t.Run("trusted", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?binary=1", &websocket.DialOptions{HTTPClient: httpClient(t, srv.ClientTLSConfig())})
		write(t, c, websocket.MessageText, "over tls")
		if typ, got := read(t, c); typ != websocket.MessageBinary || got != "over tls" {
			t.Errorf("echo = %v %q", typ, got)
		}
	})
	t.Run("extra host name", func(t *testing.T) {
		cfg := srv.ClientTLSConfig()
		cfg.ServerName = "www.example.com"
		c := dial(t, srv.URL(), &websocket.DialOptions{HTTPClient: httpClient(t, cfg)})
		write(t, c, websocket.MessageText, "by name")
		if _, got := read(t, c); got != "by name" {
			t.Errorf("echo = %q", got)
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		_, _, err := dialErr(t, srv.URL(), &websocket.DialOptions{HTTPClient: httpClient(t, &tls.Config{})})
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Errorf("dial without trusting the certificate: err = %v, want x509.UnknownAuthorityError", err)
		}
	})
	t.Run("fresh config", func(t *testing.T) {
		if srv.ClientTLSConfig() == srv.ClientTLSConfig() {
			t.Error("ClientTLSConfig returns a shared config that callers could change")
		}
	})
}

func TestTLSCertificatesDiffer(t *testing.T) {
	a, _ := start(t, server.Options{TLS: true})
	b, _ := start(t, server.Options{TLS: true})
	if string(a.CertPEM()) == string(b.CertPEM()) {
		t.Error("two servers share a certificate; each should make a fresh one")
	}
}

func TestCloseCutsConnectionsAndIsIdempotent(t *testing.T) {
	logs := newLogRecorder(t)
	srv, err := server.Start(server.Options{Logf: logs.logf})
	if err != nil {
		t.Fatal(err)
	}
	open := dial(t, srv.URL(), nil)
	write(t, open, websocket.MessageText, "ping")
	read(t, open)

	delayed := make(chan error, 1)
	go func() {
		_, _, err := dialErr(t, srv.URL()+"/?delay=1h", nil)
		delayed <- err
	}()
	logs.waitFor("delay=1h0m0s: waiting")

	hung := make(chan error, 1)
	go func() {
		_, _, err := dialErr(t, srv.URL()+"/?hang=1", nil)
		hung <- err
	}()
	logs.waitFor("hang=1: holding")

	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	if err := readClose(t, open); websocket.CloseStatus(err) != -1 {
		t.Errorf("open connection after Close: err = %v, want a cut connection without close frame", err)
	}
	for name, ch := range map[string]chan error{"delay=1h": delayed, "hang=1": hung} {
		select {
		case err := <-ch:
			if err == nil {
				t.Errorf("%s: handshake succeeded after Close", name)
			}
		case <-time.After(guard):
			t.Fatalf("%s: handshake still pending after Close", name)
		}
	}
	if _, _, err := dialErr(t, srv.URL(), nil); err == nil {
		t.Error("dial after Close succeeded")
	}
}

func TestNewHandler(t *testing.T) {
	logs := newLogRecorder(t)
	h := server.NewHandler(logs.logf)
	ts := httptest.NewServer(h)
	defer ts.Close()
	closer, ok := h.(io.Closer)
	if !ok {
		t.Fatalf("NewHandler's %T does not implement io.Closer", h)
	}
	defer closer.Close()

	u := "ws" + strings.TrimPrefix(ts.URL, "http") + "/any/path?send=1"
	c := dial(t, u, nil)
	if _, got := read(t, c); got != "message 1" {
		t.Errorf("send=1 gave %q", got)
	}
	write(t, c, websocket.MessageText, "echo me")
	if _, got := read(t, c); got != "echo me" {
		t.Errorf("echo = %q", got)
	}

	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	if err := readClose(t, c); websocket.CloseStatus(err) != -1 {
		t.Errorf("after the handler's Close: err = %v, want a cut connection", err)
	}
	_, resp, err := dialErr(t, u, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("dial after the handler's Close: resp = %v, err = %v; want 503", resp, err)
	}
}

func TestNilLogf(t *testing.T) {
	srv, err := server.Start(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := dial(t, srv.URL()+"/?ping=x&inspect=1", nil)
	read(t, c)
	write(t, c, websocket.MessageText, "quiet")
	if _, got := read(t, c); got != "quiet" {
		t.Errorf("echo = %q", got)
	}
}

func TestConcurrentClients(t *testing.T) {
	srv, _ := start(t, server.Options{})
	const clients, messages = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Go(func() {
			ctx := testContext(t)
			c, _, err := websocket.Dial(ctx, srv.URL()+fmt.Sprintf("/client/%d", i), &websocket.DialOptions{HTTPClient: httpClient(t, nil)})
			if err != nil {
				errs <- err
				return
			}
			defer c.CloseNow()
			for k := range messages {
				want := fmt.Sprintf("client %d message %d", i, k)
				if err := c.Write(ctx, websocket.MessageText, []byte(want)); err != nil {
					errs <- err
					return
				}
				_, got, err := c.Read(ctx)
				if err != nil || string(got) != want {
					errs <- fmt.Errorf("client %d: echo %q, %v; want %q", i, got, err, want)
					return
				}
			}
			errs <- c.Close(websocket.StatusNormalClosure, "")
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestActive(t *testing.T) {
	srv, logs := start(t, server.Options{})
	waitActive := func(want int) {
		t.Helper()
		deadline := time.After(guard)
		for srv.Active() != want {
			select {
			case <-deadline:
				t.Fatalf("Active() = %d, want %d", srv.Active(), want)
			case <-time.After(time.Millisecond):
			}
		}
	}
	waitActive(0)
	c := dial(t, srv.URL(), nil)
	waitActive(1)

	ctx, cancel := context.WithCancel(context.Background())
	hung := make(chan error, 1)
	go func() {
		_, _, err := websocket.Dial(ctx, srv.URL()+"/?hang=1", &websocket.DialOptions{HTTPClient: httpClient(t, nil)})
		hung <- err
	}()
	logs.waitFor("hang=1: holding the connection")
	waitActive(2)
	cancel()
	if err := <-hung; err == nil {
		t.Error("the hang=1 handshake succeeded")
	}
	waitActive(1)

	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	waitActive(0)
}
