package wire

// Proxies, the way browsers use them for WebSockets.
//
// net/http, given a proxy in http.Transport.Proxy, sends a plain-http
// request through an HTTP proxy in forward form ("GET http://host/path"),
// and coder/websocket dials ws:// URLs as http:// ones: an HTTP proxy then
// sees a forward-form upgrade request, which most proxies refuse or break
// (they strip the hop-by-hop Upgrade and Connection headers). Browsers
// instead always open a tunnel with CONNECT host:port, for ws:// and wss://
// alike, and speak the WebSocket handshake inside it.
//
// So the Transport does the same: http.Transport.Proxy stays nil, and
//
//   - proxyChooser, a RoundTripper, asks TransportOptions.Proxy which proxy
//     the handshake request goes through (it sees the real request, so
//     http.ProxyFromEnvironment picks HTTP_PROXY for ws:// and HTTPS_PROXY
//     for wss://, and honours NO_PROXY) and puts the answer in the request's
//     context, which net/http hands on to the dialer;
//   - proxyDialer, around the dial function, opens the tunnel through that
//     proxy: CONNECT for http:// and https:// proxies (with
//     Proxy-Authorization from the proxy URL's user info), RFC 1928 for
//     socks5:// (the name is resolved here) and socks5h:// (the proxy
//     resolves it), with RFC 1929 user/password from the user info.
//
// net/http then treats the tunnel as a direct connection: TLS for wss://
// runs inside it with the server's name, and the upgrade request is sent in
// origin form. SOCKS5 is golang.org/x/net/proxy's client. CONNECT is
// written here (httpConnect): x/net/proxy has no HTTP proxy client, and
// net/http's own proxy support would send ws:// requests in forward form,
// as said above.
//
// The connection to the proxy itself is opened with the Transport's dial
// function (TransportOptions.DialContext), and an https:// proxy is checked
// against TransportOptions.TLSConfig's roots, as the server is.
//
// Known limit: net/http pools idle connections by target, not by proxy, so
// a keep-alive connection left by a failed handshake (an HTTP error answer)
// could be reused by a later handshake to the same target whose Proxy
// function chose differently. Upgraded connections are never pooled.

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/proxy"
)

// dialFunc opens a network connection, as net.Dialer.DialContext does.
type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// proxyKey carries the proxy chosen for a handshake from proxyChooser to
// proxyDialer through the request's context.
type proxyKey struct{}

// proxyChooser asks choose which proxy a request goes through and records
// the choice in the request's context for proxyDialer.
type proxyChooser struct {
	next   http.RoundTripper
	choose func(*http.Request) (*url.URL, error)
}

// withProxy returns next, or next behind a proxyChooser when choose is set.
func withProxy(next http.RoundTripper, choose func(*http.Request) (*url.URL, error)) http.RoundTripper {
	if choose == nil {
		return next
	}
	return proxyChooser{next: next, choose: choose}
}

func (p proxyChooser) RoundTrip(req *http.Request) (*http.Response, error) {
	u, err := p.choose(req)
	if err != nil {
		return nil, fmt.Errorf("choose a proxy for %s: %w", req.URL.Host, err)
	}
	if u != nil {
		if err := checkProxyURL(u); err != nil {
			return nil, err
		}
		req = req.WithContext(context.WithValue(req.Context(), proxyKey{}, u))
	}
	return p.next.RoundTrip(req)
}

// checkProxyURL reports a proxy URL that proxyDialer cannot use.
func checkProxyURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "socks5", "socks5h":
	default:
		return fmt.Errorf("proxy %s: unsupported scheme %q (use http, https, socks5 or socks5h)", u.Redacted(), u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("proxy %s: no host", u.Redacted())
	}
	return nil
}

// proxyDialer returns a dial function that tunnels through the proxy that
// proxyChooser put in the context, and dials directly without one. dial
// opens the connection to the proxy; tlsConfig checks an https:// proxy.
func proxyDialer(dial dialFunc, tlsConfig *tls.Config) dialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		u, _ := ctx.Value(proxyKey{}).(*url.URL)
		if u == nil {
			return dial(ctx, network, addr)
		}
		return dialProxy(ctx, u, network, addr, dial, tlsConfig)
	}
}

// ProxyError reports a proxy that could not open a tunnel to a target.
type ProxyError struct {
	Proxy  string // the proxy's URL, without its password
	Target string // host:port the tunnel was for
	Err    error
}

func (e *ProxyError) Error() string {
	return fmt.Sprintf("proxy %s, tunnel to %s: %v", e.Proxy, e.Target, e.Err)
}

