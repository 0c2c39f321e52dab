package platform

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// TestWhitelistIDN checks that internationalised labels reach the form
// browsers dial: IDNA's lookup mapping, non-transitional, then punycode
// (RFC 3492 vectors among them).
func TestWhitelistIDN(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bücher.example", "xn--bcher-kva.example"},
		{"münchen.example", "xn--mnchen-3ya.example"},
		{"例子.example", "xn--fsqu00a.example"},
		{"测试.example", "xn--0zwm56d.example"},
		{"ü.example", "xn--tda.example"},
		{"straße.example", "xn--strae-oqa.example"}, // non-transitional, as browsers: ß stays ß
		{"☃.net", "xn--n3h.net"},                    // a symbol IDNA allows
		// RFC 3492 section 7.1 (L) 3<nen>B<gumi><kinpachi><sensei>, lower-cased.
		{"3\u5E74b\u7D44\u91D1\u516B\u5148\u751F.example", "xn--3b-ww4c5e180e575a65lsy2b.example"},
	} {
		h, err := ParseHost(tc.in)
		if err != nil || h.Name != tc.want {
			t.Errorf("ParseHost(%q) = %q, %v; want %q", tc.in, h.Name, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, why string }{
		{"xn--zz.example", "not a valid punycode"},
		{"xn--bcher-kva-.example", "not a valid punycode"},
		{"ＥＸＡＭＰＬＥ.com", "full-width"},
		{"\u212Aey.example.com", "ASCII \"key\""},
		{"\u0130stanbul.example", "IDNA reads the label"},
		{"a\u200Db.example", "not a valid internationalised name"}, // a joiner outside its context
		// Each of these was once encoded as written, while a browser maps
		// it first and dials another name.
		{"\u210C.com", "ASCII \"h\""},                    // BLACK-LETTER CAPITAL H
		{"\uFB01.com", "ASCII \"fi\""},                   // LATIN SMALL LIGATURE FI
		{"\u00ADsocket.example.com", "ASCII \"socket\""}, // SOFT HYPHEN, invisible
		{"\u1E9E.de", "ASCII \"ss\""},                    // LATIN CAPITAL LETTER SHARP S
		{"e\u0301.fr", "decomposed Unicode"},
		{"\u0661\u0662\u0663.com", "not a valid internationalised name"}, // the Bidi rule
	} {
		if h, err := ParseHost(tc.in); err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ParseHost(%q) = %+v, %v; want an error mentioning %q", tc.in, h, err, tc.why)
		}
	}
}

func TestWhitelistParseHost(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ip       bool
	}{
		{"Socket.Example.COM", "socket.example.com", false},
		{"socket.example.com.", "socket.example.com", false},
		{"例子.测试", "xn--fsqu00a.xn--0zwm56d", false},
		{"例子。测试", "xn--fsqu00a.xn--0zwm56d", false},
		{"XN--FSQU00A.xn--0zwm56d", "xn--fsqu00a.xn--0zwm56d", false},
		{"BÜCHER.example", "xn--bcher-kva.example", false},
		{"2130706433", "127.0.0.1", true},
		{"0x7f.1", "127.0.0.1", true},
		{"017700000001", "127.0.0.1", true},
		{"0x7F000001", "127.0.0.1", true},
		{"127.1", "127.0.0.1", true},
		{"192.168.257", "192.168.1.1", true},
		{"0300.0250.1.1", "192.168.1.1", true},
		{"1.2.3.4.", "1.2.3.4", true},
		{"0x", "0.0.0.0", true},
		{"::1", "::1", true},
		{"::ffff:127.0.0.1", "::ffff:127.0.0.1", true},
		{"0x7f.example.com", "0x7f.example.com", false},
		{"1e3", "1e3", false},
		{"under_score.example.com", "under_score.example.com", false},
	} {
		h, err := ParseHost(tc.in)
		if err != nil || h.Name != tc.want || h.IsIP() != tc.ip {
			t.Errorf("ParseHost(%q) = %+v, %v; want %q (IP %v)", tc.in, h, err, tc.want, tc.ip)
		}
	}
	for _, in := range []string{
		"", ".", "a..b", "1.2.3.4.5", "1.2.3.256", "256.1.1.1", "0x1g.1", "09.1.1.1", "1.2.3.4.0x",
		"99999999999999999999999", "fe80::1%eth0", "a%b.com", "a<b.com", "a b.com",
		"ｅｘａｍｐｌｅ.com", "１２７.０.０.１", "\u212Aey.example.com", "\u0130stanbul.example",
		"a\x00b.com", "\xff.com", strings.Repeat("a", 64) + ".com", strings.Repeat("a.", 127) + "com",
	} {
		if h, err := ParseHost(in); err == nil {
			t.Errorf("ParseHost(%q) = %+v, want an error", in, h)
		}
	}
}

