package platform

import (
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite PROFILES.md from the profile table")

// TestProfilesDoc keeps PROFILES.md in step with the table: it fails when
// the file is stale, and -update rewrites it.
func TestProfilesDoc(t *testing.T) {
	want := Markdown()
	if *update {
		if err := os.WriteFile("PROFILES.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("PROFILES.md")
	if err != nil {
		t.Fatalf("%v (run go test ./platform -run TestProfilesDoc -update)", err)
	}
	if string(got) != want {
		t.Fatal("platform/PROFILES.md is stale: run go test ./platform -run TestProfilesDoc -update")
	}
}

func TestProfileNames(t *testing.T) {
	want := []string{"standard", "h5", "app", "mp-weixin", "mp-qq", "mp-alipay", "mp-baidu", "mp-toutiao"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
}

func TestProfileLookup(t *testing.T) {
	for _, name := range Names() {
		p, err := Lookup(name)
		if err != nil || p.Name != name {
			t.Errorf("Lookup(%q) = %q, %v", name, p.Name, err)
		}
	}
	if p, err := Lookup(" MP-Weixin "); err != nil || p.Name != "mp-weixin" {
		t.Errorf("Lookup is not case-insensitive: %q, %v", p.Name, err)
	}
	_, err := Lookup("mp-wechat")
	if err == nil {
		t.Fatal("Lookup(mp-wechat) succeeded")
	}
	for _, name := range append(Names(), `"mp-wechat"`) {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestProfileStandardIsFirst(t *testing.T) {
	s := Standard()
	p, _ := Lookup("standard")
	if !reflect.DeepEqual(s, p) || All()[0].Name != "standard" {
		t.Fatal("Standard() is not the table's standard row")
	}
}

// TestLookupCopies makes sure a caller cannot change the table.
func TestProfileLookupCopies(t *testing.T) {
	p, _ := Lookup("mp-weixin")
	p.Sources["SecureOnly"] = "changed"
	q, _ := Lookup("mp-weixin")
	if q.Sources["SecureOnly"] == "changed" {
		t.Fatal("Lookup returned the table's Sources map")
	}
}

// TestSources catches a misspelt rule name in a profile's Sources, and a
// rule that no profile cites.
func TestProfileSources(t *testing.T) {
	rules := map[string]bool{}
	for _, r := range Rules() {
		rules[r.Name] = true
	}
	cited := map[string]bool{}
	for _, p := range All() {
		for k := range p.Sources {
			if !rules[k] {
				t.Errorf("profile %s cites unknown rule %q", p.Name, k)
			}
			cited[k] = true
		}
		if p.Summary == "" {
			t.Errorf("profile %s has no summary", p.Name)
		}
	}
	for r := range rules {
		if !cited[r] {
			t.Errorf("no profile cites a source for rule %s", r)
		}
	}
}

// TestRulesCoverProfile makes sure every rule field of Profile is a row of
// the table, so PROFILES.md and uni's profile test miss none.
func TestProfileRulesCoverProfile(t *testing.T) {
	rules := map[string]bool{}
	for _, r := range Rules() {
		rules[r.Name] = true
	}
	typ := reflect.TypeFor[Profile]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		switch name {
		case "Name", "Summary", "Sources":
			continue
		}
		if !rules[name] {
			t.Errorf("Profile.%s is not a row of Rules()", name)
		}
		delete(rules, name)
	}
	for r := range rules {
		t.Errorf("rule %s is not a Profile field", r)
	}
}

func TestProfileQuotaCause(t *testing.T) {
	w, _ := Lookup("mp-weixin")
	if got := w.QuotaCause(6, false); got != "wcwss taskID=6 exceed max concurrent count" {
		t.Errorf("mp-weixin quota cause = %q", got)
	}
	a, _ := Lookup("mp-alipay")
	if a.Quota(false) != 1 || a.Quota(true) != 5 {
		t.Errorf("mp-alipay quota = %d single, %d multiple; want 1 and 5", a.Quota(false), a.Quota(true))
	}
	if got := a.QuotaCause(2, true); got != "exceed max concurrent count" {
		t.Errorf("mp-alipay multiple quota cause = %q", got)
	}
	if w.Quota(true) != 5 {
		t.Errorf("mp-weixin ignores multiple, got quota %d", w.Quota(true))
	}
}

func TestProfileEnumStrings(t *testing.T) {
	for _, s := range []string{CloseBeforeOpen(9).String(), HandshakeFailure(9).String(), ListenerOrder(9).String(), DomainMatch(9).String()} {
		if !strings.HasSuffix(s, "(9)") {
			t.Errorf("unknown value renders as %q", s)
		}
	}
}
