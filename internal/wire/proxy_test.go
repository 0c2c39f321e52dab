package wire

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unisocket/unisocket/server"
)

// proxyTestServer is a small HTTP CONNECT or SOCKS5 proxy on loopback. It
// records what each client asked for, and routes every target to one
// address (the test server), so that a made-up host name such as ws.test
// proves that the name went through the proxy.
type proxyTestServer struct {
	t      *testing.T
	ln     net.Listener
	socks  bool
	user   string // required credentials when not empty
	pass   string
	route  string // where every tunnel goes
	silent bool   // accept and never answer

	mu    sync.Mutex
	asked []string // "CONNECT ws.test:1234", "GET http://…", "SOCKS5 domain ws.test:1234", "SOCKS5 ip 127.0.0.1:1234"
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func startProxyTest(t *testing.T, p *proxyTestServer, tlsCfg *tls.Config) *proxyTestServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	}
	p.t, p.ln, p.conns = t, ln, map[net.Conn]struct{}{}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !p.track(c) {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				defer p.untrack(c)
				if p.socks {
					p.serveSOCKS(c)
				} else {
					p.serveHTTP(c)
				}
			}()
		}
	}()
	t.Cleanup(p.close)
	return p
}

func (p *proxyTestServer) addr() string { return p.ln.Addr().String() }

func (p *proxyTestServer) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxyTestServer) untrack(c net.Conn) {
	_ = c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

func (p *proxyTestServer) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxyTestServer) record(s string) {
	p.mu.Lock()
	p.asked = append(p.asked, s)
	p.mu.Unlock()
}

func (p *proxyTestServer) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

// splice joins the client (reading through r, which may hold buffered
// bytes) and the target until either side ends.
func (p *proxyTestServer) splice(r io.Reader, client, target net.Conn) {
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(target, r)
		_ = target.Close()
		close(done)
	}()
	_, _ = io.Copy(client, target)
	_ = client.Close()
	_ = target.Close()
	<-done
}

func (p *proxyTestServer) serveHTTP(c net.Conn) {
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		p.record(req.Method + " " + req.RequestURI)
		_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.record("CONNECT " + req.RequestURI)
	if p.silent {
		_, _ = io.Copy(io.Discard, c)
		return
	}
	if p.user != "" {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.pass))
		if req.Header.Get("Proxy-Authorization") != want {
			_, _ = io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
			return
		}
	}
	target, err := net.Dial("tcp", p.route)
	if err != nil {
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		_ = target.Close()
		return
	}
	p.splice(br, c, target)
}

