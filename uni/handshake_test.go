package uni_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

// failOpen connects to url and returns the error event's errMsg after
// checking the events: error, then close 1006, and no open.
func failOpen(t *testing.T, app *uni.App, opts uni.ConnectSocketOptions) string {
	t.Helper()
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(opts)
		rec.watch("task", task)
	})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	lines := rec.snapshot()
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "task.error ") || lines[1] != `task.close 1006 ""` {
		t.Fatalf("want error then close 1006, got %q", lines)
	}
	return strings.TrimPrefix(lines[0], "task.error ")
}

func TestHandshakeFailuresNameTheCause(t *testing.T) {
	p := newPeer(t)
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	refused := "ws://" + freeAddr(t) + "/"

	tests := []struct {
		name string
		url  string
		opts uni.ConnectSocketOptions
		want string // substring of the errMsg
	}{
		{"403", p.url("status=403"), uni.ConnectSocketOptions{}, "server answered HTTP 403 Forbidden instead of 101"},
		{"500", p.url("status=500"), uni.ConnectSocketOptions{}, "server answered HTTP 500 Internal Server Error instead of 101"},
		{"redirect", p.url("redirect=/elsewhere"), uni.ConnectSocketOptions{}, `server answered HTTP 302 redirect to "/elsewhere", which is not followed`},
		{"refused", refused, uni.ConnectSocketOptions{}, "failed: connection refused"},
		{"tls untrusted", "wss" + strings.TrimPrefix(tlsSrv.URL, "https") + "/", uni.ConnectSocketOptions{}, "TLS handshake failed"},
		{"subprotocol not confirmed", p.url("proto=none"), uni.ConnectSocketOptions{Protocols: []string{"chat"}}, "server did not confirm any of the requested subprotocols chat"},
		{"subprotocol not requested", p.url("proto=other"), uni.ConnectSocketOptions{Protocols: []string{"chat"}}, "subprotocol not confirmed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := newApp(t, uni.Config{})
			opts := tc.opts
			opts.URL = tc.url
			if got := failOpen(t, app, opts); !strings.Contains(got, tc.want) {
				t.Fatalf("errMsg %q does not contain %q", got, tc.want)
			}
		})
	}
}

func TestHandshakeFailureDNS(t *testing.T) {
	// A resolver that asks a loopback DNS port where nothing answers: the
	// lookup really fails, and no packet leaves the machine.
	deadDNS := freeAddr(t)
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", deadDNS)
	}}
	dialer := &net.Dialer{Resolver: resolver}
	app := newApp(t, uni.Config{DialContext: dialer.DialContext})
	got := failOpen(t, app, uni.ConnectSocketOptions{URL: "ws://socket.unisocket.test/"})
	if !strings.Contains(got, "host not found") {
		t.Fatalf("errMsg %q does not name the DNS failure", got)
	}
}

// hangingListener accepts TCP connections and never answers the upgrade.
func hangingListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	conns := make(chan net.Conn, 16)
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		close(conns)
		for c := range conns {
			c.Close()
		}
	})
	return "ws://" + l.Addr().String() + "/"
}

func TestHandshakeTimeout(t *testing.T) {
	url := hangingListener(t)
	t.Run("app timeout", func(t *testing.T) {
		app := newApp(t, uni.Config{ConnectTimeout: 200 * time.Millisecond})
		got := failOpen(t, app, uni.ConnectSocketOptions{URL: url})
		if !strings.Contains(got, "handshake timed out") {
			t.Fatalf("errMsg %q does not name the timeout", got)
		}
	})
	t.Run("per-call timeout overrides", func(t *testing.T) {
		app := newApp(t, uni.Config{ConnectTimeout: time.Hour})
		got := failOpen(t, app, uni.ConnectSocketOptions{URL: url, Timeout: 200 * time.Millisecond})
		if !strings.Contains(got, "handshake timed out") {
			t.Fatalf("errMsg %q does not name the timeout", got)
		}
	})
}

