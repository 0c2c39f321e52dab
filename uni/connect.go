package uni

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/unisocket/unisocket/internal/wire"
)

// ConnectSocketOptions are the options of connectSocket.
type ConnectSocketOptions struct {
	// URL is the server's ws:// or wss:// URL. Required.
	URL string
	// Header holds request headers for the handshake. Names and values
	// must not contain bytes that would corrupt the request, and the
	// headers the WebSocket handshake sets itself cannot be overridden.
	Header map[string]string
	// Method is the handshake's HTTP method: upper-cased, and anything but
	// GET, OPTIONS, HEAD, POST, PUT, DELETE, TRACE, CONNECT or PATCH
	// becomes GET, as uni-app does.
	Method string
	// Protocols lists the subprotocols to request; each must be an HTTP
	// token and appear once. When any is requested the server must confirm
	// one, or the connection fails.
	Protocols []string
	// Timeout overrides the App's ConnectTimeout for this call (WeChat's
	// per-call timeout). 0 means the App's. Profiles whose Timeout rule is
	// off ignore it with a warning.
	Timeout time.Duration
	// Multiple is Alipay's multi-instance mode: on a profile with a
	// MaxSocketsMultiple quota (mp-alipay) the call gets that quota (5)
	// instead of the single-instance one (1). Other profiles ignore it, as
	// the other hosts ignore an option they do not know.
	Multiple bool

	// PerMessageDeflate asks the server for permessage-deflate compression
	// (WeChat's perMessageDeflate, default false). The server may decline;
	// the socket then works uncompressed.
	PerMessageDeflate bool
	// TCPNoDelay is WeChat's tcpNoDelay. Go sets TCP_NODELAY on every
	// connection already, so true changes nothing; false does not turn
	// Nagle's algorithm on, which would only add latency to tests.
	TCPNoDelay bool
	// ForceCellularNetwork is WeChat's forceCellularNetwork. A computer
	// has no cellular network to force: it is accepted and has no effect.
	ForceCellularNetwork bool

	// Success runs when the connection attempt was issued, not when the
	// socket opened: wait for OnOpen for that. Success, Fail and Complete
	// run before ConnectSocket returns.
	Success  func(GeneralCallbackResult)
	Fail     func(GeneralCallbackResult)
	Complete func(GeneralCallbackResult)
}

func (o *ConnectSocketOptions) callbacks() Callbacks {
	return Callbacks{Success: o.Success, Fail: o.Fail, Complete: o.Complete}
}

// httpMethods is uni-app Vue 3's whitelist for the method option.
var httpMethods = map[string]bool{
	"GET": true, "OPTIONS": true, "HEAD": true, "POST": true, "PUT": true,
	"DELETE": true, "TRACE": true, "CONNECT": true, "PATCH": true,
}

// normalizeMethod applies uni-app's rule: upper-case, and anything outside
// the whitelist is GET.
func normalizeMethod(m string) string {
	m = strings.ToUpper(m)
	if httpMethods[m] {
		return m
	}
	return http.MethodGet
}

// handshakeHeaders are set by the WebSocket handshake itself.
var handshakeHeaders = map[string]bool{
	"Connection": true, "Upgrade": true, "Sec-Websocket-Key": true,
	"Sec-Websocket-Version": true, "Sec-Websocket-Extensions": true,
	"Sec-Websocket-Protocol": true, "Sec-Websocket-Accept": true,
	"Content-Length": true, "Transfer-Encoding": true,
}

// plan is the one step that validates a connectSocket call: the options'
// syntax, then the host rules of the profile and Config (hostrules.go), in
// the order the hosts apply them. It returns the wire's dial options and
// the handshake timeout; the socket quota is checked by admit, as the task
// is registered. The error text is the cause that follows
// "connectSocket:fail ".
func (a *App) plan(opts *ConnectSocketOptions) (wire.DialOptions, time.Duration, error) {
	d := wire.DialOptions{
		Compression:  opts.PerMessageDeflate,
		ReadLimit:    a.cfg.ReadLimit,
		CloseTimeout: a.cfg.CloseTimeout,
		Transport:    a.transport,
	}
	timeout := a.callTimeout(opts.Timeout)
	u, err := parseURL(opts.URL)
	if err != nil {
		return d, 0, err
	}
	if d.URL, err = a.hostURL(opts.URL, u); err != nil {
		return d, 0, err
	}

	if len(opts.Header) > 0 {
		if !a.profile.Header {
			a.warnf("connectSocket: the %s profile ignores option \"header\"", a.profile.Name)
		} else if d.Header, err = buildHeader(a.hostHeader(opts.Header)); err != nil {
			return d, 0, err
		}
	}

	d.Method = normalizeMethod(opts.Method)
	if d.Method != http.MethodGet && !a.profile.Method {
		a.warnf("connectSocket: the %s profile does not support option \"method\"", a.profile.Name)
		d.Method = http.MethodGet
	}

	if len(opts.Protocols) > 0 {
		if err := checkProtocols(opts.Protocols); err != nil {
			return d, 0, err
		}
		if a.profile.Protocols {
			d.Protocols = append([]string(nil), opts.Protocols...)
		} else {
			a.warnf("connectSocket: the %s profile ignores option \"protocols\"", a.profile.Name)
		}
	}
	return d, timeout, nil
}

// parseURL checks the url option's syntax: a ws:// or wss:// URL with a
// host and no fragment.
func parseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("Missing required parameter `url`")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid url %q: %v", raw, unwrapURLError(err))
	}
	switch strings.ToLower(u.Scheme) {
	case "ws", "wss":
	default:
		return nil, fmt.Errorf("invalid url %q: the scheme must be ws or wss, not %q", raw, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("invalid url %q: it has no host", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fmt.Errorf("invalid url %q: a WebSocket URL cannot have a fragment", raw)
	}
	return u, nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// buildHeader validates the header option and turns it into an
// http.Header.
func buildHeader(in map[string]string) (http.Header, error) {
	names := make([]string, 0, len(in))
	for k := range in {
		names = append(names, k)
	}
	sort.Strings(names) // report the same first error every time
	h := make(http.Header, len(in))
	for _, k := range names {
		v := in[k]
		if !validHeaderName(k) {
			return nil, fmt.Errorf("invalid header name %q: it must be a non-empty HTTP token", k)
		}
		if !validHeaderValue(v) {
			return nil, fmt.Errorf("invalid value for header %q: it must not contain control characters such as CR, LF or NUL", k)
		}
		ck := http.CanonicalHeaderKey(k)
		if handshakeHeaders[ck] {
			return nil, fmt.Errorf("header %q is set by the WebSocket handshake and cannot be given", k)
		}
		if ck == "Host" {
			h["Host"] = []string{v}
			continue
		}
		h.Add(k, v)
	}
	return h, nil
}

// checkProtocols applies the browser's rules: each subprotocol is a
// non-empty HTTP token, and none repeats.
func checkProtocols(ps []string) error {
	seen := make(map[string]bool, len(ps))
	for _, sp := range ps {
		if !validToken(sp) {
			return fmt.Errorf("invalid subprotocol %q: it must be a non-empty HTTP token (no spaces, commas or separators)", sp)
		}
		if seen[sp] {
			return fmt.Errorf("subprotocol %q is listed twice", sp)
		}
		seen[sp] = true
	}
	return nil
}

func validHeaderName(s string) bool { return ValidHeaderName(s) }

// validToken reports whether s is an RFC 9110 token.
func validToken(s string) bool { return ValidToken(s) }

// validHeaderValue reports whether s can be sent as a field value: no
// control characters except horizontal tab, no DEL.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
