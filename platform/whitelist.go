package platform

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/unicode/norm"
)

// Host is a URL's host reduced to the one form that is compared and
// dialled: a lower-case ASCII DNS name (IDN labels in punycode, no
// trailing dot), or an IP address, whatever notation the URL used for it.
type Host struct {
	// Name is the canonical host text: the DNS name, or the IP address as
	// netip.Addr.String writes it (IPv6 without brackets).
	Name string
	// IP is the address when the host is an IP literal in any notation a
	// browser reads as one (dotted, decimal, octal, hex, IPv6); otherwise
	// it is the zero Addr.
	IP netip.Addr
}

// IsIP reports whether the host is an IP address.
func (h Host) IsIP() bool { return h.IP.IsValid() }

// IsLocalhost reports whether the host is localhost or a name under it,
// which browsers and the hosts resolve to the device itself.
func (h Host) IsLocalhost() bool {
	return h.Name == "localhost" || strings.HasSuffix(h.Name, ".localhost")
}

// HostPort returns the host as a URL writes it, with port when not empty
// (IPv6 in brackets).
func (h Host) HostPort(port string) string {
	name := h.Name
	if h.IP.Is6() {
		name = "[" + name + "]"
	}
	if port == "" {
		return name
	}
	return name + ":" + port
}

// maxLabelRunes and maxNameBytes are DNS's limits (RFC 1035).
const (
	maxLabelRunes = 63
	maxNameBytes  = 253
)

// idnDots are the full stops IDNA reads as label separators (UTS #46
// section 2.3). Splitting on them before mapping lets each label's mapping
// be checked on its own (see asciiLabel).
var idnDots = strings.NewReplacer("\u3002", ".", "\uff0e", ".", "\uff61", ".")

// ParseHost reduces a URL's host (as url.URL.Hostname returns it:
// percent-escapes decoded, IPv6 without brackets) to its canonical form.
//
// It reads IPv4 addresses the way browsers do (the WHATWG URL standard),
// so "2130706433", "0x7f.1" and "017700000001" are all 127.0.0.1, and a
// name whose last label is a number but not a valid address is an error,
// not a DNS name. Upper case and one trailing dot are dropped. A label
// with non-ASCII letters goes through IDNA's lookup mapping (UTS #46, as
// browsers do) into punycode; a label that mapping would change beyond
// lower-casing (full-width forms, compatibility characters such as U+212A
// KELVIN SIGN) is refused rather than silently rewritten, so a host that is
// accepted is the name its writer meant and exactly the name that gets
// dialled.
func ParseHost(host string) (Host, error) {
	if host == "" {
		return Host{}, errors.New("the host is empty")
	}
	if strings.Contains(host, ":") {
		addr, err := netip.ParseAddr(host)
		if err != nil {
			return Host{}, fmt.Errorf("the host %q is not a valid IPv6 address", host)
		}
		if addr.Zone() != "" {
			return Host{}, fmt.Errorf("the host %q has an IPv6 zone, which a URL cannot use", host)
		}
		return Host{Name: addr.String(), IP: addr}, nil
	}
	s := idnDots.Replace(host)
	if len(s) > 1 && strings.HasSuffix(s, ".") {
		s = s[:len(s)-1]
	}
	labels := strings.Split(s, ".")
	if endsInNumber(labels) {
		addr, err := parseIPv4(labels)
		if err != nil {
			return Host{}, fmt.Errorf("the host %q ends in a number, so browsers read it as an IPv4 address, but it is not a valid one: %v", host, err)
		}
		return Host{Name: addr.String(), IP: addr}, nil
	}
	for i, label := range labels {
		ascii, err := asciiLabel(label)
		if err != nil {
			return Host{}, fmt.Errorf("the host %q is not a valid domain name: %v", host, err)
		}
		labels[i] = ascii
	}
	name := strings.Join(labels, ".")
	if len(name) > maxNameBytes {
		return Host{}, fmt.Errorf("the host %q is longer than %d characters", host, maxNameBytes)
	}
	return Host{Name: name}, nil
}