func TestDefaultConnectTimeoutIs60s(t *testing.T) {
	if uni.DefaultConnectTimeout != 60*time.Second {
		t.Fatalf("DefaultConnectTimeout = %v, want networkTimeout.connectSocket's default 60000 ms", uni.DefaultConnectTimeout)
	}
}

func TestSubprotocolNegotiated(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url(""), Protocols: []string{"chat", "superchat"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := task.Subprotocol(); got != "chat" {
		t.Errorf("Subprotocol() = %q, want chat", got)
	}
	if err := task.Shutdown(context.Background(), 1000, ""); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, app, task)
}

func TestHeadersAndMethodReachTheServer(t *testing.T) {
	p := newPeer(t)
	for _, tc := range []struct{ method, want string }{
		{"", "GET"}, {"post", "POST"}, {"Patch", "PATCH"}, {"PUT", "PUT"}, {"foo", "GET"},
	} {
		t.Run(tc.want+"/"+tc.method, func(t *testing.T) {
			app := newApp(t, uni.Config{})
			task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{
				URL:    p.url("inspect=1"),
				Method: tc.method,
				Header: map[string]string{"content-type": "application/json", "X-Token": "abc 123"},
			})
			if err != nil {
				t.Fatal(err)
			}
			msg, err := task.Receive(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Method string
				Header http.Header
			}
			if err := json.Unmarshal([]byte(msg.Data.(string)), &got); err != nil {
				t.Fatal(err)
			}
			if got.Method != tc.want {
				t.Errorf("server saw method %q, want %q", got.Method, tc.want)
			}
			if got.Header.Get("Content-Type") != "application/json" || got.Header.Get("X-Token") != "abc 123" {
				t.Errorf("server saw headers %v", got.Header)
			}
			if err := task.Shutdown(context.Background(), 1000, ""); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, app, task)
		})
	}
}

