package manifest

import (
	"math"
	"os"
	"strconv"

	"github.com/unisocket/unisocket/platform"
)

// ConfigFileName is the project socket configuration's usual name, beside
// manifest.json.
const ConfigFileName = "unisocket.config.json"

// ManifestFileName is uni-app's manifest's name.
const ManifestFileName = "manifest.json"

// SocketConfig is a project's socket configuration: what a mini-program's
// console and developer tools set (the socket domain list, the url check
// switch) and the platform to emulate. It is read from
// unisocket.config.json, whose keys follow WeChat's project.config.json
// style; see examples/unisocket.config.json.
type SocketConfig struct {
	// File is the name errors and warnings use.
	File string
	// Platform is the profile to emulate ("platform"); "" means standard.
	Platform string
	// SocketDomains is the socket domain whitelist ("socketDomains").
	SocketDomains []string
	// URLCheck is "urlCheck"; nil when absent (then manifest.json's
	// setting.urlCheck of the platform's section decides, else true).
	URLCheck *bool
	// LANIP is "lanIP": admit LAN IP addresses (WeChat).
	LANIP bool
	// TestBuild is "testBuild": a test build (ws:// allowed on Douyin).
	TestBuild bool
	// ReservedSockets is "reservedSockets": quota slots held by the
	// vendor's own sockets (uni-push 2.0, the log echo).
	ReservedSockets int
	// MaxSockets is "maxSockets": replaces the platform's quota when > 0.
	MaxSockets int

	// offsets of the keys, for warnings that UniConfig raises
	src                     []byte
	lanIPOff, testBuildOff  int
	reservedOff, domainsOff int
	hasLANIP, hasTestBuild  bool
	hasReserved, hasDomains bool
}

// ReadSocketConfig reads and parses a unisocket.config.json file.
func ReadSocketConfig(path string) (*SocketConfig, []Warning, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return ParseSocketConfig(path, src)
}

// ParseSocketConfig parses the text of a unisocket.config.json (JSON with
// comments and trailing commas). file names the source in errors and
// warnings. A syntax error, a value of the wrong type, an unknown
// platform or an invalid socket domain is an *Error at its position;
// unknown keys are warnings.
func ParseSocketConfig(file string, src []byte) (*SocketConfig, []Warning, error) {
	d, err := parseDoc(file, src)
	if err != nil {
		return nil, nil, err
	}
	if d.root.kind != kindObject {
		return nil, nil, d.errAt(d.root.off, "expected an object at the top of %s, found %s", file, d.root.describe())
	}
	c := &SocketConfig{File: file, src: src}
	boolean := func(key string, dst *bool) func(*value) error {
		return func(v *value) error {
			if err := d.expect(v, kindBool, key, "true or false"); err != nil {
				return err
			}
			*dst = v.boolean
			return nil
		}
	}
	count := func(key string, dst *int) func(*value) error {
		return func(v *value) error {
			n, err := d.count(v, key)
			*dst = n
			return err
		}
	}
	var urlCheck bool
	handlers := map[string]func(*value) error{
		// "$schema" and "description" are common in JSON config files.
		"$schema":     nil,
		"description": nil,
		"platform": func(v *value) error {
			if err := d.expect(v, kindString, "platform", "a platform name"); err != nil {
				return err
			}
			if _, err := platform.Lookup(v.str); err != nil {
				return d.errAt(v.off, "%v", err)
			}
			c.Platform = v.str
			return nil
		},
		"socketDomains": func(v *value) error {
			if err := d.expect(v, kindArray, "socketDomains", "an array of domain names"); err != nil {
				return err
			}
			c.hasDomains, c.domainsOff = true, v.off
			c.SocketDomains = []string{}
			for _, e := range v.elems {
				if err := d.expect(e, kindString, "socketDomains", "a domain name in double quotes"); err != nil {
					return err
				}
				if _, err := platform.ParseDomain(e.str); err != nil {
					return d.errAt(e.off, "%v", err)
				}
				c.SocketDomains = append(c.SocketDomains, e.str)
			}
			return nil
		},
		"urlCheck": func(v *value) error {
			if err := boolean("urlCheck", &urlCheck)(v); err != nil {
				return err
			}
			c.URLCheck = &urlCheck
			return nil
		},
		"lanIP": func(v *value) error {
			c.hasLANIP, c.lanIPOff = true, v.off
			return boolean("lanIP", &c.LANIP)(v)
		},
		"testBuild": func(v *value) error {
			c.hasTestBuild, c.testBuildOff = true, v.off
			return boolean("testBuild", &c.TestBuild)(v)
		},
		"reservedSockets": func(v *value) error {
			c.hasReserved, c.reservedOff = true, v.off
			return count("reservedSockets", &c.ReservedSockets)(v)
		},
		"maxSockets": count("maxSockets", &c.MaxSockets),
	}
	if err := d.object(d.root, file, handlers); err != nil {
		return nil, d.warnings, err
	}
	return c, d.warnings, nil
}

// count reads a whole number ≥ 0.
func (d *doc) count(v *value, key string) (int, error) {
	const what = "a whole number, 0 or more"
	if err := d.expect(v, kindNumber, key, what); err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v.num)
	if err != nil {
		f, ferr := strconv.ParseFloat(v.num, 64)
		if ferr != nil || f != math.Trunc(f) || f < 0 || f > 1<<31 {
			return 0, d.errAt(v.off, "expected %s for %q, found %s", what, key, v.describe())
		}
		n = int(f)
	}
	if n < 0 {
		return 0, d.errAt(v.off, "expected %s for %q, found %s", what, key, v.describe())
	}
	return n, nil
}
