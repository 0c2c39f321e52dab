package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/unisocket/unisocket/server"
)

// serveConfig is what the serve flags ask for.
type serveConfig struct {
	opts    server.Options // Logf is set by serve
	certOut string         // where to write the certificate's PEM, with TLS
	quiet   bool
	replies []string // --reply MATCH=REPLY, read into opts.Replies

	restartEvery, refuseFor durationValue // --restart-every, --refuse-for
}

// serveDefaultCertOut is where --tls writes the certificate unless
// --cert-out says otherwise.
const serveDefaultCertOut = "unisocket-server.pem"

// serveDefaultRefuseFor is how long a --restart-every restart refuses
// connections unless --refuse-for says otherwise.
const serveDefaultRefuseFor = 5 * time.Second

const serveExamples = `Examples:
  unisocket serve
      ws://127.0.0.1:8080, echoing
  unisocket serve --addr 0.0.0.0:9000
      reachable from other machines, e.g. a phone on the same network
  unisocket serve --tls --host dev.example.com --cert-out dev.pem
      wss:// with a certificate for dev.example.com too; trust dev.pem in the client
  unisocket serve --restart-every 30s --refuse-for 5s
      every 30 s, drop every connection and refuse new ones for 5 s, as a
      server restart does; clients' reconnect code must cope
  unisocket serve --reply ping=pong --reply '{"op":"hi"}={"op":"hello"}' --log-messages
      answer the text message "ping" with "pong" and {"op":"hi"} with
      {"op":"hello"}, echo the others, and log each message

Then point a client at a URL with the behaviour in its query:
  ws://127.0.0.1:8080/chat?send=3
  ws://127.0.0.1:8080/chat?close=4000&reason=bye&after=2
  ws://127.0.0.1:8080/?status=403
  ws://127.0.0.1:8080/?inspect=1
`