// asciiLabel returns one label in its lower-case ASCII form.
func asciiLabel(label string) (string, error) {
	if label == "" {
		return "", errors.New("it has an empty label")
	}
	if !utf8.ValidString(label) {
		return "", errors.New("it is not valid UTF-8")
	}
	if isASCII(label) {
		// DNS host names are letters, digits and hyphens; '_' is in real
		// use (service names), which idna's strict lookup profile refuses,
		// so ASCII labels are checked here and only A-labels go to idna.
		l := strings.ToLower(label)
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", fmt.Errorf("%q is not allowed in a host name", rune(c))
			}
		}
		if len(l) > maxLabelRunes {
			return "", fmt.Errorf("the label %q is longer than %d characters", label, maxLabelRunes)
		}
		if strings.HasPrefix(l, "xn--") {
			if _, err := idna.Lookup.ToUnicode(l); err != nil {
				return "", fmt.Errorf("the label %q is not a valid punycode (xn--) label", label)
			}
		}
		return l, nil
	}
	if utf8.RuneCountInString(label) > maxLabelRunes {
		return "", fmt.Errorf("the label %q is longer than %d characters", label, maxLabelRunes)
	}
	out, err := idna.Lookup.ToASCII(label)
	if err != nil {
		return "", fmt.Errorf("the label %q is not a valid internationalised name (%s)", label, strings.TrimPrefix(err.Error(), "idna: "))
	}
	mapped := out // the label as IDNA reads it, to compare with what was written
	if strings.HasPrefix(out, "xn--") {
		if mapped, err = idna.Lookup.ToUnicode(out); err != nil {
			return "", fmt.Errorf("the label %q is not a valid internationalised name (%s)", label, strings.TrimPrefix(err.Error(), "idna: "))
		}
	}
	if folded := foldCase(label); mapped != folded {
		switch {
		case isASCII(mapped):
			return "", fmt.Errorf("%q holds full-width, compatibility or invisible characters that IDNA reads as the ASCII %q; write the host in ASCII", label, mapped)
		case mapped == norm.NFC.String(folded):
			return "", fmt.Errorf("the label %+q is in decomposed Unicode, which IDNA composes to %+q; write it composed (NFC)", label, mapped)
		}
		return "", fmt.Errorf("IDNA reads the label %q as %q; write the host that way", label, mapped)
	}
	if len(out) > maxLabelRunes {
		return "", fmt.Errorf("the label %q is longer than %d characters once encoded", label, maxLabelRunes)
	}
	return out, nil
}

