package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/uni"
)

// UniConfig turns a manifest and a socket configuration into a uni.Config.
// Either may be nil. The result has the profile, the handshake timeout
// and the host rules set; the caller adds what is not in these files
// (TLSConfig, DialContext, ErrorLog…).
//
// urlCheck comes from the socket configuration when it sets it, else from
// manifest.json's setting.urlCheck of the platform's section (e.g.
// "mp-weixin"), else it is on. The warnings point out settings that have
// no effect on the chosen platform.
func UniConfig(m *Manifest, c *SocketConfig) (uni.Config, []Warning, error) {
	var cfg uni.Config
	var warnings []Warning
	name := "standard"
	if c != nil && c.Platform != "" {
		name = c.Platform
	}
	p, err := platform.Lookup(name)
	if err != nil {
		return cfg, nil, err
	}
	cfg.Profile = p
	if m != nil {
		cfg.ConnectTimeout = m.ConnectSocketTimeout
		if check, ok := m.URLCheck[p.Name]; ok {
			cfg.SkipURLCheck = !check
		}
	}
	if c == nil {
		return cfg, nil, nil
	}
	if c.URLCheck != nil {
		cfg.SkipURLCheck = !*c.URLCheck
	}
	cfg.Domains = c.SocketDomains
	cfg.AllowLANIP = c.LANIP
	cfg.TestBuild = c.TestBuild
	cfg.ReservedSockets = c.ReservedSockets
	cfg.MaxSockets = c.MaxSockets

	warn := func(off int, format string, args ...any) {
		line, col := lineCol(c.src, off)
		warnings = append(warnings, Warning{File: c.File, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
	}
	if c.hasLANIP && c.LANIP && !p.LANIP {
		warn(c.lanIPOff, "lanIP has no effect on %s: only mp-weixin admits LAN IP addresses", p.Name)
	}
	if c.hasTestBuild && c.TestBuild && !(p.SecureOnly && p.TestBuildWS) {
		warn(c.testBuildOff, "testBuild has no effect on %s", p.Name)
	}
	if c.hasReserved && c.ReservedSockets > 0 {
		single, multiple := p.Quota(false), p.Quota(true)
		if c.MaxSockets > 0 {
			single, multiple = c.MaxSockets, c.MaxSockets
		}
		switch {
		case single == 0:
			warn(c.reservedOff, "reservedSockets has no effect on %s, which has no socket quota", p.Name)
		case c.ReservedSockets >= multiple:
			warn(c.reservedOff, "reservedSockets %d leaves the app no socket (the quota on %s is %d)", c.ReservedSockets, p.Name, multiple)
		case c.ReservedSockets >= single:
			warn(c.reservedOff, "reservedSockets %d leaves no socket to connects without multiple: true (the quota on %s is %d)", c.ReservedSockets, p.Name, single)
		}
	}
	if c.hasDomains && p.CheckDomain && len(c.SocketDomains) == 0 && !cfg.SkipURLCheck {
		warn(c.domainsOff, "socketDomains is empty: %s will refuse every URL (set urlCheck to false while developing)", p.Name)
	}
	return cfg, warnings, nil
}

// Load reads dir/manifest.json and dir/unisocket.config.json, each if it
// exists, and returns their uni.Config (standard with uni-app's defaults
// when neither exists) and the warnings of both.
func Load(dir string) (uni.Config, []Warning, error) {
	return LoadFiles(filepath.Join(dir, ManifestFileName), filepath.Join(dir, ConfigFileName), true)
}

// LoadFiles reads the manifest and the socket configuration at the given
// paths; an empty path is skipped. With optional, a file that does not
// exist is skipped too; otherwise it is an error.
func LoadFiles(manifestPath, configPath string, optional bool) (uni.Config, []Warning, error) {
	var (
		warnings []Warning
		m        *Manifest
		c        *SocketConfig
	)
	skip := func(err error) bool { return optional && errors.Is(err, fs.ErrNotExist) }
	if manifestPath != "" {
		mm, w, err := ReadManifest(manifestPath)
		warnings = append(warnings, w...)
		switch {
		case err == nil:
			m = mm
		case !skip(err):
			return uni.Config{}, warnings, err
		}
	}
	if configPath != "" {
		cc, w, err := ReadSocketConfig(configPath)
		warnings = append(warnings, w...)
		switch {
		case err == nil:
			c = cc
		case !skip(err):
			return uni.Config{}, warnings, err
		}
	}
	cfg, w, err := UniConfig(m, c)
	return cfg, append(warnings, w...), err
}