func runServe(args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseServeFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "unisocket serve: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// parseServeFlags reads the serve flags. When ok is false the caller exits
// with code: the help was shown, or the flags were wrong and one line on
// stderr says how.
func parseServeFlags(args []string, stdout, stderr io.Writer) (cfg serveConfig, code int, ok bool) {
	fs := newFlagSet("serve")
	fs.StringVar(&cfg.opts.Addr, "addr", "127.0.0.1:8080", "listen on `ADDR` (host:port; port 0 picks a free one)")
	fs.BoolVar(&cfg.opts.TLS, "tls", false, "serve wss:// with a fresh self-signed certificate")
	fs.StringArrayVar(&cfg.opts.Hosts, "host", nil, "extra DNS `NAME` or IP for the certificate (repeat for more; needs --tls)")
	fs.StringVar(&cfg.certOut, "cert-out", "", "write the certificate's PEM to `FILE` (needs --tls; default "+serveDefaultCertOut+")")
	fs.BoolVar(&cfg.quiet, "quiet", false, "do not log connections or show the behaviour table")
	fs.BoolVar(&cfg.opts.LogMessages, "log-messages", false, fmt.Sprintf("log each message a client sends, and each --reply, with its type, size and first %d bytes (text quoted, binary in hex)", server.LogPayloadMax))
	fs.Var(&cfg.restartEvery, "restart-every", "restart the server every `D` (e.g. 30s): drop every connection without a close frame, refuse new ones for --refuse-for, then accept again")
	fs.Var(&cfg.refuseFor, "refuse-for", "how long each --restart-every restart refuses connections, `D` (default 5s)")
	fs.StringArrayVar(&cfg.replies, "reply", nil, "answer a text message equal to MATCH with REPLY instead of its echo; `MATCH=REPLY` is split at the first = (repeat for more)")
	help := func(w io.Writer) {
		printHelp(w, fs, "Usage: unisocket serve [flags]\n\nRuns the embedded WebSocket test server until Ctrl-C or SIGTERM. Every path\nechoes each message with its type; query parameters choose other behaviours\nand combine:\n\n"+server.BehaviourTable()+"\nFlags:\n", serveExamples)
	}
	if code, ok := parseFlags(fs, args, stdout, stderr, help); !ok {
		return cfg, code, false
	}
	fail := func(format string, args ...any) (serveConfig, int, bool) {
		return cfg, usageError(stderr, "serve", format, args...), false
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q: serve takes only flags", fs.Arg(0))
	}
	if slices.Contains(cfg.opts.Hosts, "") {
		return fail("--host: empty host name")
	}
	switch {
	case fs.Changed("restart-every") && cfg.restartEvery == 0:
		return fail("--restart-every must be more than 0")
	case fs.Changed("refuse-for") && cfg.restartEvery == 0:
		return fail("--refuse-for needs --restart-every")
	case cfg.restartEvery > 0 && !fs.Changed("refuse-for"):
		cfg.refuseFor = durationValue(serveDefaultRefuseFor)
	}
	if cfg.quiet && cfg.opts.LogMessages {
		return fail("--log-messages and --quiet exclude each other: --quiet turns the log off")
	}
	for _, r := range cfg.replies {
		match, reply, ok := strings.Cut(r, "=")
		if !ok {
			return fail("--reply %q: want MATCH=REPLY, e.g. --reply ping=pong", r)
		}
		if _, dup := cfg.opts.Replies[match]; dup {
			return fail("--reply %q: %q already has a reply", r, match)
		}
		if cfg.opts.Replies == nil {
			cfg.opts.Replies = map[string]string{}
		}
		cfg.opts.Replies[match] = reply
	}
	if !cfg.opts.TLS {
		if cfg.certOut != "" {
			return fail("--cert-out needs --tls")
		}
		if len(cfg.opts.Hosts) > 0 {
			return fail("--host needs --tls")
		}
	} else if cfg.certOut == "" {
		cfg.certOut = serveDefaultCertOut
	}
	return cfg, exitOK, true
}

// serve runs the server until ctx is done, then closes it. It prints the
// URL (and without --quiet the behaviour table) on stdout and one log line
// per connection and behaviour on stderr.
func serve(ctx context.Context, cfg serveConfig, stdout, stderr io.Writer) error {
	if !cfg.quiet {
		cfg.opts.Logf = log.New(stderr, "", log.Ltime|log.Lmicroseconds).Printf
	}
	srv, err := server.Start(cfg.opts)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w (another program has the port; --addr 127.0.0.1:0 picks a free one)", err)
	}
	if err != nil {
		return err
	}
	defer srv.Close()
	if cfg.opts.TLS {
		if err := os.WriteFile(cfg.certOut, srv.CertPEM(), 0o644); err != nil {
			return fmt.Errorf("write the server certificate: %w", err)
		}
	}

	fmt.Fprintf(stdout, "unisocket test server listening on %s\n", srv.URL())
	if cfg.opts.TLS {
		fmt.Fprintf(stdout, "self-signed certificate for %s written to %s; make the client trust it\n", serveCertNames(srv.CertPEM()), cfg.certOut)
	}
	if !cfg.quiet {
		fmt.Fprint(stdout, "\nEvery path echoes; query parameters choose other behaviours and combine:\n")
		fmt.Fprint(stdout, server.BehaviourTable())
		fmt.Fprintf(stdout, "\ne.g. %s/chat?send=3&close=4000&reason=bye\n\n", srv.URL())
	}
	if cfg.restartEvery > 0 {
		fmt.Fprintf(stdout, "restarting every %v, refusing connections for %v each time\n", &cfg.restartEvery, &cfg.refuseFor)
	}
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")

	var restarts chan error // nil: no restarts
	if cfg.restartEvery > 0 {
		restarts = make(chan error, 1)
		go func() {
			restarts <- restartLoop(ctx, srv, time.Duration(cfg.restartEvery), time.Duration(cfg.refuseFor))
		}()
	}
	var restartErr error
	select {
	case <-ctx.Done():
	case restartErr = <-restarts: // a restart could not listen again
		restarts = nil
	}
	closeErr := srv.Close() // also ends a restart's wait
	if restarts != nil {
		restartErr = <-restarts
	}
	if restartErr != nil {
		return restartErr
	}
	if closeErr != nil {
		return closeErr
	}
	fmt.Fprintln(stdout, "unisocket test server stopped")
	return nil
}

// restartLoop restarts srv every interval (counted from the end of the
// last restart's refusal) until ctx is done. Its error is a restart that
// could not listen again.
func restartLoop(ctx context.Context, srv *server.Server, every, refuseFor time.Duration) error {
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := srv.Restart(refuseFor); err != nil {
			if ctx.Err() != nil {
				return nil // stopping: Close ended the restart
			}
			return err
		}
		t.Reset(every)
	}
}

// serveCertNames lists the names a certificate in PEM form is valid for.
func serveCertNames(certPEM []byte) string {
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return "?"
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "?"
	}
	names := slices.Clone(cert.DNSNames)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	return strings.Join(names, ", ")
}
