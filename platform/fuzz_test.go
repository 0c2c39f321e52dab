package platform

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzWhitelistMatch checks, for any URL, that what Match admits is a
// listed domain (or a LAN address under the LAN switch), that the host it
// returns is canonical, and that a URL rebuilt with it parses back to the
// same host, so what was checked is what gets dialled. Seeds are in
// testdata/fuzz/FuzzWhitelistMatch.
func FuzzWhitelistMatch(f *testing.F) {
	exact, err := NewWhitelist([]string{"socket.example.com", "例子.测试"}, ExactDomain, true)
	if err != nil {
		f.Fatal(err)
	}
	sites, err := NewWhitelist([]string{"example.com", "api.example.org"}, RegistrableDomain, false)
	if err != nil {
		f.Fatal(err)
	}
	// The registrable domains of sites' entries, written out so that the
	// check does not rest on the code under test.
	siteNames := []string{"example.com", "example.org"}
	f.Add("wss://socket.example.com/")
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return
		}
		for _, w := range []*Whitelist{exact, sites} {
			h, err := w.Match(u)
			if err != nil {
				var re *RejectError
				if !errors.As(err, &re) {
					t.Fatalf("Match(%q) error %T %v, want *RejectError", raw, err, err)
				}
				continue
			}
			if h.IsIP() {
				ip := h.IP.Unmap()
				if !w.allowLAN || !ip.IsPrivate() || ip.IsLoopback() {
					t.Fatalf("Match(%q) admitted IP %s", raw, h.Name)
				}
			} else {
				listed := w.names[h.Name]
				if w.match == RegistrableDomain {
					for _, d := range siteNames {
						listed = listed || h.Name == d || strings.HasSuffix(h.Name, "."+d)
					}
				}
				if !listed {
					t.Fatalf("Match(%q) admitted unlisted host %q", raw, h.Name)
				}
				for i := 0; i < len(h.Name); i++ {
					c := h.Name[i]
					if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
						t.Fatalf("Match(%q) admitted host %q with byte %q", raw, h.Name, c)
					}
				}
			}
			again, err := ParseHost(h.Name)
			if err != nil || again != h {
				t.Fatalf("ParseHost(%q) = %+v, %v; want the same host back", h.Name, again, err)
			}
			v := *u
			v.Host = h.HostPort(u.Port())
			back, err := url.Parse(v.String())
			if err != nil {
				t.Fatalf("rebuilt URL %q does not parse: %v", v.String(), err)
			}
			if got, err := ParseHost(back.Hostname()); err != nil || got != h {
				t.Fatalf("rebuilt URL %q has host %+v, %v; want %+v", v.String(), got, err, h)
			}
		}
	})
}
