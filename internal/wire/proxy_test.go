package wire

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/server"
)

// proxyTestTLS returns a server config with a fresh self-signed
// certificate for 127.0.0.1 and a pool that trusts it (testTLS's, in
// conformance_test.go).
func proxyTestTLS(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	srv, cli := testTLS(t)
	return srv, cli.RootCAs
}

// proxyTestEcho dials u with tr and checks one echoed message.
func proxyTestEcho(t *testing.T, tr *Transport, u string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	c, _, err := Dial(ctx, DialOptions{URL: u, Transport: tr})
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	if err := c.Write(false, []byte("through the tunnel")); err != nil {
		t.Fatal(err)
	}
	m, err := c.Read()
	if err != nil || m.Text != "through the tunnel" {
		t.Fatalf("echo: got %+v, %v", m, err)
	}
	if err := c.Close(CodeNormal, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(); err == nil {
		t.Fatal("Read after close returned no error")
	}
}

func fixedProxy(raw string) func(*http.Request) (*url.URL, error) {
	u, err := url.Parse(raw)
	return func(*http.Request) (*url.URL, error) { return u, err }
}

func startProxyTestServer(t *testing.T, tlsOn bool) *server.Server {
	t.Helper()
	srv, err := server.Start(server.Options{TLS: tlsOn, Hosts: []string{"ws.test"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// TestProxyTunnels checks that ws:// and wss:// both go through a CONNECT
// tunnel (never a forward-form request) or a SOCKS5 connection, with the
// host name resolved by the proxy.
func TestProxyTunnels(t *testing.T) {
	for _, kind := range []string{"http", "socks5h"} {
		for _, secure := range []bool{false, true} {
			scheme := "ws"
			if secure {
				scheme = "wss"
			}
			t.Run(kind+"/"+scheme, func(t *testing.T) {
				srv := startProxyTestServer(t, secure)
				p := (&testutil.Proxy{SOCKS: kind != "http", Route: srv.Addr(), User: "user", Pass: "p@ss word"}).Start(t)
				_, port, _ := net.SplitHostPort(srv.Addr())
				tr := NewTransport(TransportOptions{
					TLSConfig: srv.ClientTLSConfig(),
					Proxy:     fixedProxy(kind + "://user:p%40ss%20word@" + p.Addr()),
				})
				proxyTestEcho(t, tr, scheme+"://ws.test:"+port+"/")
				want := "CONNECT ws.test:" + port
				if kind != "http" {
					want = "SOCKS5 domain ws.test:" + port
				}
				if got := p.Requests(); len(got) != 1 || got[0] != want {
					t.Errorf("proxy saw %q, want [%q]", got, want)
				}
			})
		}
	}
}

// TestProxySOCKS5ResolvesLocally checks that socks5:// gives the proxy an
// address, resolved here, where socks5h:// gives it the name.
func TestProxySOCKS5ResolvesLocally(t *testing.T) {
	srv := startProxyTestServer(t, false)
	p := (&testutil.Proxy{SOCKS: true, Route: srv.Addr()}).Start(t)
	_, port, _ := net.SplitHostPort(srv.Addr())
	tr := NewTransport(TransportOptions{Proxy: fixedProxy("socks5://" + p.Addr())})
	proxyTestEcho(t, tr, "ws://localhost:"+port+"/")
	got := p.Requests()
	if len(got) != 1 || !strings.HasPrefix(got[0], "SOCKS5 ip ") {
		t.Errorf("proxy saw %q, want one request for an IP address", got)
	}
}

func TestProxyHTTPSProxy(t *testing.T) {
	srv := startProxyTestServer(t, false)
	srvTLS, pool := proxyTestTLS(t)
	p := (&testutil.Proxy{Route: srv.Addr(), TLS: srvTLS}).Start(t)
	_, port, _ := net.SplitHostPort(srv.Addr())
	tr := NewTransport(TransportOptions{
		TLSConfig: &tls.Config{RootCAs: pool},
		Proxy:     fixedProxy("https://" + p.Addr()),
	})
	proxyTestEcho(t, tr, "ws://ws.test:"+port+"/")
	if got := p.Requests(); len(got) != 1 || got[0] != "CONNECT ws.test:"+port {
		t.Errorf("proxy saw %q", got)
	}
}

func TestProxyNilMeansDirect(t *testing.T) {
	srv := startProxyTestServer(t, false)
	asked := 0
	tr := NewTransport(TransportOptions{Proxy: func(r *http.Request) (*url.URL, error) {
		asked++
		if r.URL.Scheme != "http" {
			t.Errorf("Proxy saw scheme %q, want http for ws://", r.URL.Scheme)
		}
		return nil, nil
	}})
	proxyTestEcho(t, tr, srv.URL()+"/")
	if asked != 1 {
		t.Errorf("Proxy was asked %d times, want 1", asked)
	}
}

// TestProxyFailures checks that a proxy's refusal, missing credentials, a
// bad scheme and a silent proxy each fail the handshake with an error that
// names the proxy and the cause.
func TestProxyFailures(t *testing.T) {
	srv := startProxyTestServer(t, false)
	_, port, _ := net.SplitHostPort(srv.Addr())
	target := "ws://ws.test:" + port + "/"
	cases := []struct {
		name   string
		proxy  *testutil.Proxy
		scheme string
		want   []string
		kind   Kind
		short  bool // a short handshake deadline
	}{
		{name: "407", proxy: &testutil.Proxy{User: "u", Pass: "p"}, scheme: "http",
			want: []string{"proxy http://127.0.0.1:", "tunnel to ws.test:" + port, "CONNECT answered 407 Proxy Authentication Required"}, kind: KindNetwork},
		{name: "socks auth", proxy: &testutil.Proxy{SOCKS: true, User: "u", Pass: "p"}, scheme: "socks5h",
			want: []string{"SOCKS5 handshake", "no acceptable authentication methods"}, kind: KindNetwork},
		{name: "socks target down", proxy: &testutil.Proxy{SOCKS: true, Route: "127.0.0.1:1"}, scheme: "socks5h",
			want: []string{"SOCKS5 handshake", "connection refused"}, kind: KindNetwork},
		// net/http reports its context's error, not the dial's.
		{name: "silent", proxy: &testutil.Proxy{Silent: true}, scheme: "http",
			kind: KindTimeout, short: true},
		{name: "bad scheme", scheme: "ftp", want: []string{`unsupported scheme "ftp"`}, kind: KindNetwork},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := "127.0.0.1:9"
			if tc.proxy != nil {
				if tc.proxy.Route == "" {
					tc.proxy.Route = srv.Addr()
				}
				addr = tc.proxy.Start(t).Addr()
			}
			tr := NewTransport(TransportOptions{Proxy: fixedProxy(tc.scheme + "://" + addr)})
			timeout := safety
			if tc.short {
				timeout = 100 * time.Millisecond // the failure under test, not a speed check
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			c, _, err := Dial(ctx, DialOptions{URL: target, Transport: tr})
			if err == nil {
				_ = c.Close(CodeNormal, "")
				t.Fatal("Dial succeeded")
			}
			var he *HandshakeError
			if !errors.As(err, &he) || he.Kind != tc.kind {
				t.Errorf("error %v (kind %v), want kind %v", err, kindOf(err), tc.kind)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func kindOf(err error) Kind {
	var he *HandshakeError
	if errors.As(err, &he) {
		return he.Kind
	}
	return -1
}
