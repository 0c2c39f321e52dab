package main

import (
	"fmt"
	"io"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/unisocket/unisocket/manifest"
	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/uni"
)

// uniFlags are the flags that make the App's uni.Config, the same in every
// subcommand that connects (connect, run): the platform, the project's
// files, the handshake's limits, TLS, the proxy, --resolve and the
// shaped network (network.go); and --compress, each socket's option
// rather than the App's. Their rules are decided here only.
type uniFlags struct {
	platform   string
	manifest   string // uni-app manifest.json
	config     string // unisocket.config.json
	timeout    time.Duration
	maxMessage byteSize
	compress   bool
	cafile     string
	cert, key  string
	insecure   bool
	proxy      string
	resolve    resolveFlag
	network    networkFlags

	fs *pflag.FlagSet // to ask which flags were given
}

// register defines the flags on fs.
func (f *uniFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.platform, "platform", "standard", "behave as platform `P`: "+strings.Join(platform.Names(), ", ")+" (overrides --config's)")
	fs.StringVar(&f.manifest, "manifest", "", "read networkTimeout.connectSocket and setting.urlCheck from the uni-app manifest.json `FILE`")
	fs.StringVar(&f.config, "config", "", "read the platform, the socket domain whitelist, the url check switch… from the unisocket.config.json `FILE`")
	fs.DurationVar(&f.timeout, "timeout", 0, "give up a handshake after `D`, e.g. 10s (networkTimeout.connectSocket; overrides --manifest's; default 60s)")
	fs.BoolVar(&f.compress, "compress", false, "ask for permessage-deflate compression (uni-app's perMessageDeflate; in run, the default for connectSocket calls that do not set it)")
	fs.Var(&f.maxMessage, "max-message", "the largest message accepted, in bytes or with KiB, MiB (default 16MiB); a larger one fails the socket with 1009")
	fs.StringVar(&f.cafile, "cafile", "", "trust the PEM certificates in `FILE`, instead of the system's, for wss:// (also --ca)")
	fs.StringVar(&f.cert, "cert", "", "present the PEM client certificate in `FILE`")
	fs.StringVar(&f.key, "key", "", "the client certificate's PEM private key `FILE` (default: the --cert file)")
	fs.BoolVarP(&f.insecure, "insecure", "k", false, "do not verify the server's certificate")
	fs.StringVar(&f.proxy, "proxy", "", "connect through the proxy `URL`: http://, https://, socks5:// or socks5h://[user:pass@]host:port")
	fs.Var(&f.resolve, "resolve", "when a URL names HOST:PORT, connect to ADDR instead (`HOST:PORT:ADDR`, as curl's --resolve); TLS still checks HOST; ADDR may carry its own port (repeat for more)")
	f.network.register(fs)
}

// flagAliases are older names that flags keep: --ca, --subprotocol.
var flagAliases = map[string]string{"ca": "cafile", "subprotocol": "protocol"}

// check refuses flags that contradict each other or name nothing.
func (f *uniFlags) check() error {
	switch {
	case f.cafile != "" && f.insecure:
		return fmt.Errorf("--cafile and --insecure exclude each other")
	case f.key != "" && f.cert == "":
		return fmt.Errorf("--key needs --cert")
	case f.timeout < 0:
		return fmt.Errorf("--timeout must not be negative")
	}
	if _, err := platform.Lookup(f.platform); err != nil {
		return fmt.Errorf("--platform: %w", err)
	}
	_, _, err := f.network.conditions()
	return err
}

// build makes the uni.Config: --manifest and --config, with --platform
// when given in place of the config's platform (before the config is
// applied, so that the url check switch of that platform's section
// counts), then --timeout when given, --max-message, TLS, the proxy
// (--proxy, else the environment read through getenv), --resolve, and
// the shaped network between them and the App.
// errLog receives the App's warnings. It also returns the proxy choice,
// for -v, and the warnings about the files.
func (f *uniFlags) build(getenv func(string) string, errLog io.Writer) (uni.Config, *connectProxy, []manifest.Warning, error) {
	var (
		m                *manifest.Manifest
		sc               = &manifest.SocketConfig{}
		warnings, mw, cw []manifest.Warning
		err              error
		c                uni.Config
	)
	if f.manifest != "" {
		if m, mw, err = manifest.ReadManifest(f.manifest); err != nil {
			return c, nil, nil, fmt.Errorf("--manifest: %w", err)
		}
	}
	if f.config != "" {
		if sc, cw, err = manifest.ReadSocketConfig(f.config); err != nil {
			return c, nil, nil, fmt.Errorf("--config: %w", err)
		}
	}
	warnings = append(mw, cw...)
	if f.fs.Changed("platform") || sc.Platform == "" {
		sc.Platform = f.platform
	}
	c, w, err := manifest.UniConfig(m, sc)
	if err != nil {
		return c, nil, warnings, err
	}
	warnings = append(warnings, w...)
	if f.fs.Changed("timeout") {
		c.ConnectTimeout = f.timeout
	}
	c.ReadLimit = int64(f.maxMessage)
	c.ErrorLog = log.New(errLog, "", 0)
	if c.TLSConfig, err = tlsConfig(f.cafile, f.cert, f.key, f.insecure); err != nil {
		return c, nil, warnings, err
	}
	proxy, err := newConnectProxy(f.proxy, getenv)
	if err != nil {
		return c, nil, warnings, err
	}
	c.Proxy = proxy.choose
	if len(f.resolve) > 0 {
		c.DialContext = f.resolve.dialer()
	}
	if c.Network, err = f.network.network(); err != nil {
		return c, nil, warnings, err
	}
	return c, proxy, warnings, nil
}

// messageLimit is the largest message the sockets accept.
func (f *uniFlags) messageLimit() int64 {
	if f.maxMessage > 0 {
		return int64(f.maxMessage)
	}
	return uni.DefaultReadLimit
}

// byteSize is a size flag: 1048576, 64KiB or 1MiB.
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }
func (b *byteSize) Type() string   { return "SIZE" }

func (b *byteSize) Set(v string) error {
	num, unit := v, int64(1)
	if s, ok := strings.CutSuffix(v, "KiB"); ok {
		num, unit = s, 1<<10
	} else if s, ok := strings.CutSuffix(v, "MiB"); ok {
		num, unit = s, 1<<20
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/unit {
		return fmt.Errorf("want a size such as 65536, 64KiB or 1MiB, more than 0")
	}
	*b = byteSize(n * unit)
	return nil
}
