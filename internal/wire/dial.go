package wire

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultReadLimit is the largest message a connection accepts when the
// caller does not choose a limit: 16 MiB, the send-queue bound of uni-app's
// Android implementation.
const DefaultReadLimit = 16 << 20

// DefaultCloseTimeout bounds a close handshake when the caller does not.
const DefaultCloseTimeout = 5 * time.Second

// maxCloseTimeout is the longest close timeout honoured, the most uni-app
// platforms wait for a server's answer.
const maxCloseTimeout = 5 * time.Second

// DialOptions describes one handshake.
type DialOptions struct {
	// URL is a ws:// or wss:// URL. The caller validates it.
	URL string
	// Header holds extra request headers.
	Header http.Header
	// Method is the handshake's HTTP method; empty means GET.
	Method string
	// Protocols lists the subprotocols to request.
	Protocols []string
	// Compression offers permessage-deflate.
	Compression bool
	// ReadLimit is the largest message accepted; 0 means DefaultReadLimit,
	// a negative value means no limit.
	ReadLimit int64
	// CloseTimeout bounds the close handshake; 0 means DefaultCloseTimeout.
	CloseTimeout time.Duration
	// Transport carries the handshake; nil means a default transport.
	Transport *Transport
	// OnPing, when set, is told of each ping the server sends, with its
	// payload, just before the pong answers it. It runs on the goroutine
	// that calls Read and holds reading up while it runs, so it must not
	// block; p is valid only during the call.
	OnPing func(p []byte)
}

// TransportOptions configures how handshakes reach the network.
type TransportOptions struct {
	// TLSConfig is used for wss:// URLs; nil means the system roots.
	TLSConfig *tls.Config
	// Proxy picks a proxy for a request, as http.Transport.Proxy does;
	// nil means no proxy. HTTP(S) proxies are tunnelled with CONNECT for
	// ws:// too; socks5 resolves locally, socks5h at the proxy (proxy.go).
	Proxy func(*http.Request) (*url.URL, error)
	// DialContext opens TCP connections; nil means a net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Transport carries WebSocket handshakes. It is safe for concurrent use and
// meant to be shared by all connections of one application instance: an
// upgraded connection never returns to its pool, so sharing costs nothing.
type Transport struct {
	client    *http.Client
	dial      func(ctx context.Context, network, addr string) (net.Conn, error)
	tlsConfig *tls.Config
}

// NewTransport returns a Transport configured by opts.
func NewTransport(opts TransportOptions) *Transport {
	t := &Transport{dial: opts.DialContext, tlsConfig: opts.TLSConfig}
	if t.dial == nil {
		t.dial = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
	}
	ht := &http.Transport{
		// Proxies are not net/http's: withProxy and proxyDialer (proxy.go)
		// tunnel ws:// and wss:// alike with CONNECT, as browsers do.
		Proxy:              nil,
		DialContext:        t.dialContext,
		DialTLSContext:     t.dialTLSContext,
		ForceAttemptHTTP2:  false,
		DisableCompression: true,
		MaxIdleConns:       -1,
		// A handshake's connection is never reused: Dial finds its raw
		// connection through the request's context (rawConnRecord), and a
		// pooled connection left by a refused handshake (a 503, say) would
		// be handed to another request whose record points elsewhere, so
		// that ending one socket cut another's TCP connection.
		DisableKeepAlives: true,
	}
	t.client = &http.Client{
		Transport: withProxy(ht, opts.Proxy), // proxy.go
		// Browsers never follow a redirect on a WebSocket handshake.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if opts.Proxy != nil {
		t.dial = proxyDialer(t.dial, opts.TLSConfig) // proxy.go: tunnel when a proxy was chosen
	}
	return t
}

var defaultTransport = sync.OnceValue(func() *Transport { return NewTransport(TransportOptions{}) })

// dialContext wraps the connection of a handshake in an upgradeConn and
// records it, so that the Conn can cut it without blocking and read it
// directly.
func (t *Transport) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	ctx, stop := boundByHandshake(ctx)
	defer stop()
	return t.dialBounded(ctx, network, addr)
}

// dialBounded is dialContext on a context boundByHandshake already bounds.
func (t *Transport) dialBounded(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := t.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	u := &upgradeConn{Conn: c}
	if rec, ok := ctx.Value(rawConnKey{}).(*rawConnRecord); ok {
		rec.set(u)
	}
	return u, nil
}