// foldCase lower-cases a label as IDNA's mapping does for the letters it
// maps only by case. A non-ASCII letter whose lower case is ASCII (U+212A
// KELVIN SIGN, U+0130) is kept, so that the comparison in asciiLabel
// catches it: IDNA maps those differently from unicode.ToLower.
func foldCase(label string) string {
	return strings.Map(func(r rune) rune {
		if l := unicode.ToLower(r); r < utf8.RuneSelf || l >= utf8.RuneSelf {
			return l
		}
		return r
	}, label)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// endsInNumber is the WHATWG URL standard's "ends in a number" test: a host
// whose last label is all digits, or a 0x-prefixed hex number, is an IPv4
// address or invalid.
func endsInNumber(labels []string) bool {
	last := labels[len(labels)-1]
	if last == "" {
		return false
	}
	if isDigits(last) {
		return true
	}
	_, err := ipv4Number(last)
	return err == nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ipv4Number parses one part of an IPv4 address as the WHATWG URL standard
// does: 0x for hex, a leading 0 for octal, decimal otherwise.
func ipv4Number(s string) (uint64, error) {
	if s == "" {
		return 0, errors.New("empty part")
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" {
		return 0, nil
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d, ok := digitValue(s[i], base)
		if !ok {
			return 0, fmt.Errorf("%q is not a base-%d number", s, base)
		}
		if n > (math.MaxUint64-uint64(d))/uint64(base) {
			return 0, fmt.Errorf("%q is too large", s)
		}
		n = n*uint64(base) + uint64(d)
	}
	return n, nil
}

func digitValue(c byte, base int) (int, bool) {
	var d int
	switch {
	case c >= '0' && c <= '9':
		d = int(c - '0')
	case c >= 'a' && c <= 'f':
		d = int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		d = int(c-'A') + 10
	default:
		return 0, false
	}
	return d, d < base
}

// parseIPv4 is the WHATWG URL standard's IPv4 parser
// (https://url.spec.whatwg.org/#concept-ipv4-parser). It is written here
// because no well-kept library reads these forms for a host alone: net/netip
// refuses octal, hex and short forms on purpose, and a whole WHATWG URL
// parser would replace net/url everywhere to read four numbers.
func parseIPv4(labels []string) (netip.Addr, error) {
	if len(labels) > 4 {
		return netip.Addr{}, fmt.Errorf("it has %d parts, at most 4 are allowed", len(labels))
	}
	nums := make([]uint64, len(labels))
	for i, l := range labels {
		n, err := ipv4Number(l)
		if err != nil {
			return netip.Addr{}, err
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, fmt.Errorf("the part %d is larger than 255", n)
		}
	}
	last := nums[len(nums)-1]
	if limit := uint64(1) << (8 * (5 - len(nums))); last >= limit {
		return netip.Addr{}, fmt.Errorf("the last part %d is too large", last)
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), nil
}

// RejectError says why a URL's host is not admitted. uni reports it to
// the program as ErrMsgNotInDomainList, the host's own text, and gives
// these details in its warning and in the error's chain.
type RejectError struct {
	// URL is the URL as given.
	URL string
	// Host is the host as the URL wrote it.
	Host string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns the message, with the position or cause it carries.
func (e *RejectError) Error() string {
	return fmt.Sprintf("%s: %s: %s", ErrMsgNotInDomainList, e.URL, e.Reason)
}

// Whitelist is a mini-program's list of socket domains (WeChat's
// "socket 合法域名"). It is immutable and safe for concurrent use.
type Whitelist struct {
	names    map[string]bool
	sites    map[string]bool // registrable domains of names, with RegistrableDomain
	list     []string        // canonical names, in the order given
	match    DomainMatch
	allowLAN bool
}

// NewWhitelist compiles a domain list. An entry is a host name, optionally
// written as wss://name or wss://name/. Entries are refused when they hold
// an IP address or localhost (which the hosts' consoles refuse), a port
// (for wss every port of a listed domain is allowed), a path, a
// wildcard (each subdomain is listed on its own) or another scheme.
//
// match says whether other names of a listed domain's registrable domain
// are admitted; with RegistrableDomain an entry that is itself a public
// suffix (com, co.uk, github.io) is refused, as it would admit every site
// under it. allowLANIP admits private-network IP literals (WeChat's LAN
// switch); loopback and unspecified addresses are never admitted.
func NewWhitelist(domains []string, match DomainMatch, allowLANIP bool) (*Whitelist, error) {
	w := &Whitelist{names: make(map[string]bool, len(domains)), match: match, allowLAN: allowLANIP}
	if match == RegistrableDomain {
		w.sites = make(map[string]bool, len(domains))
	}
	for _, d := range domains {
		name, err := ParseDomain(d)
		if err != nil {
			return nil, err
		}
		if w.names[name] {
			continue
		}
		if w.sites != nil {
			site, err := publicsuffix.EffectiveTLDPlusOne(name)
			if err != nil {
				return nil, fmt.Errorf("socket domain %q: %s is a public suffix, under which anyone can register a domain; list your own domain", d, name)
			}
			w.sites[site] = true
		}
		w.names[name] = true
		w.list = append(w.list, name)
	}
	return w, nil
}

// ParseDomain checks one domain-list entry (see NewWhitelist) and returns
// its canonical name.
func ParseDomain(entry string) (string, error) {
	s := strings.TrimSpace(entry)
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("socket domain %q: %s", entry, why)
	}
	if s == "" {
		return bad("it is empty")
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		if !strings.EqualFold(scheme, "wss") {
			return bad(fmt.Sprintf("socket domains are wss:// domains, not %s://", scheme))
		}
		s = strings.TrimSuffix(rest, "/")
	}
	switch {
	case strings.Contains(s, "*"):
		return bad("wildcards are not supported: list each subdomain on its own")
	case strings.ContainsAny(s, "/?#@\\"):
		return bad("write only the host name, without path, query or user")
	case strings.HasPrefix(s, "["):
		return bad("a socket domain cannot be an IP address")
	case strings.Contains(s, ":"):
		return bad("write it without a port: every port of a wss domain is allowed")
	case strings.Contains(s, "%"):
		return bad("write it without %-escapes")
	}
	h, err := ParseHost(s)
	if err != nil {
		return bad(err.Error())
	}
	if h.IsIP() {
		return bad("a socket domain cannot be an IP address")
	}
	if h.IsLocalhost() {
		return bad("a socket domain cannot be localhost")
	}
	return h.Name, nil
}

// Domains returns the canonical names on the list, in the order given.
func (w *Whitelist) Domains() []string { return slices.Clone(w.list) }

// Match decides whether the list admits u's host, and returns the host in
// the form to dial. u must be an absolute URL with a host; its scheme is
// not looked at (the scheme rule is the profile's SecureOnly). Any port is
// admitted. When the host is refused the error is a *RejectError.
func (w *Whitelist) Match(u *url.URL) (Host, error) {
	raw := u.Redacted()
	hostname := u.Hostname()
	reject := func(why string) (Host, error) {
		return Host{}, &RejectError{URL: raw, Host: hostname, Reason: why}
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return reject(fmt.Sprintf("the port %q is not between 1 and 65535", p))
		}
	}
	h, err := ParseHost(hostname)
	if err != nil {
		return reject(err.Error())
	}
	if h.IsIP() {
		ip := h.IP.Unmap()
		switch {
		case ip.IsLoopback() || ip.IsUnspecified():
			return reject(fmt.Sprintf("the host %s is a loopback address, which is never allowed", h.Name))
		case w.allowLAN && ip.IsPrivate():
			return h, nil
		case ip.IsPrivate():
			return reject(fmt.Sprintf("the host %s is a LAN IP address, allowed only with the LAN IP switch", h.Name))
		default:
			return reject(fmt.Sprintf("the host %s is an IP address; socket domains must be domain names", h.Name))
		}
	}
	if h.IsLocalhost() {
		return reject(fmt.Sprintf("the host %s is localhost, which cannot be a socket domain", h.Name))
	}
	if w.admits(h.Name) {
		return h, nil
	}
	if len(w.list) == 0 {
		return reject(fmt.Sprintf("the host %s is not listed: the socket domain list is empty", h.Name))
	}
	return reject(fmt.Sprintf("the host %s is not on the socket domain list (%s)", h.Name, strings.Join(w.list, ", ")))
}

func (w *Whitelist) admits(name string) bool {
	if w.names[name] {
		return true
	}
	if w.sites == nil {
		return false
	}
	// The public suffix list includes private suffixes (github.io,
	// appspot.com), so two tenants of one hosting domain are two sites.
	site, err := publicsuffix.EffectiveTLDPlusOne(name)
	return err == nil && w.sites[site]
}
