package testutil

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
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
)

// Proxy is a small HTTP CONNECT or SOCKS5 proxy on loopback. It records
// what each client asked for and routes every tunnel to one address,
// Route, whatever host the client named: a made-up host name such as
// ws.test, which nothing resolves, then proves that the name went through
// the proxy. Set the fields, then call Start.
type Proxy struct {
	SOCKS      bool        // SOCKS5 instead of HTTP CONNECT
	User, Pass string      // credentials required when User is not empty
	Route      string      // host:port where every tunnel goes
	Silent     bool        // accept the request and never answer it
	TLS        *tls.Config // serve the proxy itself over TLS (an https:// proxy)

	ln    net.Listener
	mu    sync.Mutex
	asked []string
	conns map[net.Conn]struct{} // nil once closed
	wg    sync.WaitGroup
}

// Start listens on a free loopback port and serves until the test ends;
// its cleanup cuts every connection and waits for the proxy's goroutines.
func (p *Proxy) Start(t testing.TB) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if p.TLS != nil {
		ln = tls.NewListener(ln, p.TLS)
	}
	p.ln, p.conns = ln, map[net.Conn]struct{}{}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil || !p.track(c) {
				return
			}
			go func() {
				defer p.wg.Done()
				defer p.untrack(c)
				if p.SOCKS {
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

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL is the proxy's URL with scheme (http, https, socks5, socks5h) and
// the credentials, if any.
func (p *Proxy) URL(scheme string) string {
	if p.User != "" {
		return scheme + "://" + url.UserPassword(p.User, p.Pass).String() + "@" + p.Addr()
	}
	return scheme + "://" + p.Addr()
}

// Requests lists what clients asked for, in order: "CONNECT host:port",
// "GET http://…" (a forward-form request, refused), "SOCKS5 domain
// host:port" or "SOCKS5 ip addr:port".
func (p *Proxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

// track registers a connection, counted in wg, unless the proxy is closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	p.wg.Add(1)
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	_ = c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

func (p *Proxy) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) record(s string) {
	p.mu.Lock()
	p.asked = append(p.asked, s)
	p.mu.Unlock()
}

// splice joins the client (read through r, which may hold buffered bytes)
// and the target until either side ends.
func splice(r io.Reader, client, target net.Conn) {
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

func (p *Proxy) serveHTTP(c net.Conn) {
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
	if p.Silent {
		_, _ = io.Copy(io.Discard, c)
		return
	}
	if p.User != "" {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.User+":"+p.Pass))
		if req.Header.Get("Proxy-Authorization") != want {
			_, _ = io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
			return
		}
	}
	target, err := net.Dial("tcp", p.Route)
	if err != nil {
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		_ = target.Close()
		return
	}
	splice(br, c, target)
}

// serveSOCKS speaks SOCKS5 (RFC 1928) with no authentication, or with
// username and password (RFC 1929) when User is set.
func (p *Proxy) serveSOCKS(c net.Conn) {
	br := bufio.NewReader(c)
	var head [2]byte
	if _, err := io.ReadFull(br, head[:]); err != nil || head[0] != 5 {
		return
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(br, methods); err != nil {
		return
	}
	if p.Silent {
		_, _ = io.Copy(io.Discard, br)
		return
	}
	want := byte(0)
	if p.User != "" {
		want = 2
	}
	if !strings.ContainsRune(string(methods), rune(want)) {
		_, _ = c.Write([]byte{5, 0xff})
		return
	}
	_, _ = c.Write([]byte{5, want})
	if want == 2 && !p.socksAuth(br, c) {
		return
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
	default:
		return
	}
	var port [2]byte
	if _, err := io.ReadFull(br, port[:]); err != nil {
		return
	}
	p.record(fmt.Sprintf("SOCKS5 %s %s", kind, net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port[:]))))))
	target, err := net.Dial("tcp", p.Route)
	if err != nil {
		_, _ = c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0}) // connection refused
		return
	}
	if _, err := c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38}); err != nil {
		_ = target.Close()
		return
	}
	splice(br, c, target)
}

// socksAuth checks the client's username and password (RFC 1929).
func (p *Proxy) socksAuth(br *bufio.Reader, c net.Conn) bool {
	var v [2]byte
	if _, err := io.ReadFull(br, v[:]); err != nil {
		return false
	}
	name := make([]byte, v[1])
	_, _ = io.ReadFull(br, name)
	var n [1]byte
	_, _ = io.ReadFull(br, n[:])
	pass := make([]byte, n[0])
	if _, err := io.ReadFull(br, pass); err != nil {
		return false
	}
	if string(name) != p.User || string(pass) != p.Pass {
		_, _ = c.Write([]byte{1, 1})
		return false
	}
	_, _ = c.Write([]byte{1, 0})
	return true
}
