package main

// Which proxy a handshake goes through: --proxy, else the environment,
// by golang.org/x/net/http/httpproxy's rules (net/http's: NO_PROXY's forms,
// loopback never proxied). httpproxy takes a Config, filled here so that
// ALL_PROXY (all_proxy), which curl and most tools honour, stands in for an
// unset HTTP_PROXY or HTTPS_PROXY, and so that under CGI (REQUEST_METHOD
// set) only http_proxy is read: a request can set HTTP_PROXY (httpoxy).
// The tunnel itself is the wire layer's, behind uni.Config.Proxy.

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// connectProxy chooses the proxy of a handshake.
type connectProxy struct {
	fixed *url.URL // --proxy: every handshake

	choice         func(*url.URL) (*url.URL, error) // httpproxy's
	httpFrom       string                           // the variable the ws:// proxy came from
	httpsFrom      string                           // the variable the wss:// proxy came from
	noProxyEntries bool                             // NO_PROXY names hosts
}

// newConnectProxy reads --proxy (flagValue) and the environment.
func newConnectProxy(flagValue string, getenv func(string) string) (*connectProxy, error) {
	p := &connectProxy{}
	if flagValue != "" {
		u, err := connectParseProxy(flagValue)
		if err != nil {
			return nil, fmt.Errorf("--proxy: %w", err)
		}
		p.fixed = u
		return p, nil
	}
	// read returns the first variable of names that is set, checked.
	read := func(names ...string) (value, name string, err error) {
		for _, n := range names {
			if v := getenv(n); v != "" {
				u, err := connectParseProxy(v)
				if err != nil {
					return "", "", fmt.Errorf("environment variable %s: %w", n, err)
				}
				return u.String(), n, nil
			}
		}
		return "", "", nil
	}
	httpNames := []string{"HTTP_PROXY", "http_proxy"}
	if getenv("REQUEST_METHOD") != "" {
		httpNames = []string{"http_proxy"}
	}
	var cfg httpproxy.Config
	var err error
	if cfg.HTTPProxy, p.httpFrom, err = read(httpNames...); err != nil {
		return nil, err
	}
	if cfg.HTTPSProxy, p.httpsFrom, err = read("HTTPS_PROXY", "https_proxy"); err != nil {
		return nil, err
	}
	all, allFrom, err := read("ALL_PROXY", "all_proxy")
	if err != nil {
		return nil, err
	}
	if cfg.HTTPProxy == "" {
		cfg.HTTPProxy, p.httpFrom = all, allFrom
	}
	if cfg.HTTPSProxy == "" {
		cfg.HTTPSProxy, p.httpsFrom = all, allFrom
	}
	for _, n := range []string{"NO_PROXY", "no_proxy"} {
		if v := getenv(n); v != "" {
			cfg.NoProxy = connectNoProxy(v)
			break
		}
	}
	p.noProxyEntries = cfg.NoProxy != "" && cfg.NoProxy != "*" // "*" is no news: every host
	p.choice = cfg.ProxyFunc()
	return p, nil
}

// connectNoProxy adapts NO_PROXY for httpproxy, which takes a bracketed
// IPv6 address only with a port: "[::2]" is written "::2".
func connectNoProxy(v string) string {
	entries := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	for i, e := range entries {
		if strings.HasPrefix(e, "[") && strings.HasSuffix(e, "]") {
			entries[i] = e[1 : len(e)-1]
		}
	}
	return strings.Join(entries, ",")
}

// connectParseProxy parses a proxy URL; "host:port" means http://host:port.
func connectParseProxy(v string) (*url.URL, error) {
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	u, err := url.Parse(v)
	if err != nil {
		return nil, fmt.Errorf("invalid proxy URL: %v", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("proxy %s: unsupported scheme %q (use http, https, socks5 or socks5h)", u.Redacted(), u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("proxy %s has no host", u.Redacted())
	}
	return u, nil
}

// choose is uni.Config.Proxy: req's URL is the handshake's, with http://
// for ws:// and https:// for wss://.
func (p *connectProxy) choose(req *http.Request) (*url.URL, error) {
	u, _ := p.pick(req.URL)
	return u, nil
}

// pick returns the proxy for target and where the choice came from.
func (p *connectProxy) pick(target *url.URL) (*url.URL, string) {
	if p.fixed != nil {
		return p.fixed, "--proxy"
	}
	t := *target
	from := p.httpFrom
	switch t.Scheme {
	case "wss", "https":
		t.Scheme, from = "https", p.httpsFrom
	default:
		t.Scheme = "http"
	}
	u, err := p.choice(&t)
	switch {
	case err != nil || from == "":
		return nil, ""
	case u == nil && p.noProxyEntries && !connectIsLoopback(t.Hostname()):
		return nil, "NO_PROXY"
	case u == nil:
		return nil, ""
	}
	return u, from
}

// describe says which proxy a handshake to rawURL goes through, for -v.
func (p *connectProxy) describe(rawURL string) string {
	target, err := url.Parse(rawURL)
	if err != nil {
		return "?"
	}
	u, from := p.pick(target)
	switch {
	case u != nil:
		return fmt.Sprintf("%s from %s", u.Redacted(), from)
	case from != "":
		return "none (" + from + ")"
	}
	return "none"
}

// connectIsLoopback reports whether host is one httpproxy never proxies.
func connectIsLoopback(host string) bool {
	ip, err := netip.ParseAddr(host)
	return host == "localhost" || (err == nil && ip.IsLoopback())
}