func (p *proxyTestServer) serveSOCKS(c net.Conn) {
	br := bufio.NewReader(c)
	var head [2]byte
	if _, err := io.ReadFull(br, head[:]); err != nil || head[0] != 5 {
		return
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(br, methods); err != nil {
		return
	}
	if p.silent {
		_, _ = io.Copy(io.Discard, br)
		return
	}
	want := byte(0)
	if p.user != "" {
		want = 2
	}
	if !strings.Contains(string(methods), string([]byte{want})) {
		_, _ = c.Write([]byte{5, 0xff})
		return
	}
	_, _ = c.Write([]byte{5, want})
	if want == 2 {
		var v [2]byte
		if _, err := io.ReadFull(br, v[:]); err != nil {
			return
		}
		name := make([]byte, v[1])
		_, _ = io.ReadFull(br, name)
		var n [1]byte
		_, _ = io.ReadFull(br, n[:])
		pass := make([]byte, n[0])
		if _, err := io.ReadFull(br, pass); err != nil {
			return
		}
		if string(name) != p.user || string(pass) != p.pass {
			_, _ = c.Write([]byte{1, 1})
			return
		}
		_, _ = c.Write([]byte{1, 0})
	}
	var req [4]byte
	if _, err := io.ReadFull(br, req[:]); err != nil {
		return
	}
	var host, kind string
	switch req[3] {
	case 1, 4:
		b := make([]byte, 4)
		if req[3] == 4 {
			b = make([]byte, 16)
		}
		if _, err := io.ReadFull(br, b); err != nil {
			return
		}
		ip, _ := netip.AddrFromSlice(b)
		host, kind = ip.String(), "ip"
	case 3:
		var n [1]byte
		_, _ = io.ReadFull(br, n[:])
		b := make([]byte, n[0])
		if _, err := io.ReadFull(br, b); err != nil {
			return
		}
		host, kind = string(b), "domain"
	}
	var port [2]byte
	if _, err := io.ReadFull(br, port[:]); err != nil {
		return
	}
	p.record(fmt.Sprintf("SOCKS5 %s %s", kind, net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port[:]))))))
	target, err := net.Dial("tcp", p.route)
	if err != nil {
		_, _ = c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	if _, err := c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38}); err != nil {
		_ = target.Close()
		return
	}
	p.splice(br, c, target)
}

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
				p := startProxyTest(t, &proxyTestServer{socks: kind != "http", route: srv.Addr(), user: "user", pass: "p@ss word"}, nil)
				_, port, _ := net.SplitHostPort(srv.Addr())
				tr := NewTransport(TransportOptions{
					TLSConfig: srv.ClientTLSConfig(),
					Proxy:     fixedProxy(kind + "://user:p%40ss%20word@" + p.addr()),
				})
				proxyTestEcho(t, tr, scheme+"://ws.test:"+port+"/")
				want := "CONNECT ws.test:" + port
				if kind != "http" {
					want = "SOCKS5 domain ws.test:" + port
				}
				if got := p.requests(); len(got) != 1 || got[0] != want {
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
	p := startProxyTest(t, &proxyTestServer{socks: true, route: srv.Addr()}, nil)
	_, port, _ := net.SplitHostPort(srv.Addr())
	tr := NewTransport(TransportOptions{Proxy: fixedProxy("socks5://" + p.addr())})
	proxyTestEcho(t, tr, "ws://localhost:"+port+"/")
	got := p.requests()
	if len(got) != 1 || !strings.HasPrefix(got[0], "SOCKS5 ip ") {
		t.Errorf("proxy saw %q, want one request for an IP address", got)
	}
}

func TestProxyHTTPSProxy(t *testing.T) {
	srv := startProxyTestServer(t, false)
	srvTLS, pool := proxyTestTLS(t)
	p := startProxyTest(t, &proxyTestServer{route: srv.Addr()}, srvTLS)
	_, port, _ := net.SplitHostPort(srv.Addr())
	tr := NewTransport(TransportOptions{
		TLSConfig: &tls.Config{RootCAs: pool},
		Proxy:     fixedProxy("https://" + p.addr()),
	})
	proxyTestEcho(t, tr, "ws://ws.test:"+port+"/")
	if got := p.requests(); len(got) != 1 || got[0] != "CONNECT ws.test:"+port {
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
		proxy  *proxyTestServer
		scheme string
		want   []string
		kind   Kind
		short  bool // a short handshake deadline
	}{
		{name: "407", proxy: &proxyTestServer{user: "u", pass: "p"}, scheme: "http",
			want: []string{"proxy http://127.0.0.1:", "tunnel to ws.test:" + port, "CONNECT answered 407 Proxy Authentication Required"}, kind: KindNetwork},
		{name: "socks auth", proxy: &proxyTestServer{socks: true, user: "u", pass: "p"}, scheme: "socks5h",
			want: []string{"SOCKS5 handshake", "no acceptable authentication methods"}, kind: KindNetwork},
		{name: "socks target down", proxy: &proxyTestServer{socks: true, route: "127.0.0.1:1"}, scheme: "socks5h",
			want: []string{"SOCKS5 handshake", "connection refused"}, kind: KindNetwork},
		// net/http reports its context's error, not the dial's.
		{name: "silent", proxy: &proxyTestServer{silent: true}, scheme: "http",
			kind: KindTimeout, short: true},
		{name: "bad scheme", scheme: "ftp", want: []string{`unsupported scheme "ftp"`}, kind: KindNetwork},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := "127.0.0.1:9"
			if tc.proxy != nil {
				if tc.proxy.route == "" {
					tc.proxy.route = srv.Addr()
				}
				addr = startProxyTest(t, tc.proxy, nil).addr()
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
