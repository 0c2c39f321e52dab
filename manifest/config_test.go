package manifest

import (
	"reflect"
	"strings"
	"testing"
)

func TestManifestSocketConfig(t *testing.T) {
	src := `{
  // the platform
  "platform": "MP-Weixin",
  "socketDomains": ["wss://socket.example.com", "chat.example.com",],
  "urlCheck": false,
  "lanIP": true,
  "testBuild": false,
  "reservedSockets": 2,
  "maxSockets": 4,
  "$schema": "ignored",
}`
	c, warnings, err := ParseSocketConfig("u.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings %v", warnings)
	}
	cfg, warnings, err := UniConfig(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("UniConfig warnings %v", warnings)
	}
	if cfg.Profile.Name != "mp-weixin" || !cfg.SkipURLCheck || !cfg.AllowLANIP || cfg.TestBuild ||
		cfg.ReservedSockets != 2 || cfg.MaxSockets != 4 ||
		!reflect.DeepEqual(cfg.Domains, []string{"wss://socket.example.com", "chat.example.com"}) {
		t.Fatalf("config %+v", cfg)
	}
}

func TestManifestSocketConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"platform", `{"platform": "mp-wechat"}`, `u.json:1:14: unknown platform "mp-wechat": valid platforms are standard, h5, app, mp-weixin, mp-qq, mp-alipay, mp-baidu, mp-toutiao`},
		{"platform type", `{"platform": 3}`, `u.json:1:14: expected a platform name for "platform", found the number 3`},
		{"domains type", `{"socketDomains": "a.example.com"}`, `u.json:1:19: expected an array of domain names for "socketDomains", found the string "a.example.com"`},
		{"domain type", `{"socketDomains": ["a.example.com", 7]}`, `u.json:1:37: expected a domain name in double quotes for "socketDomains", found the number 7`},
		{"domain wildcard", "{\"socketDomains\": [\n  \"*.example.com\"]}", `u.json:2:3: socket domain "*.example.com": wildcards are not supported: list each subdomain on its own`},
		{"domain IP", `{"socketDomains": ["wss://10.0.0.1"]}`, `u.json:1:20: socket domain "wss://10.0.0.1": a socket domain cannot be an IP address`},
		{"domain port", `{"socketDomains": ["socket.example.com:8443"]}`, `u.json:1:20: socket domain "socket.example.com:8443": write it without a port: every port of a wss domain is allowed`},
		{"urlCheck", `{"urlCheck": "no"}`, `u.json:1:14: expected true or false for "urlCheck", found the string "no"`},
		{"lanIP", `{"lanIP": 1}`, `u.json:1:11: expected true or false for "lanIP", found the number 1`},
		{"testBuild", `{"testBuild": null}`, `u.json:1:15: expected true or false for "testBuild", found null`},
		{"reserved negative", `{"reservedSockets": -1}`, `u.json:1:21: expected a whole number, 0 or more for "reservedSockets", found the number -1`},
		{"reserved fraction", `{"reservedSockets": 1.5}`, `u.json:1:21: expected a whole number, 0 or more for "reservedSockets", found the number 1.5`},
		{"maxSockets", `{"maxSockets": "5"}`, `u.json:1:16: expected a whole number, 0 or more for "maxSockets", found the string "5"`},
		{"top level", `"mp-weixin"`, `u.json:1:1: expected an object at the top of u.json, found the string "mp-weixin"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseSocketConfig("u.json", []byte(tc.src))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err:\n  got  %v\n  want %s", err, tc.want)
			}
		})
	}
}

func TestManifestSocketConfigWarnings(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"typo", "{\n  \"socketDomain\": []}", `u.json:2:3: unknown key "socketDomain" in u.json is ignored (did you mean "socketDomains"?)`},
		{"case typo", `{"urlcheck": true}`, `u.json:1:2: unknown key "urlcheck" in u.json is ignored (did you mean "urlCheck"?)`},
		{"unknown", `{"appid": "wx1"}`, `u.json:1:2: unknown key "appid" in u.json is ignored`},
		{"lanIP elsewhere", `{"platform": "mp-qq", "lanIP": true}`, `u.json:1:32: lanIP has no effect on mp-qq: only mp-weixin admits LAN IP addresses`},
		{"testBuild elsewhere", `{"platform": "mp-weixin", "testBuild": true}`, `u.json:1:40: testBuild has no effect on mp-weixin`},
		{"reserved without quota", `{"platform": "h5", "reservedSockets": 1}`, `u.json:1:39: reservedSockets has no effect on h5, which has no socket quota`},
		{"reserved all", `{"platform": "mp-baidu", "reservedSockets": 5}`, `u.json:1:45: reservedSockets 5 leaves the app no socket (the quota on mp-baidu is 5)`},
		{"reserved alipay single", `{"platform": "mp-alipay", "reservedSockets": 1}`, `u.json:1:46: reservedSockets 1 leaves no socket to connects without multiple: true (the quota on mp-alipay is 1)`},
		{"empty domains", `{"platform": "mp-weixin", "socketDomains": []}`, `u.json:1:44: socketDomains is empty: mp-weixin will refuse every URL (set urlCheck to false while developing)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, warnings, err := ParseSocketConfig("u.json", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			_, more, err := UniConfig(nil, c)
			if err != nil {
				t.Fatal(err)
			}
			warnings = append(warnings, more...)
			var got []string
			for _, w := range warnings {
				got = append(got, w.String())
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Fatalf("warnings:\n  got  %q\n  want %q", got, tc.want)
			}
		})
	}
}

// TestManifestURLCheckPrecedence: unisocket.config.json's urlCheck wins
// over manifest.json's setting.urlCheck of the platform's section, which
// wins over the default (on).
func TestManifestURLCheckPrecedence(t *testing.T) {
	m, _, err := ParseManifest("m", []byte(`{"mp-weixin": {"setting": {"urlCheck": false}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		config string
		skip   bool
	}{
		{`{"platform": "mp-weixin"}`, true},
		{`{"platform": "mp-weixin", "urlCheck": true}`, false},
		{`{"platform": "mp-qq"}`, false},
	} {
		c, _, err := ParseSocketConfig("u", []byte(tc.config))
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, _ := UniConfig(m, c)
		if cfg.SkipURLCheck != tc.skip {
			t.Errorf("%s: SkipURLCheck = %v, want %v", tc.config, cfg.SkipURLCheck, tc.skip)
		}
	}
	if cfg, _, _ := UniConfig(nil, nil); cfg.Profile.Name != "standard" || cfg.SkipURLCheck {
		t.Errorf("UniConfig(nil, nil) = %+v", cfg)
	}
	if _, _, err := UniConfig(nil, &SocketConfig{Platform: "nope"}); err == nil || !strings.Contains(err.Error(), `unknown platform "nope"`) {
		t.Errorf("a bad platform in a hand-built config: %v", err)
	}
}
