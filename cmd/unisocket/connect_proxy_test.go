package main

// `unisocket connect` through an HTTP CONNECT proxy and a SOCKS5 proxy,
// both testutil.Proxy on loopback. Every tunnel goes to the
// test server whatever host it names, so a made-up host (ws.test, which
// nothing else resolves) proves that the name reached the proxy, and the
// proxy's log shows how: CONNECT (never a forward-form GET), or SOCKS5
// with a domain name (socks5h) or an address (socks5).

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/server"
)

// TestConnectThroughProxies sends a message through each kind of proxy,
// for ws:// and wss://, named by --proxy or by the environment.
func TestConnectThroughProxies(t *testing.T) {
	connectLeakCheck(t)
	plain := connectServer(t, server.Options{})
	secure := connectServer(t, server.Options{TLS: true, Hosts: []string{"ws.test"}})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, secure.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		socks  bool
		scheme string // the proxy URL's
		user   string
		tls    bool
		host   string   // the URL's host
		env    []string // NAME= (the proxy URL is appended) instead of --proxy
		want   string   // what the proxy saw, with PORT for the server's port
	}{
		{name: "http/ws", scheme: "http", host: "ws.test", want: "CONNECT ws.test:PORT"},
		{name: "http/wss", scheme: "http", tls: true, host: "ws.test", want: "CONNECT ws.test:PORT"},
		{name: "http auth/ws", scheme: "http", user: "me", host: "ws.test", want: "CONNECT ws.test:PORT"},
		{name: "socks5h/ws", socks: true, scheme: "socks5h", host: "ws.test", want: "SOCKS5 domain ws.test:PORT"},
		{name: "socks5h auth/wss", socks: true, scheme: "socks5h", user: "me", tls: true, host: "ws.test", want: "SOCKS5 domain ws.test:PORT"},
		{name: "socks5 resolves here", socks: true, scheme: "socks5", host: "localhost", want: "SOCKS5 ip "},
		{name: "HTTP_PROXY/ws", scheme: "http", host: "ws.test", env: []string{"HTTP_PROXY="}, want: "CONNECT ws.test:PORT"},
		{name: "HTTPS_PROXY/wss", scheme: "http", tls: true, host: "ws.test", env: []string{"https_proxy=", "HTTP_PROXY=http://127.0.0.1:9"}, want: "CONNECT ws.test:PORT"},
		{name: "ALL_PROXY/ws", socks: true, scheme: "socks5h", host: "ws.test", env: []string{"ALL_PROXY="}, want: "SOCKS5 domain ws.test:PORT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := plain
			if tc.tls {
				srv = secure
			}
			p := &testutil.Proxy{SOCKS: tc.socks, Route: srv.Addr()}
			if tc.user != "" {
				p.User, p.Pass = tc.user, "p@ss:word"
			}
			p.Start(t)
			_, port, _ := net.SplitHostPort(srv.Addr())
			scheme := "ws"
			if tc.tls {
				scheme = "wss"
			}
			target := scheme + "://" + tc.host + ":" + port + "/?close=1000&after=1"
			args := []string{"-v", "-x", "tunnelled", "-w", "60", "--cafile", caFile, target}
			env := connectEnv(t)
			if tc.env == nil {
				args = append(args, "--proxy", p.URL(tc.scheme))
			} else {
				env = append(env, tc.env[0]+p.URL(tc.scheme))
				env = append(env, tc.env[1:]...)
			}
			code, stdout, stderr := runConnectCmd(t, env, "", args...)
			if code != exitOK || stdout != "tunnelled\n" {
				t.Fatalf("exit %d, stdout %q; stderr:\n%s", code, stdout, stderr)
			}
			want := strings.ReplaceAll(tc.want, "PORT", port)
			if got := p.Requests(); len(got) != 1 || !strings.HasPrefix(got[0], want) {
				t.Errorf("the proxy saw %q, want one request %q", got, want)
			}
			from := "--proxy"
			if tc.env != nil {
				from, _, _ = strings.Cut(tc.env[0], "=")
			}
			if !strings.Contains(stderr, "proxy: "+tc.scheme+"://") || !strings.Contains(stderr, " from "+from+")") {
				t.Errorf("-v does not name the proxy and %s:\n%s", from, stderr)
			}
			if tc.user != "" && strings.Contains(stderr, "p@ss") {
				t.Errorf("-v shows the proxy password:\n%s", stderr)
			}
		})
	}
}

