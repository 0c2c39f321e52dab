package uni

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/unisocket/unisocket/platform"
)

// The mini-program hosts' rules (docs/behaviour.md §9), applied by plan and
// admit: the scheme rule, the domain whitelist, the Referer rule, the
// per-call timeout and the socket quota. Each reads the profile and the
// App's Config; none tests a platform's name.

// hostError is a refusal by a host rule. Its text is the cause the host
// itself reports (so errMsg matches the device byte for byte); err keeps
// the details, which are also written to the App's log.
type hostError struct {
	cause string
	err   error
}

func (e *hostError) Error() string { return e.cause }

func (e *hostError) Unwrap() error { return e.err }

// hostURL applies the scheme rule and the whitelist to u, the parsed raw
// URL whose scheme is ws or wss. It returns the URL to dial: raw itself, or
// raw with its host rewritten to the canonical form the whitelist checked
// (an IDN in punycode, an IPv4 address written in hex or octal as dotted
// decimal), so that the resolver cannot read the host differently from
// the check.
func (a *App) hostURL(raw string, u *url.URL) (string, error) {
	if a.cfg.SkipURLCheck {
		return raw, nil
	}
	p := a.profile
	if p.SecureOnly && strings.EqualFold(u.Scheme, "ws") && !(a.cfg.TestBuild && p.TestBuildWS) {
		hint := "set urlCheck false (SkipURLCheck) to allow it while developing"
		if p.TestBuildWS {
			hint = "a test build (testBuild, TestBuild) allows it"
		}
		a.warnf("connectSocket: %s: the %s platform accepts only wss:// URLs; %s", u.Redacted(), p.Name, hint)
		return "", fmt.Errorf("invalid url %q: the %s platform accepts only wss:// URLs", raw, p.Name)
	}
	if !p.CheckDomain && len(a.cfg.Domains) == 0 {
		return raw, nil
	}
	w, err := platform.NewWhitelist(a.cfg.Domains, p.DomainMatch, a.cfg.AllowLANIP && p.LANIP)
	if err != nil {
		return "", fmt.Errorf("invalid socket domain list: %w", err)
	}
	h, err := w.Match(u)
	if err != nil {
		a.warnf("connectSocket: %v", err)
		return "", &hostError{cause: platform.ErrMsgNotInDomainList, err: err}
	}
	if h.Name == strings.TrimSuffix(strings.ToLower(u.Hostname()), ".") {
		return raw, nil
	}
	v := *u
	v.Host = h.HostPort(u.Port())
	return v.String(), nil
}

// hostHeader drops a Referer header on profiles whose host sets its own.
// in is not modified.
func (a *App) hostHeader(in map[string]string) map[string]string {
	if a.profile.Referer {
		return in
	}
	var out map[string]string
	for k := range in {
		if strings.EqualFold(k, "Referer") {
			if out == nil {
				out = make(map[string]string, len(in))
				for k2, v2 := range in {
					out[k2] = v2
				}
			}
			delete(out, k)
			a.warnf("connectSocket: the %s platform sets its own Referer; header %q is not sent", a.profile.Name, k)
		}
	}
	if out == nil {
		return in
	}
	return out
}

// callTimeout returns the handshake timeout of a call: its own Timeout
// where the profile honours one, else the App's ConnectTimeout
// (networkTimeout.connectSocket).
func (a *App) callTimeout(perCall time.Duration) time.Duration {
	if perCall <= 0 {
		return a.cfg.ConnectTimeout
	}
	if !a.profile.Timeout {
		a.warnf("connectSocket: the %s profile ignores option \"timeout\"; networkTimeout.connectSocket (%v) applies", a.profile.Name, a.cfg.ConnectTimeout)
		return a.cfg.ConnectTimeout
	}
	return perCall
}

// admit registers t if the socket quota has a free slot: sockets
// connecting, open or closing all count, and ReservedSockets of the limit
// belong to the vendor's own sockets. Otherwise it fails, naming the
// platform's error.
func (a *App) admit(t *SocketTask, multiple bool) error {
	limit := a.profile.Quota(multiple)
	if a.cfg.MaxSockets > 0 {
		limit = a.cfg.MaxSockets
	}
	reserved := max(a.cfg.ReservedSockets, 0)
	// Counting and registering under one lock: two calls racing for the
	// last slot cannot both get it.
	a.mu.Lock()
	inUse := 0
	if limit > 0 {
		for _, x := range a.tasks {
			if x.ReadyState() != StateClosed {
				inUse++
			}
		}
	}
	if limit <= 0 || inUse+reserved < limit {
		a.tasks = append(a.tasks, t)
		a.live = append(a.live, t)
		a.running[t] = struct{}{}
		a.mu.Unlock()
		return nil
	}
	a.mu.Unlock()
	taskID := t.ID() // WeChat's text names the refused task
	var detail error
	if reserved > 0 {
		detail = fmt.Errorf("the %s platform allows %d sockets at once, %d of them reserved for the vendor's own sockets, and the app has %d connecting, open or closing",
			a.profile.Name, limit, reserved, inUse)
	} else {
		detail = fmt.Errorf("the %s platform allows %d sockets at once, and %d are connecting, open or closing",
			a.profile.Name, limit, inUse)
	}
	a.warnf("connectSocket: %v", detail)
	return &hostError{cause: a.profile.QuotaCause(taskID, multiple), err: detail}
}