// boundByHandshake returns a context that also ends when the handshake
// that asked for this dial ends. net/http dials with a context detached
// from the request's cancellation, so that another request may use the
// connection; a handshake's connection is never shared, and a TCP connect
// or TLS handshake that the server never answers would otherwise outlive
// the connect timeout, holding a goroutine and a socket.
func boundByHandshake(ctx context.Context) (context.Context, context.CancelFunc) {
	rec, ok := ctx.Value(rawConnKey{}).(*rawConnRecord)
	if !ok || rec.handshake == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	stopAfter := context.AfterFunc(rec.handshake, cancel)
	return ctx, func() { stopAfter(); cancel() }
}

// dialTLSContext runs the TLS handshake itself, where net/http would, so
// that its failure arrives as a typed error (tlsHandshakeError) whatever
// crypto/tls reports. The handshake context bounds it.
func (t *Transport) dialTLSContext(ctx context.Context, network, addr string) (net.Conn, error) {
	ctx, stop := boundByHandshake(ctx)
	defer stop()
	c, err := t.dialBounded(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	cfg := t.tlsConfig.Clone()
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		cfg.ServerName = host
	}
	cfg.NextProtos = nil // HTTP/1.1: the upgrade is not defined over HTTP/2 here
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = c.Close()
		return nil, &tlsHandshakeError{err: err}
	}
	return tc, nil
}

// tlsHandshakeError marks a failed TLS handshake.
type tlsHandshakeError struct{ err error }

func (e *tlsHandshakeError) Error() string { return e.err.Error() }
func (e *tlsHandshakeError) Unwrap() error { return e.err }

type rawConnKey struct{}

type rawConnRecord struct {
	handshake context.Context // the handshake's own context, cancellation and all
	mu        sync.Mutex
	c         *upgradeConn
}

func (r *rawConnRecord) set(c *upgradeConn) {
	r.mu.Lock()
	r.c = c
	r.mu.Unlock()
}

func (r *rawConnRecord) get() *upgradeConn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c
}

// Handshake is what the server answered to a successful upgrade.
type Handshake struct {
	Status      int
	Header      http.Header
	Subprotocol string
	Extensions  string
}

// Dial performs the opening handshake. ctx bounds all of it: DNS, TCP, TLS
// and the HTTP upgrade. On failure the error is a *HandshakeError.
func Dial(ctx context.Context, opts DialOptions) (*Conn, *Handshake, error) {
	tr := opts.Transport
	if tr == nil {
		tr = defaultTransport()
	}
	rec := &rawConnRecord{handshake: ctx}
	ctx = context.WithValue(ctx, rawConnKey{}, rec)
	fail := func(kind Kind, status int, err error) (*Conn, *Handshake, error) {
		return nil, nil, &HandshakeError{Kind: kind, URL: opts.URL, Status: status, Err: err}
	}
	u, err := url.Parse(opts.URL)
	if err != nil {
		return fail(KindProtocol, 0, err)
	}
	tlsOn := u.Scheme == "wss"
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return fail(KindProtocol, 0, fmt.Errorf("URL scheme %q is not ws or wss", u.Scheme))
	}
	method := opts.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return fail(KindProtocol, 0, err)
	}
	for k, v := range opts.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	var keyBytes [16]byte
	_, _ = rand.Read(keyBytes[:])
	key := base64.StdEncoding.EncodeToString(keyBytes[:])
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Key", key)
	req.Header.Set("Sec-WebSocket-Version", "13")
	if len(opts.Protocols) > 0 {
		req.Header.Set("Sec-WebSocket-Protocol", strings.Join(opts.Protocols, ", "))
	}
	if opts.Compression {
		req.Header.Set("Sec-WebSocket-Extensions", deflateOffer)
	}
	resp, err := tr.client.Do(req)
	if err != nil {
		return nil, nil, classify(ctx, opts.URL, err)
	}
	hs, d, herr := checkUpgrade(resp, key, opts)
	if herr != nil {
		herr.URL = opts.URL
		resp.Body.Close()
		return nil, nil, herr
	}
	body, ok := resp.Body.(io.ReadWriteCloser)
	uc := rec.get()
	if !ok || uc == nil {
		resp.Body.Close()
		return fail(KindProtocol, resp.StatusCode, errors.New("the upgraded connection is not writable"))
	}
	limit := opts.ReadLimit
	switch {
	case limit == 0:
		limit = DefaultReadLimit
	case limit < 0:
		limit = -1
	}
	closeTimeout := opts.CloseTimeout
	if closeTimeout <= 0 {
		closeTimeout = DefaultCloseTimeout
	}
	closeTimeout = min(closeTimeout, maxCloseTimeout)
	c := &Conn{
		body:         body,
		raw:          uc,
		w:            body,
		closeTimeout: closeTimeout,
		readLimit:    limit,
		deflate:      d,
		onPing:       opts.OnPing,
	}
	c.r.rules.allowRSV1 = d != nil
	if !tlsOn {
		// ws://: the body is this connection; once net/http's buffer is
		// read, the Conn reads and writes it directly.
		uc.rc = rawConnOf(uc.Conn)
		uc.upgraded.Store(true)
		c.plain = uc
		c.w = uc.Conn
	}
	return c, hs, nil
}

