package uni

// Fuzz targets for the validation of user input in connectSocket and
// closeSocket: the url, header, protocols, code and reason options. They
// check that validation never panics and that whatever it accepts is safe
// to put on the wire. `go test` runs the seeds; `go test -fuzz FuzzX
// ./uni` explores. (The package's TestMain, with goleak, is in
// main_test.go.)

import (
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/unisocket/unisocket/platform"
)

// fuzzApps are Apps for a few profiles and host configurations, silent.
func fuzzApps(t testing.TB) []*App {
	quiet := log.New(io.Discard, "", 0)
	apps := []*App{NewApp(Config{ErrorLog: quiet})}
	for _, name := range []string{"mp-weixin", "h5"} {
		p, err := platform.Lookup(name)
		if err != nil {
			t.Fatalf("platform.Lookup(%q): %v", name, err)
		}
		apps = append(apps, NewApp(Config{Profile: p, ErrorLog: quiet, Domains: []string{"example.com", "*.test.cn"}}))
	}
	return apps
}

// FuzzCheckURL: checkURL never panics, and an accepted URL parses as a
// ws/wss URL with a host and no fragment, free of bytes that would
// corrupt the request line.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"ws://127.0.0.1:8080/echo", "wss://example.com/socket?x=1", "wss://a.test.cn", "WSS://EXAMPLE.COM",
		"ws://[::1]:9/", "http://example.com", "ws://", "ws:///path", "wss://example.com/#frag",
		"wss://user:pass@example.com/", "ws://exa mple.com/", "ws://example.com/\r\nX: y", "wss://例え.テスト/",
		"ws://0x7f.1/", "wss://example.com:99999/", "ws://%zz/", "", "wss://example.com\x00.evil/",
	} {
		f.Add(s)
	}
	apps := fuzzApps(f)
	f.Fuzz(func(t *testing.T, raw string) {
		for _, a := range apps {
			got, err := checkURL(a, raw)
			if err != nil {
				if err.Error() == "" {
					t.Fatalf("%s: empty error for %q", a.profile.Name, raw)
				}
				continue
			}
			u, perr := url.Parse(got)
			if perr != nil {
				t.Fatalf("%s: accepted %q as %q, which does not parse: %v", a.profile.Name, raw, got, perr)
			}
			if s := strings.ToLower(u.Scheme); s != "ws" && s != "wss" {
				t.Fatalf("%s: accepted scheme %q in %q", a.profile.Name, u.Scheme, raw)
			}
			if u.Hostname() == "" || u.Fragment != "" {
				t.Fatalf("%s: accepted %q (host %q, fragment %q)", a.profile.Name, got, u.Hostname(), u.Fragment)
			}
			if strings.ContainsAny(got, "\r\n\x00") {
				t.Fatalf("%s: accepted URL %q contains CR, LF or NUL", a.profile.Name, got)
			}
			if a.profile.SecureOnly && !a.cfg.SkipURLCheck && strings.EqualFold(u.Scheme, "ws") && !a.cfg.TestBuild {
				t.Fatalf("%s: wss-only profile accepted %q", a.profile.Name, got)
			}
		}
	})
}

// FuzzBuildHeader: buildHeader never panics, and an accepted header has
// token names, values without CR, LF, NUL or other control bytes, and none
// of the handshake's own headers.
func FuzzBuildHeader(f *testing.F) {
	f.Add("X-Token", "abc", "Cookie", "a=b; c=d")
	f.Add("Host", "example.com", "X-Tab", "a\tb")
	f.Add("X-Evil", "a\r\nInjected: 1", "Sec-WebSocket-Key", "x")
	f.Add("Bad Name", "v", "x-null", "a\x00b")
	f.Add("", "", "connection", "close")
	f.Add("X-Unicode", "ünïcode", "X-Del", "a\x7fb")
	f.Add("sec-websocket-protocol", "chat", "Content-Length", "5")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		h, err := buildHeader(map[string]string{k1: v1, k2: v2})
		if err != nil {
			if h != nil {
				t.Fatalf("buildHeader returned a header and an error")
			}
			return
		}
		for name, values := range h {
			if !validToken(name) {
				t.Fatalf("accepted header name %q", name)
			}
			if handshakeHeaders[http.CanonicalHeaderKey(name)] {
				t.Fatalf("accepted handshake header %q", name)
			}
			for _, v := range values {
				for i := 0; i < len(v); i++ {
					if c := v[i]; c == '\r' || c == '\n' || c == 0 || (c < ' ' && c != '\t') || c == 0x7f {
						t.Fatalf("accepted header %q with value %q (byte %#x)", name, v, c)
					}
				}
			}
		}
		// The request must serialise without error.
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
		req.Header = h
		if err := req.Header.Write(io.Discard); err != nil {
			t.Fatalf("accepted header does not serialise: %v", err)
		}
	})
}

