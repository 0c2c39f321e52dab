package wire

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// DefaultReadLimit is the largest message a connection accepts when the
// caller does not choose a limit: 16 MiB, the send-queue bound of uni-app's
// Android implementation, instead of coder/websocket's 32 KiB.
const DefaultReadLimit = 16 << 20

// DefaultCloseTimeout bounds a close handshake when the caller does not.
const DefaultCloseTimeout = 5 * time.Second

// maxCloseTimeout is the longest close timeout honoured: coder/websocket
// gives up on the close handshake after 5 s on its own.
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
	// Compression asks for permessage-deflate (context takeover).
	Compression bool
	// ReadLimit is the largest message accepted; 0 means DefaultReadLimit,
	// a negative value means no limit.
	ReadLimit int64
	// CloseTimeout bounds the close handshake; 0 means DefaultCloseTimeout.
	CloseTimeout time.Duration
	// Transport carries the handshake; nil means a default transport.
	Transport *Transport
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
	// NoDelay sets TCP_NODELAY on dialled TCP connections when true and
	// clears it when false. Go sets it by default; WeChat's tcpNoDelay
	// option defaults to false, so the caller decides.
	NoDelay *bool
}

// Transport carries WebSocket handshakes. It is safe for concurrent use and
// meant to be shared by all connections of one application instance: an
// upgraded connection never returns to its pool, so sharing costs nothing.
type Transport struct {
	client *http.Client
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)
}

// NewTransport returns a Transport configured by opts.
func NewTransport(opts TransportOptions) *Transport {
	t := &Transport{dial: opts.DialContext}
	if t.dial == nil {
		t.dial = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
	}
	ht := &http.Transport{
		// Proxies are not net/http's: withProxy and proxyDialer (proxy.go)
		// tunnel ws:// and wss:// alike with CONNECT, as browsers do.
		Proxy:               nil,
		DialContext:         t.dialContext,
		TLSClientConfig:     opts.TLSConfig,
		TLSHandshakeTimeout: 0, // the handshake context bounds everything
		ForceAttemptHTTP2:   false,
		DisableCompression:  true,
		MaxIdleConns:        -1,
	}
	noDelay := opts.NoDelay
	t.client = &http.Client{
		Transport: methodRoundTripper{next: withProxy(ht, opts.Proxy)}, // proxy.go
		// Browsers never follow a redirect on a WebSocket handshake.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if noDelay != nil {
		inner := t.dial
		t.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := inner(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok && err == nil {
				_ = tc.SetNoDelay(*noDelay)
			}
			return c, err
		}
	}
	if opts.Proxy != nil {
		t.dial = proxyDialer(t.dial, opts.TLSConfig) // proxy.go: tunnel when a proxy was chosen
	}
	return t
}

var defaultTransport = sync.OnceValue(func() *Transport { return NewTransport(TransportOptions{}) })

// dialContext records the raw connection of a handshake so the Conn can
// force it shut when a close handshake overruns its time.
func (t *Transport) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := t.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if rec, ok := ctx.Value(rawConnKey{}).(*rawConnRecord); ok {
		rec.set(c)
	}
	return c, nil
}

type rawConnKey struct{}

type rawConnRecord struct {
	mu sync.Mutex
	c  net.Conn
}

func (r *rawConnRecord) set(c net.Conn) {
	r.mu.Lock()
	r.c = c
	r.mu.Unlock()
}

func (r *rawConnRecord) get() net.Conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c
}

type methodKey struct{}

// methodRoundTripper sends the upgrade request with the method the caller
// asked for. coder/websocket always builds a GET request; net/http handles
// a 101 answer to any method the same way, so only the request line changes.
type methodRoundTripper struct{ next http.RoundTripper }

func (m methodRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if method, ok := req.Context().Value(methodKey{}).(string); ok && method != "" && method != req.Method {
		req = req.Clone(req.Context())
		req.Method = method
	}
	resp, err := m.next.RoundTrip(req)
	if err == nil {
		if perr := checkSubprotocol(req, resp); perr != nil {
			// Refused here, because coder/websocket would first spend up
			// to 3 s reading a "body" that is really the WebSocket stream.
			resp.Body.Close()
			return nil, perr
		}
	}
	// Put the frame guard (guard.go) on the upgraded stream: the 101
	// response's body is the connection's plaintext byte stream, above TLS.
	guardResponse(req.Context(), resp)
	// Make each frame one write call (coalesce.go).
	coalesceResponse(resp)
	return resp, err
}