// checkUpgrade checks the server's answer (RFC 6455 4.1 and the WHATWG
// rules on subprotocols) and reads the extensions it accepted.
func checkUpgrade(resp *http.Response, key string, opts DialOptions) (*Handshake, *deflate, *HandshakeError) {
	status := resp.StatusCode
	switch {
	case status >= 300 && status < 400:
		return nil, nil, &HandshakeError{Kind: KindRedirect, Status: status, Location: resp.Header.Get("Location")}
	case status != http.StatusSwitchingProtocols:
		return nil, nil, &HandshakeError{Kind: KindStatus, Status: status}
	}
	bad := func(format string, args ...any) (*Handshake, *deflate, *HandshakeError) {
		return nil, nil, &HandshakeError{Kind: KindProtocol, Status: status, Err: fmt.Errorf(format, args...)}
	}
	if !headerHasToken(resp.Header, "Upgrade", "websocket") {
		return bad("the 101 answer's Upgrade header is %q, not websocket", resp.Header.Get("Upgrade"))
	}
	if !headerHasToken(resp.Header, "Connection", "upgrade") {
		return bad("the 101 answer's Connection header is %q, not Upgrade", resp.Header.Get("Connection"))
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if got, want := resp.Header.Get("Sec-WebSocket-Accept"), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		return bad("the 101 answer's Sec-WebSocket-Accept is %q, want %q", got, want)
	}
	sub := resp.Header.Get("Sec-WebSocket-Protocol")
	if sub != "" && !slices.Contains(opts.Protocols, sub) {
		return nil, nil, &HandshakeError{Kind: KindSubprotocol,
			Err: fmt.Errorf("server confirmed subprotocol %q, which was not requested", sub)}
	}
	if sub == "" && len(opts.Protocols) > 0 {
		return nil, nil, &HandshakeError{Kind: KindSubprotocol,
			Err: fmt.Errorf("server did not confirm any of the requested subprotocols %s", strings.Join(opts.Protocols, ", "))}
	}
	d, err := parseDeflate(resp.Header, opts.Compression)
	if err != nil {
		return bad("%v", err)
	}
	return &Handshake{
		Status:      status,
		Header:      resp.Header,
		Subprotocol: sub,
		Extensions:  resp.Header.Get("Sec-WebSocket-Extensions"),
	}, d, nil
}

// headerHasToken reports whether a comma-separated header holds token,
// case-insensitively.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// classify turns a dial error into a HandshakeError naming its cause.
func classify(ctx context.Context, rawURL string, err error) *HandshakeError {
	var inner *HandshakeError
	if errors.As(err, &inner) {
		inner.URL = rawURL
		return inner
	}
	// net/http wraps every failure in a *url.Error naming its own request
	// ("Get \"http://…\": …"), which is not what the user asked for: the
	// URL is already in the HandshakeError.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	he := &HandshakeError{URL: rawURL, Err: err}
	var (
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
		opErr    *net.OpError
		tlsErr   *tlsHandshakeError
	)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		he.Kind = KindTimeout
	case errors.Is(ctx.Err(), context.Canceled):
		he.Kind = KindAborted
	case errors.As(err, &dnsErr):
		he.Kind = KindDNS
	case errors.As(err, &certErr), errors.As(err, &recErr), errors.As(err, &alertErr),
		errors.As(err, &tlsErr):
		he.Kind = KindTLS
	case isRefused(err):
		he.Kind = KindRefused
	case errors.As(err, &opErr):
		he.Kind = KindNetwork
	default:
		he.Kind = KindNetwork
	}
	return he
}