// TestWhitelistBypass tries every trick that could make a host look listed,
// or an IP look like a name: one case per attempt.
func TestWhitelistBypass(t *testing.T) {
	w, err := NewWhitelist([]string{"socket.example.com", "wss://chat.example.com/", "例子.测试"}, ExactDomain, false)
	if err != nil {
		t.Fatal(err)
	}
	lan, err := NewWhitelist([]string{"socket.example.com"}, ExactDomain, true)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := NewWhitelist([]string{"example.com"}, RegistrableDomain, false)
	if err != nil {
		t.Fatal(err)
	}
	site, err := NewWhitelist([]string{"api.example.com", "a.github.io", "shop.example.co.uk"}, RegistrableDomain, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		w    *Whitelist
		url  string
		want string // canonical host when admitted, "" when refused
		why  string // part of the refusal reason
	}{
		{"listed", w, "wss://socket.example.com/", "socket.example.com", ""},
		{"listed given with scheme", w, "wss://chat.example.com/x", "chat.example.com", ""},
		{"upper case", w, "wss://SOCKET.Example.Com/", "socket.example.com", ""},
		{"trailing dot", w, "wss://socket.example.com./", "socket.example.com", ""},
		{"two trailing dots", w, "wss://socket.example.com../", "", "empty label"},
		{"explicit default port", w, "wss://socket.example.com:443/", "socket.example.com", ""},
		{"any port", w, "wss://socket.example.com:8443/", "socket.example.com", ""},
		{"port zero", w, "wss://socket.example.com:0/", "", "port"},
		{"port too large", w, "wss://socket.example.com:65536/", "", "port"},
		{"userinfo naming listed host", w, "wss://socket.example.com@evil.com/", "", "evil.com"},
		{"userinfo with password", w, "wss://socket.example.com:443@evil.com/", "", "evil.com"},
		{"userinfo on listed host", w, "wss://user:pw@socket.example.com/", "socket.example.com", ""},
		{"listed name as subdomain of other", w, "wss://socket.example.com.evil.com/", "", "not on the socket domain list"},
		{"other as subdomain of listed", w, "wss://evil.socket.example.com/", "", "not on the socket domain list"},
		{"parent of listed", w, "wss://example.com/", "", "not on the socket domain list"},
		{"suffix without dot", w, "wss://evilsocket.example.com/", "", "not on the socket domain list"},
		{"IDN listed as unicode, URL unicode", w, "wss://例子.测试/", "xn--fsqu00a.xn--0zwm56d", ""},
		{"IDN listed as unicode, URL punycode", w, "wss://xn--fsqu00a.xn--0zwm56d/", "xn--fsqu00a.xn--0zwm56d", ""},
		{"IDN percent-escaped", w, "wss://%E4%BE%8B%E5%AD%90.%E6%B5%8B%E8%AF%95/", "xn--fsqu00a.xn--0zwm56d", ""},
		{"IDN ideographic full stop", w, "wss://例子。测试/", "xn--fsqu00a.xn--0zwm56d", ""},
		{"full-width letters", w, "wss://ｓｏｃｋｅｔ.example.com/", "", "full-width"},
		{"kelvin sign", w, "wss://soc\u212Aet.example.com/", "", "ASCII"},
		{"percent-escaped percent", w, "wss://socket%25.example.com/", "", "not allowed"},
		{"IPv4 dotted", w, "wss://93.184.216.34/", "", "IP address"},
		{"IPv4 loopback", w, "wss://127.0.0.1/", "", "loopback"},
		{"IPv4 decimal", w, "wss://2130706433/", "", "loopback"},
		{"IPv4 hex parts", w, "wss://0x7f.1/", "", "loopback"},
		{"IPv4 octal", w, "wss://017700000001/", "", "loopback"},
		{"IPv4 short form", w, "wss://127.1/", "", "loopback"},
		{"IPv4 trailing dot", w, "wss://127.0.0.1./", "", "loopback"},
		{"IPv4 invalid", w, "wss://1.2.3.999/", "", "not a valid one"},
		{"IPv4 five parts", w, "wss://1.2.3.4.5/", "", "not a valid one"},
		{"IPv4 unspecified", w, "wss://0/", "", "loopback"},
		{"IPv6 loopback", w, "wss://[::1]/", "", "loopback"},
		{"IPv6 mapped loopback", w, "wss://[::ffff:127.0.0.1]/", "", "loopback"},
		{"IPv6 public", w, "wss://[2001:db8::1]/", "", "IP address"},
		{"IPv6 zone", w, "wss://[fe80::1%25eth0]/", "", "zone"},
		{"localhost", w, "wss://localhost/", "", "localhost"},
		{"localhost upper case, dot", w, "wss://LOCALHOST./", "", "localhost"},
		{"localhost subdomain", w, "wss://socket.localhost/", "", "localhost"},
		{"LAN IP without switch", w, "wss://192.168.1.10/", "", "LAN IP switch"},
		{"LAN IP with switch", lan, "wss://192.168.1.10:8080/", "192.168.1.10", ""},
		{"LAN IP hex with switch", lan, "wss://0xc0.0xa8.1.10/", "192.168.1.10", ""},
		{"LAN IPv6 ULA with switch", lan, "wss://[fd00::1]/", "fd00::1", ""},
		{"LAN IPv4-mapped with switch", lan, "wss://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1", ""},
		{"loopback with LAN switch", lan, "wss://127.0.0.1/", "", "loopback"},
		{"decimal loopback with LAN switch", lan, "wss://2130706433/", "", "loopback"},
		{"public IP with LAN switch", lan, "wss://8.8.8.8/", "", "IP address"},
		{"subdomain rule: domain", sub, "wss://example.com/", "example.com", ""},
		{"subdomain rule: deep subdomain", sub, "wss://a.b.example.com/", "a.b.example.com", ""},
		{"subdomain rule: lookalike suffix", sub, "wss://evilexample.com/", "", "not on the socket domain list"},
		{"subdomain rule: listed as subdomain of other", sub, "wss://example.com.evil.net/", "", "not on the socket domain list"},
		{"registrable rule: sibling of listed", site, "wss://chat.example.com/", "chat.example.com", ""},
		{"registrable rule: parent of listed", site, "wss://EXAMPLE.com./", "example.com", ""},
		{"registrable rule: other site on a private suffix", site, "wss://b.github.io/", "", "not on the socket domain list"},
		{"registrable rule: the private suffix itself", site, "wss://github.io/", "", "not on the socket domain list"},
		{"registrable rule: other site under co.uk", site, "wss://evil.co.uk/", "", "not on the socket domain list"},
		{"registrable rule: sibling under co.uk", site, "wss://ws.example.co.uk/", "ws.example.co.uk", ""},
		{"registrable rule: listed site under another", site, "wss://example.com.evil.net/", "", "not on the socket domain list"},
		{"registrable rule: lookalike", site, "wss://myexample.com/", "", "not on the socket domain list"},
		{"registrable rule: IP", site, "wss://93.184.216.34/", "", "IP address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatalf("url.Parse(%q): %v", tc.url, err)
			}
			h, err := tc.w.Match(u)
			if tc.want != "" {
				if err != nil || h.Name != tc.want {
					t.Fatalf("Match(%s) = %+v, %v; want %q admitted", tc.url, h, err, tc.want)
				}
				return
			}
			var re *RejectError
			if !errors.As(err, &re) {
				t.Fatalf("Match(%s) = %+v, %v; want a *RejectError", tc.url, h, err)
			}
			if !strings.Contains(re.Reason, tc.why) {
				t.Errorf("reason %q does not mention %q", re.Reason, tc.why)
			}
			if !strings.HasPrefix(err.Error(), ErrMsgNotInDomainList+": ") {
				t.Errorf("error %q does not start with %q", err, ErrMsgNotInDomainList)
			}
		})
	}
}