func TestInvalidOptionsFail(t *testing.T) {
	tests := []struct {
		name string
		opts uni.ConnectSocketOptions
		want string
	}{
		{"no url", uni.ConnectSocketOptions{}, "connectSocket:fail Missing required parameter `url`"},
		{"http scheme", uni.ConnectSocketOptions{URL: "http://example.com/"}, `connectSocket:fail invalid url "http://example.com/": the scheme must be ws or wss, not "http"`},
		{"no host", uni.ConnectSocketOptions{URL: "ws:///path"}, `connectSocket:fail invalid url "ws:///path": it has no host`},
		{"fragment", uni.ConnectSocketOptions{URL: "ws://example.com/#x"}, `connectSocket:fail invalid url "ws://example.com/#x": a WebSocket URL cannot have a fragment`},
		{"unparsable", uni.ConnectSocketOptions{URL: "ws://exa mple.com/"}, `connectSocket:fail invalid url "ws://exa mple.com/": invalid character " " in host name`},
		{"CRLF in value", uni.ConnectSocketOptions{URL: "ws://example.com/", Header: map[string]string{"X-A": "a\r\nX-Evil: 1"}}, `connectSocket:fail invalid value for header "X-A": it must not contain control characters such as CR, LF or NUL`},
		{"NUL in value", uni.ConnectSocketOptions{URL: "ws://example.com/", Header: map[string]string{"X-A": "a\x00"}}, `connectSocket:fail invalid value for header "X-A": it must not contain control characters such as CR, LF or NUL`},
		{"space in name", uni.ConnectSocketOptions{URL: "ws://example.com/", Header: map[string]string{"X A": "1"}}, `connectSocket:fail invalid header name "X A": it must be a non-empty HTTP token`},
		{"empty name", uni.ConnectSocketOptions{URL: "ws://example.com/", Header: map[string]string{"": "1"}}, `connectSocket:fail invalid header name "": it must be a non-empty HTTP token`},
		{"handshake header", uni.ConnectSocketOptions{URL: "ws://example.com/", Header: map[string]string{"sec-websocket-key": "x"}}, `connectSocket:fail header "sec-websocket-key" is set by the WebSocket handshake and cannot be given`},
		{"bad subprotocol", uni.ConnectSocketOptions{URL: "ws://example.com/", Protocols: []string{"a b"}}, `connectSocket:fail invalid subprotocol "a b": it must be a non-empty HTTP token (no spaces, commas or separators)`},
		{"empty subprotocol", uni.ConnectSocketOptions{URL: "ws://example.com/", Protocols: []string{""}}, `connectSocket:fail invalid subprotocol "": it must be a non-empty HTTP token (no spaces, commas or separators)`},
		{"duplicate subprotocol", uni.ConnectSocketOptions{URL: "ws://example.com/", Protocols: []string{"chat", "chat"}}, `connectSocket:fail subprotocol "chat" is listed twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := newApp(t, uni.Config{})
			rec := newRecorder()
			opts := tc.opts
			opts.Success, opts.Fail, opts.Complete = rec.results("connectSocket")
			task := app.ConnectSocket(opts)
			// The callbacks ran before ConnectSocket returned.
			equalLines(t, rec.snapshot(), []string{"connectSocket.fail " + tc.want, "connectSocket.complete " + tc.want})
			if task == nil || task.ReadyState() != uni.StateClosed {
				t.Fatalf("want a CLOSED task, got %v", task)
			}
			if n := len(app.Sockets()); n != 0 {
				t.Fatalf("a failed task was registered (%d in the registry)", n)
			}
			// Dial reports the same errMsg.
			_, err := app.Dial(context.Background(), tc.opts)
			var ue *uni.Error
			if !errors.As(err, &ue) || ue.ErrMsg != tc.want {
				t.Fatalf("Dial error = %v, want errMsg %q", err, tc.want)
			}
		})
	}
}

func TestTLSWithTrustedCertificate(t *testing.T) {
	p := newPeer(t)
	srv := httptest.NewUnstartedServer(p.Server.Config.Handler)
	srv.StartTLS()
	defer srv.Close()
	app := newApp(t, uni.Config{TLSConfig: &tls.Config{RootCAs: certPool(srv)}})
	task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: "wss" + strings.TrimPrefix(srv.URL, "https") + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Write(context.Background(), "over tls"); err != nil {
		t.Fatal(err)
	}
	msg, err := task.Receive(context.Background())
	if err != nil || msg.Data != "over tls" {
		t.Fatalf("Receive = %v, %v", msg, err)
	}
	if err := task.Shutdown(context.Background(), 1000, ""); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, app, task)
	srv.CloseClientConnections()
}

func TestPerMessageDeflate(t *testing.T) {
	srv, err := server.Start(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, tc := range []struct {
		name, query string
		ask         bool
		want        string
	}{
		{"both agree", "compress=1&inspect=1", true, "permessage-deflate"},
		{"server declines", "inspect=1", true, ""},
		{"not asked", "compress=1&inspect=1", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := newApp(t, uni.Config{})
			task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: srv.URL() + "/?" + tc.query, PerMessageDeflate: tc.ask})
			if err != nil {
				t.Fatal(err)
			}
			if got := task.ResponseHeader().Get("Sec-WebSocket-Extensions"); !strings.HasPrefix(got, tc.want) || (tc.want == "" && got != "") {
				t.Errorf("negotiated %q, want %q", got, tc.want)
			}
			if _, err := task.Receive(context.Background()); err != nil { // the inspect report
				t.Fatal(err)
			}
			big := strings.Repeat("compressible ", 10000)
			if err := task.Write(context.Background(), big); err != nil {
				t.Fatal(err)
			}
			if msg, err := task.Receive(context.Background()); err != nil || msg.Data != big {
				t.Fatalf("echo of %d bytes failed: %v", len(big), err)
			}
			if err := task.Shutdown(context.Background(), 1000, ""); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, app, task)
		})
	}
}