func TestConnectProxyRefuses(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	p := (&testutil.Proxy{Route: srv.Addr(), User: "me", Pass: "secret"}).Start(t)
	code, stdout, stderr := runConnectCmd(t, connectEnv(t), "", "--proxy", "http://me:wrong@"+p.Addr(), "-x", "x", srv.URL()+"/")
	if code != exitFailure || stdout != "" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "CONNECT answered 407 Proxy Authentication Required") || strings.Contains(stderr, "wrong") {
		t.Errorf("stderr = %q, want one line naming the 407 and not the password", stderr)
	}
}

// TestConnectProxyChoice checks which proxy the environment gives each
// target, NO_PROXY's forms and the loopback rule included.
func TestConnectProxyChoice(t *testing.T) {
	env := map[string]string{
		"HTTP_PROXY":  "http-proxy:3128",
		"https_proxy": "https://secure-proxy",
		"ALL_PROXY":   "socks5h://all:1080",
		"NO_PROXY":    "internal.example, .corp.example, *.wild.example, 10.0.0.0/8, 192.168.1.7, api.example:8443, [::2]",
	}
	p, err := newConnectProxy("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ target, want string }{
		{"ws://example.com/", "http://http-proxy:3128 from HTTP_PROXY"},
		{"wss://example.com/", "https://secure-proxy from https_proxy"},
		{"ws://internal.example/", "none (NO_PROXY)"},
		{"ws://a.internal.example/", "none (NO_PROXY)"},
		{"ws://corp.example/", "http://http-proxy:3128 from HTTP_PROXY"}, // a leading dot: subdomains only
		{"ws://x.corp.example/", "none (NO_PROXY)"},
		{"ws://x.wild.example/", "none (NO_PROXY)"},
		{"ws://10.1.2.3/", "none (NO_PROXY)"},
		{"ws://192.168.1.7:81/", "none (NO_PROXY)"},
		{"ws://192.168.1.8/", "http://http-proxy:3128 from HTTP_PROXY"},
		{"wss://api.example:8443/", "none (NO_PROXY)"},
		{"wss://api.example/", "https://secure-proxy from https_proxy"},
		{"ws://[::2]:80/", "none (NO_PROXY)"},
		{"ws://127.0.0.1:8080/", "none"},
		{"ws://localhost/", "none"},
		{"ws://[::1]/", "none"},
	} {
		if got := p.describe(tc.target); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.target, got, tc.want)
		}
	}

	delete(env, "https_proxy")
	p, _ = newConnectProxy("", func(k string) string { return env[k] })
	if got := p.describe("wss://example.com/"); got != "socks5h://all:1080 from ALL_PROXY" {
		t.Errorf("wss without HTTPS_PROXY: %s, want ALL_PROXY's", got)
	}
	env["NO_PROXY"] = "*"
	p, _ = newConnectProxy("", func(k string) string { return env[k] })
	if got := p.describe("ws://example.com/"); got != "none" {
		t.Errorf("NO_PROXY=*: %s", got)
	}
	env["REQUEST_METHOD"] = "GET" // CGI: HTTP_PROXY may come from a request header
	env["NO_PROXY"] = ""
	p, _ = newConnectProxy("", func(k string) string { return env[k] })
	if got := p.describe("ws://example.com/"); got != "socks5h://all:1080 from ALL_PROXY" {
		t.Errorf("under CGI: %s, want HTTP_PROXY ignored", got)
	}
	p, _ = newConnectProxy("socks5://u:pw@flag:1080", func(k string) string { return env[k] })
	if got := p.describe("ws://127.0.0.1/"); got != "socks5://u:xxxxx@flag:1080 from --proxy" {
		t.Errorf("--proxy: %s, want it for every host, password hidden", got)
	}
}