func TestWhitelistEmpty(t *testing.T) {
	w, err := NewWhitelist(nil, ExactDomain, false)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("wss://socket.example.com/")
	if _, err := w.Match(u); err == nil || !strings.Contains(err.Error(), "list is empty") {
		t.Fatalf("Match on an empty list = %v, want a refusal naming the empty list", err)
	}
}

func TestWhitelistRedactsPassword(t *testing.T) {
	w, _ := NewWhitelist([]string{"socket.example.com"}, ExactDomain, false)
	u, _ := url.Parse("wss://user:secret@evil.com/")
	_, err := w.Match(u)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("Match = %v, want a refusal without the password", err)
	}
}

func TestWhitelistParseDomain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"socket.example.com", "socket.example.com"},
		{" wss://Socket.Example.com/ ", "socket.example.com"},
		{"WSS://socket.example.com", "socket.example.com"},
		{"例子.测试", "xn--fsqu00a.xn--0zwm56d"},
	} {
		if got, err := ParseDomain(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseDomain(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, why string }{
		{"", "empty"},
		{"https://socket.example.com", "not https://"},
		{"ws://socket.example.com", "not ws://"},
		{"*.example.com", "wildcards"},
		{"socket.example.com:443", "without a port"},
		{"wss://socket.example.com/path", "without path"},
		{"user@socket.example.com", "without path, query or user"},
		{"1.2.3.4", "IP address"},
		{"2130706433", "IP address"},
		{"[::1]", "IP address"},
		{"localhost", "localhost"},
		{"api.localhost", "localhost"},
		{"soc%6bet.example.com", "%-escapes"},
		{"a..b", "empty label"},
	} {
		_, err := ParseDomain(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ParseDomain(%q) = %v, want an error mentioning %q", tc.in, err, tc.why)
		}
	}
	for _, suffix := range []string{"com", "co.uk", "github.io", "intranet"} {
		if _, err := NewWhitelist([]string{suffix}, RegistrableDomain, false); err == nil || !strings.Contains(err.Error(), "public suffix") {
			t.Errorf("NewWhitelist(%q, RegistrableDomain) = %v, want an error naming a public suffix", suffix, err)
		}
		if _, err := NewWhitelist([]string{suffix}, ExactDomain, false); err != nil {
			t.Errorf("NewWhitelist(%q, ExactDomain) = %v; an exact entry admits only itself", suffix, err)
		}
	}
	if _, err := NewWhitelist([]string{"ok.example.com", "*.example.com"}, ExactDomain, false); err == nil ||
		!strings.Contains(err.Error(), `"*.example.com"`) {
		t.Errorf("NewWhitelist with a wildcard = %v, want an error naming the entry", err)
	}
}

func TestWhitelistDomains(t *testing.T) {
	w, err := NewWhitelist([]string{"B.example.com", "a.example.com", "wss://b.example.com"}, ExactDomain, false)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(w.Domains(), ",")
	if got != "b.example.com,a.example.com" {
		t.Errorf("Domains() = %s, want b.example.com,a.example.com", got)
	}
}

func TestWhitelistHostPort(t *testing.T) {
	for _, tc := range []struct{ host, port, want string }{
		{"socket.example.com", "", "socket.example.com"},
		{"socket.example.com", "8443", "socket.example.com:8443"},
		{"fd00::1", "443", "[fd00::1]:443"},
		{"10.0.0.1", "", "10.0.0.1"},
	} {
		h, err := ParseHost(tc.host)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.HostPort(tc.port); got != tc.want {
			t.Errorf("HostPort(%q, %q) = %q, want %q", tc.host, tc.port, got, tc.want)
		}
	}
}