// checkSubprotocol fails a 101 answer that confirms a subprotocol the
// client did not request (RFC 6455 4.1; browsers fail the connection).
func checkSubprotocol(req *http.Request, resp *http.Response) error {
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil
	}
	got := resp.Header.Get("Sec-WebSocket-Protocol")
	if got == "" {
		return nil
	}
	for _, want := range strings.Split(req.Header.Get("Sec-WebSocket-Protocol"), ",") {
		if strings.TrimSpace(want) == got {
			return nil
		}
	}
	return &HandshakeError{
		Kind: KindSubprotocol,
		URL:  req.URL.String(),
		Err:  fmt.Errorf("server confirmed subprotocol %q, which was not requested", got),
	}
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
	rec := &rawConnRecord{}
	ctx = context.WithValue(ctx, rawConnKey{}, rec)
	ctx, grec := withGuardRecord(ctx) // receives the frame guard, see guard.go
	if opts.Method != "" && opts.Method != http.MethodGet {
		ctx = context.WithValue(ctx, methodKey{}, opts.Method)
	}
	mode := websocket.CompressionDisabled
	if opts.Compression {
		mode = websocket.CompressionContextTakeover
	}
	ws, resp, err := websocket.Dial(ctx, opts.URL, &websocket.DialOptions{
		HTTPClient:      tr.client,
		HTTPHeader:      opts.Header,
		Subprotocols:    opts.Protocols,
		CompressionMode: mode,
	})
	if err != nil {
		return nil, nil, classify(ctx, opts.URL, resp, err)
	}
	hs := &Handshake{
		Status:      resp.StatusCode,
		Header:      resp.Header,
		Subprotocol: ws.Subprotocol(),
		Extensions:  resp.Header.Get("Sec-WebSocket-Extensions"),
	}
	// WHATWG: when subprotocols were requested, the server must pick one.
	if len(opts.Protocols) > 0 && hs.Subprotocol == "" {
		_ = ws.CloseNow()
		return nil, nil, &HandshakeError{
			Kind: KindSubprotocol,
			URL:  opts.URL,
			Err: fmt.Errorf("server did not confirm any of the requested subprotocols %s",
				strings.Join(opts.Protocols, ", ")),
		}
	}
	limit := opts.ReadLimit
	switch {
	case limit == 0:
		limit = DefaultReadLimit
	case limit < 0:
		limit = -1
	}
	ws.SetReadLimit(limit)
	closeTimeout := opts.CloseTimeout
	if closeTimeout <= 0 || closeTimeout > maxCloseTimeout {
		closeTimeout = min(max(closeTimeout, 0), maxCloseTimeout)
		if closeTimeout == 0 {
			closeTimeout = DefaultCloseTimeout
		}
	}
	conn := newConn(ws, rec.get(), closeTimeout)
	conn.guard = grec.g.Load()
	conn.readLimit = limit
	return conn, hs, nil
}

// classify turns a dial error into a HandshakeError naming its cause.
func classify(ctx context.Context, rawURL string, resp *http.Response, err error) *HandshakeError {
	var inner *HandshakeError
	if errors.As(err, &inner) {
		inner.URL = rawURL
		return inner
	}
	he := &HandshakeError{URL: rawURL, Err: err}
	var (
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
		opErr    *net.OpError
	)
	switch {
	case resp != nil && resp.StatusCode != http.StatusSwitchingProtocols:
		he.Status = resp.StatusCode
		he.Kind = KindStatus
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			he.Kind = KindRedirect
			he.Location = resp.Header.Get("Location")
		}
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		he.Kind = KindTimeout
	case errors.Is(ctx.Err(), context.Canceled):
		he.Kind = KindAborted
	case errors.As(err, &dnsErr):
		he.Kind = KindDNS
	case errors.As(err, &certErr), errors.As(err, &recErr), errors.As(err, &alertErr),
		strings.Contains(err.Error(), "tls: "), strings.Contains(err.Error(), "x509: "):
		he.Kind = KindTLS
	case isRefused(err):
		he.Kind = KindRefused
	case resp != nil:
		he.Kind = KindProtocol
		he.Status = resp.StatusCode
	case errors.As(err, &opErr):
		he.Kind = KindNetwork
	default:
		he.Kind = KindNetwork
	}
	return he
}
