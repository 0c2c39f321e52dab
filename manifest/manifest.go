package manifest

import (
	"math"
	"os"
	"strconv"
	"time"
)

// Manifest is what unisocket reads from a uni-app manifest.json.
type Manifest struct {
	// File is the name errors and warnings use.
	File string
	// ConnectSocketTimeout is networkTimeout.connectSocket: it bounds each
	// socket handshake. 0 means the key is absent, and uni's default
	// (60000 ms) applies.
	ConnectSocketTimeout time.Duration
	// URLCheck holds setting.urlCheck of each mini-program section that
	// sets it, by section name ("mp-weixin": false is the developer
	// tools' "do not check domain names").
	URLCheck map[string]bool
}

// networkTimeoutKeys are the keys of manifest.json's networkTimeout (docs/behaviour.md §8, [D2]);
// unisocket reads connectSocket and accepts the others.
var networkTimeoutKeys = []string{"request", "connectSocket", "uploadFile", "downloadFile"}

// ReadManifest reads and parses a manifest.json file.
func ReadManifest(path string) (*Manifest, []Warning, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return ParseManifest(path, src)
}

// ParseManifest parses the text of a manifest.json, as HBuilderX writes
// it: JSON with // and /* */ comments and trailing commas. file names the
// source in errors and warnings.
//
// It reads networkTimeout.connectSocket (milliseconds) and each
// mini-program section's setting.urlCheck. manifest.json has many sections
// unisocket has no use for; they are not checked, so only unknown keys in
// networkTimeout are warned about. A value of the wrong type is an *Error
// at its position.
func ParseManifest(file string, src []byte) (*Manifest, []Warning, error) {
	d, err := parseDoc(file, src)
	if err != nil {
		return nil, nil, err
	}
	m := &Manifest{File: file}
	if d.root.kind != kindObject {
		return nil, nil, d.errAt(d.root.off, "expected an object at the top of manifest.json, found %s", d.root.describe())
	}
	for _, mb := range d.root.members {
		switch {
		case mb.key == "networkTimeout":
			if err := d.networkTimeout(mb.val, m); err != nil {
				return nil, d.warnings, err
			}
		case len(mb.key) > 3 && mb.key[:3] == "mp-":
			if err := d.mpSection(mb.key, mb.val, m); err != nil {
				return nil, d.warnings, err
			}
		}
	}
	return m, d.warnings, nil
}

func (d *doc) networkTimeout(v *value, m *Manifest) error {
	if err := d.expect(v, kindObject, "networkTimeout", "an object of timeouts in milliseconds"); err != nil {
		return err
	}
	handlers := map[string]func(*value) error{}
	for _, k := range networkTimeoutKeys {
		handlers[k] = func(v *value) error {
			ms, err := d.millis(v, "networkTimeout."+k)
			if err == nil && k == "connectSocket" {
				m.ConnectSocketTimeout = ms
			}
			return err
		}
	}
	return d.object(v, "networkTimeout", handlers)
}

// millis reads a positive whole number of milliseconds.
func (d *doc) millis(v *value, key string) (time.Duration, error) {
	const what = "a whole number of milliseconds greater than 0"
	if err := d.expect(v, kindNumber, key, what); err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(v.num, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(v.num, 64)
		if ferr != nil || f != math.Trunc(f) || f > math.MaxInt64 || f < math.MinInt64 {
			return 0, d.errAt(v.off, "expected %s for %q, found %s", what, key, v.describe())
		}
		n = int64(f) // 6e4 is a whole number too
	}
	if n <= 0 {
		return 0, d.errAt(v.off, "expected %s for %q, found %s", what, key, v.describe())
	}
	if n > math.MaxInt64/int64(time.Millisecond) {
		return 0, d.errAt(v.off, "expected %s for %q, found %s, which is too large", what, key, v.describe())
	}
	return time.Duration(n) * time.Millisecond, nil
}

// mpSection reads setting.urlCheck from a mini-program section such as
// "mp-weixin": {"setting": {"urlCheck": false}}.
func (d *doc) mpSection(name string, v *value, m *Manifest) error {
	if err := d.expect(v, kindObject, name, "an object"); err != nil {
		return err
	}
	for _, mb := range v.members {
		if mb.key != "setting" {
			continue
		}
		if err := d.expect(mb.val, kindObject, name+".setting", "an object"); err != nil {
			return err
		}
		for _, s := range mb.val.members {
			if s.key != "urlCheck" {
				continue
			}
			if err := d.expect(s.val, kindBool, name+".setting.urlCheck", "true or false"); err != nil {
				return err
			}
			if m.URLCheck == nil {
				m.URLCheck = map[string]bool{}
			}
			m.URLCheck[name] = s.val.boolean
		}
	}
	return nil
}