// FuzzCheckProtocols: checkProtocols never panics and accepts only
// distinct, non-empty HTTP tokens (which cannot break the
// Sec-WebSocket-Protocol list).
func FuzzCheckProtocols(f *testing.F) {
	f.Add("chat", "superchat", "")
	f.Add("chat", "chat", "x")
	f.Add("a,b", "c d", "e")
	f.Add("v1.proto", "x\r\ny", "ünï")
	f.Fuzz(func(t *testing.T, p1, p2, p3 string) {
		for _, ps := range [][]string{{p1}, {p1, p2}, {p1, p2, p3}} {
			if checkProtocols(ps) != nil {
				continue
			}
			seen := map[string]bool{}
			for _, p := range ps {
				if p == "" || strings.ContainsAny(p, " ,\t\r\n\x00\"()/:;<=>?@[\\]{}") || seen[p] {
					t.Fatalf("accepted protocols %q", ps)
				}
				for i := 0; i < len(p); i++ {
					if p[i] <= ' ' || p[i] >= 0x7f {
						t.Fatalf("accepted protocol %q with byte %#x", p, p[i])
					}
				}
				seen[p] = true
			}
		}
	})
}

// FuzzCheckClose: checkClose never panics; an accepted code is 1000 or
// 3000–4999 and an accepted reason is valid UTF-8 of at most 123 bytes;
// everything else is refused.
func FuzzCheckClose(f *testing.F) {
	for _, c := range []struct {
		code   int
		reason string
	}{
		{1000, ""}, {1000, "bye"}, {3000, "x"}, {4999, strings.Repeat("a", 123)}, {4999, strings.Repeat("a", 124)},
		{1001, ""}, {2999, ""}, {5000, ""}, {0, ""}, {-1, ""}, {1005, ""}, {1006, ""},
		{1000, "\xff"}, {1000, strings.Repeat("é", 61) + "a"}, {1000, strings.Repeat("é", 62)},
	} {
		f.Add(c.code, c.reason)
	}
	f.Fuzz(func(t *testing.T, code int, reason string) {
		err := ValidateClose(code, reason)
		ok := (code == 1000 || (code >= 3000 && code <= 4999)) && utf8.ValidString(reason) && len(reason) <= MaxCloseReasonBytes
		if (err == nil) != ok {
			t.Fatalf("ValidateClose(%d, %q) = %v, want ok=%v", code, reason, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "Failed to execute 'close'") {
			t.Fatalf("ValidateClose(%d, %q): error %q is not the browser's text", code, reason, err)
		}
	})
}

// FuzzPlan: the whole connectSocket validation never panics and an
// accepted plan carries only what the checks above accept.
func FuzzPlan(f *testing.F) {
	f.Add("ws://127.0.0.1:1/", "X-A", "b", "POST", "chat")
	f.Add("wss://example.com/", "Referer", "https://x", "get", "")
	f.Add("wss://a.test.cn/x", "X\r\n", "b", "BREW", "a b")
	f.Add("ftp://x", "", "", "", "")
	apps := fuzzApps(f)
	f.Fuzz(func(t *testing.T, rawURL, hk, hv, method, proto string) {
		opts := ConnectSocketOptions{URL: rawURL, Method: method}
		if hk != "" {
			opts.Header = map[string]string{hk: hv}
		}
		if proto != "" {
			opts.Protocols = []string{proto}
		}
		for _, a := range apps {
			p, _, err := a.plan(&opts)
			if err != nil {
				continue
			}
			if _, err := checkURL(a, rawURL); err != nil {
				t.Fatalf("%s: plan accepted a URL checkURL refuses: %q", a.profile.Name, rawURL)
			}
			if !httpMethods[p.Method] {
				t.Fatalf("%s: plan method %q", a.profile.Name, p.Method)
			}
			for _, sp := range p.Protocols {
				if !validToken(sp) {
					t.Fatalf("%s: plan protocol %q", a.profile.Name, sp)
				}
			}
			for name, vs := range p.Header {
				for _, v := range vs {
					if strings.ContainsAny(name+v, "\r\n\x00") {
						t.Fatalf("%s: plan header %q: %q", a.profile.Name, name, v)
					}
				}
			}
		}
	})
}

// checkURL is plan's URL part: the syntax, then the host rules.
func checkURL(a *App, raw string) (string, error) {
	u, err := parseURL(raw)
	if err != nil {
		return "", err
	}
	return a.hostURL(raw, u)
}
