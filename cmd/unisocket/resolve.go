package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// resolveFlag collects --resolve HOST:PORT:ADDR entries: connections to
// HOST:PORT go to ADDR instead (ADDR:PORT when ADDR has no port). Only the
// TCP connection moves: the URL, the Host header, TLS's server name and
// certificate check still use HOST, so code with production URLs runs
// against a local server.
type resolveFlag map[string]string

func (r *resolveFlag) String() string {
	parts := make([]string, 0, len(*r))
	for k, v := range *r {
		parts = append(parts, k+"->"+v)
	}
	return strings.Join(parts, ",")
}

func (r *resolveFlag) Type() string { return "HOST:PORT:ADDR" }

func (r *resolveFlag) Set(v string) error {
	from, to, err := parseResolve(v)
	if err != nil {
		return err
	}
	if *r == nil {
		*r = resolveFlag{}
	}
	(*r)[from] = to
	return nil
}

// parseResolve parses HOST:PORT:ADDR. HOST may be an IPv6 literal in
// brackets; ADDR may be an IP, [IPv6], a host name, or any of them with
// :PORT.
func parseResolve(v string) (from, to string, err error) {
	bad := func(why string) (string, string, error) {
		return "", "", fmt.Errorf("%q: %s (want HOST:PORT:ADDR, e.g. www.example.com:443:127.0.0.1:8443)", v, why)
	}
	var host, rest string
	if strings.HasPrefix(v, "[") {
		i := strings.Index(v, "]:")
		if i < 0 {
			return bad("unclosed [")
		}
		host, rest = v[1:i], v[i+2:]
	} else {
		var found bool
		host, rest, found = strings.Cut(v, ":")
		if !found {
			return bad("no port")
		}
	}
	port, addr, found := strings.Cut(rest, ":")
	if !found || addr == "" {
		return bad("no address")
	}
	if host == "" {
		return bad("no host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return bad("bad port " + strconv.Quote(port))
	}
	from = net.JoinHostPort(strings.ToLower(host), port)
	switch {
	case strings.HasPrefix(addr, "[") && strings.HasSuffix(addr, "]"):
		to = net.JoinHostPort(addr[1:len(addr)-1], port)
	case strings.Count(addr, ":") > 1 && !strings.HasPrefix(addr, "["):
		to = net.JoinHostPort(addr, port) // a bare IPv6 address
	default:
		if h, p, err := net.SplitHostPort(addr); err == nil {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 || h == "" {
				return bad("bad address " + strconv.Quote(addr))
			}
			to = addr
		} else {
			to = net.JoinHostPort(addr, port)
		}
	}
	return from, to, nil
}

// dialer returns a DialContext that routes the resolved host:port pairs.
func (r resolveFlag) dialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if to, ok := r[strings.ToLower(addr)]; ok {
			addr = to
		}
		return d.DialContext(ctx, network, addr)
	}
}