func (e *ProxyError) Unwrap() error { return e.Err }

// dialProxy opens a connection to addr through the proxy u.
func dialProxy(ctx context.Context, u *url.URL, network, addr string, dial dialFunc, tlsConfig *tls.Config) (net.Conn, error) {
	if err := checkProxyURL(u); err != nil {
		return nil, err
	}
	scheme := strings.ToLower(u.Scheme)
	wrap := func(err error) error {
		return &ProxyError{Proxy: u.Redacted(), Target: addr, Err: err}
	}
	conn, err := dial(ctx, network, proxyAddr(u))
	if err != nil {
		return nil, wrap(err)
	}
	// The handshakes with the proxy are bounded by ctx: when it ends, the
	// connection's deadline makes the blocked read or write return.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	tunnel, err := func() (net.Conn, error) {
		switch scheme {
		case "https":
			cfg := &tls.Config{}
			if tlsConfig != nil {
				cfg = tlsConfig.Clone()
			}
			cfg.ServerName = u.Hostname()
			cfg.NextProtos = nil // the proxy speaks HTTP/1.1 CONNECT
			tc := tls.Client(conn, cfg)
			if err := tc.HandshakeContext(ctx); err != nil {
				return nil, err
			}
			return httpConnect(tc, u, addr)
		case "http":
			return httpConnect(conn, u, addr)
		default:
			return socks5Connect(ctx, conn, u, addr, scheme == "socks5h")
		}
	}()
	if !stop() && err == nil {
		// ctx ended as the tunnel opened; the deadline is already set.
		err = ctx.Err()
	}
	if err != nil {
		_ = conn.Close()
		// Name the real cause: the deadline's i/o timeout is ours.
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%v)", ctxErr, err)
		}
		return nil, wrap(err)
	}
	return tunnel, nil
}

// proxyAddr is the proxy's host:port, with the scheme's default port.
func proxyAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "http":
			port = "80"
		case "https":
			port = "443"
		default:
			port = "1080"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// httpConnect asks an HTTP proxy for a tunnel to addr over conn.
func httpConnect(conn net.Conn, u *url.URL, addr string) (net.Conn, error) {
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: addr},
		Host:   addr,
		Header: http.Header{},
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		cred := base64.StdEncoding.EncodeToString([]byte(u.User.Username() + ":" + pass))
		req.Header.Set("Proxy-Authorization", "Basic "+cred)
	}
	if err := req.Write(conn); err != nil {
		return nil, fmt.Errorf("send CONNECT: %w", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, fmt.Errorf("read the answer to CONNECT: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_ = resp.Body.Close()
		return nil, fmt.Errorf("CONNECT answered %s", resp.Status)
	}
	if br.Buffered() > 0 {
		// Bytes from the target that arrived with the proxy's answer.
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// bufferedConn is a connection whose first bytes were already read into r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) {
	if c.r.Buffered() > 0 {
		return c.r.Read(p)
	}
	return c.Conn.Read(p)
}

// socks5Connect asks a SOCKS5 proxy for a connection to addr over conn,
// with golang.org/x/net/proxy's client (RFC 1928, and RFC 1929 user and
// password from the proxy URL's user info). With remoteDNS the proxy
// resolves a host name (socks5h://); without it the name is resolved here
// and the proxy is given an address (socks5://).
func socks5Connect(ctx context.Context, conn net.Conn, u *url.URL, addr string, remoteDNS bool) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err != nil && !remoteDNS {
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		addr = net.JoinHostPort(ips[0].Unmap().String(), port)
	}
	var auth *proxy.Auth
	if u.User != nil {
		pass, _ := u.User.Password()
		auth = &proxy.Auth{User: u.User.Username(), Password: pass}
	}
	// The client dials through its forward dialer: give it the connection
	// already open to the proxy.
	d, err := proxy.SOCKS5("tcp", proxyAddr(u), auth, openConn{conn})
	if err != nil {
		return nil, err
	}
	cd, ok := d.(proxy.ContextDialer)
	if !ok {
		return nil, errors.New("golang.org/x/net/proxy's SOCKS5 dialer takes no context")
	}
	tunnel, err := cd.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("SOCKS5 handshake: %w", err)
	}
	return tunnel, nil
}

// openConn is a dialer that hands out a connection already open.
type openConn struct{ c net.Conn }

func (o openConn) Dial(string, string) (net.Conn, error) { return o.c, nil }

func (o openConn) DialContext(context.Context, string, string) (net.Conn, error) { return o.c, nil }
