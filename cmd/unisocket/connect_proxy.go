package main

// Which proxy a handshake goes through: --proxy, else the environment.
// The tunnelling itself (CONNECT for ws:// and wss:// alike, SOCKS5) is
// the wire layer's, behind uni.Config.Proxy (internal/wire/proxy.go).
//
// net/http's ProxyFromEnvironment is not used because it ignores ALL_PROXY
// and cannot say which variable it used (for -v); the rules below are its
// rules otherwise: lower-case names too, HTTP_PROXY ignored under CGI
// (REQUEST_METHOD set), no scheme means http://, loopback hosts never
// proxied, NO_PROXY entries as Go reads them.

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// connectProxy chooses the proxy of a handshake.
type connectProxy struct {
	fixed *url.URL // --proxy: every handshake, NO_PROXY aside

	http, https, all          *url.URL
	httpVar, httpsVar, allVar string // the variables they came from
	noProxy                   []connectNoProxy
	noProxyAll                bool
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
	env := func(names ...string) (string, string) {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v, n
			}
		}
		return "", ""
	}
	read := func(names ...string) (*url.URL, string, error) {
		v, name := env(names...)
		if v == "" {
			return nil, "", nil
		}
		u, err := connectParseProxy(v)
		if err != nil {
			return nil, "", fmt.Errorf("environment variable %s: %w", name, err)
		}
		return u, name, nil
	}
	var err error
	httpNames := []string{"HTTP_PROXY", "http_proxy"}
	if getenv("REQUEST_METHOD") != "" {
		httpNames = []string{"http_proxy"} // httpoxy: a CGI request can set HTTP_PROXY
	}
	if p.http, p.httpVar, err = read(httpNames...); err != nil {
		return nil, err
	}
	if p.https, p.httpsVar, err = read("HTTPS_PROXY", "https_proxy"); err != nil {
		return nil, err
	}
	if p.all, p.allVar, err = read("ALL_PROXY", "all_proxy"); err != nil {
		return nil, err
	}
	noProxy, _ := env("NO_PROXY", "no_proxy")
	p.noProxy, p.noProxyAll = connectParseNoProxy(noProxy)
	return p, nil
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
	host := strings.TrimSuffix(strings.ToLower(target.Hostname()), ".")
	if connectIsLoopback(host) || p.noProxyAll {
		return nil, ""
	}
	port := target.Port()
	if port == "" {
		port = "80"
		if target.Scheme == "https" || target.Scheme == "wss" {
			port = "443"
		}
	}
	for _, r := range p.noProxy {
		if r.match(host, port) {
			return nil, "NO_PROXY"
		}
	}
	switch target.Scheme {
	case "https", "wss":
		if p.https != nil {
			return p.https, p.httpsVar
		}
	default:
		if p.http != nil {
			return p.http, p.httpVar
		}
	}
	if p.all != nil {
		return p.all, p.allVar
	}
	return nil, ""
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

func connectIsLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// connectNoProxy is one NO_PROXY entry.
type connectNoProxy struct {
	prefix netip.Prefix // an IP or CIDR entry
	domain string       // a name entry, lower case, without a leading dot
	exact  bool         // the entry had no leading dot: the name itself matches too
	port   string       // "" for any port
}

// connectParseNoProxy reads NO_PROXY: entries separated by commas (and
// spaces); "*" alone means every host.
func connectParseNoProxy(v string) (rules []connectNoProxy, all bool) {
	for _, e := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "*" {
			return nil, true
		}
		if pfx, err := netip.ParsePrefix(e); err == nil {
			rules = append(rules, connectNoProxy{prefix: pfx})
			continue
		}
		if ip, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
			rules = append(rules, connectNoProxy{prefix: netip.PrefixFrom(ip, ip.BitLen())})
			continue
		}
		var r connectNoProxy
		host := e
		if h, port, err := net.SplitHostPort(e); err == nil {
			host, r.port = h, port
			if ip, err := netip.ParseAddr(h); err == nil {
				r.prefix = netip.PrefixFrom(ip, ip.BitLen())
				rules = append(rules, r)
				continue
			}
		}
		host = strings.TrimPrefix(host, "*")
		r.exact = !strings.HasPrefix(host, ".")
		r.domain = strings.TrimSuffix(strings.TrimPrefix(host, "."), ".")
		if r.domain != "" {
			rules = append(rules, r)
		}
	}
	return rules, false
}

func (r connectNoProxy) match(host, port string) bool {
	if r.port != "" && r.port != port {
		return false
	}
	if r.prefix.IsValid() {
		ip, err := netip.ParseAddr(host)
		return err == nil && r.prefix.Contains(ip.Unmap())
	}
	if host == r.domain {
		return r.exact
	}
	return strings.HasSuffix(host, "."+r.domain)
}
