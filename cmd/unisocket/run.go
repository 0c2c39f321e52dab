package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/unisocket/unisocket/js"
)

// runConfig is what the run flags ask for.
type runConfig struct {
	uniFlags
	file      string
	timeoutMS int
}

const runExamples = `Examples:
  unisocket run chat.js
      run chat.js with the standard profile until nothing is pending
  unisocket serve --tls --host www.example.com --addr 127.0.0.1:8443 &
  unisocket run examples/seed/07_onSocketClose.js \
      --resolve www.example.com:443:127.0.0.1:8443 --cafile unisocket-server.pem
      run code written for wss://www.example.com/socket, unchanged, against
      the local test server (TLS still checks the name www.example.com)
  unisocket run bot.js --platform mp-weixin --timeout-ms 10000
      run as on WeChat (wss only, 5 sockets); give up after 10 s and say
      what was still pending

Exit status: 0 when the script ended with nothing pending and no uncaught
error; 1 when it threw, reported uncaught errors, or was stopped by
--timeout-ms or Ctrl-C; 2 for bad flags or arguments.
`

func runRun(args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseRunFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	ucfg, _, warnings, err := cfg.build(os.Getenv, stderr)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "unisocket run: warning: %s\n", w)
	}
	if err != nil {
		return usageError(stderr, "run", "%v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.timeoutMS > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, time.Duration(cfg.timeoutMS)*time.Millisecond, errRunTimeout)
		defer cancel()
	}

	rt := js.New(js.Options{Config: ucfg, Stdout: stdout, Stderr: stderr, PerMessageDeflate: cfg.compress})
	err = rt.RunFile(ctx, cfg.file)
	return reportRun(ctx, err, cfg, stderr)
}

var errRunTimeout = errors.New("timed out")

// reportRun prints how the script ended and returns the exit code.
func reportRun(ctx context.Context, err error, cfg runConfig, stderr io.Writer) int {
	var (
		se *js.ScriptError
		pe *js.PendingError
		re *js.ReportedError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &se):
		fmt.Fprintln(stderr, se.Text)
	case errors.As(err, &pe):
		why := "interrupted"
		if errors.Is(context.Cause(ctx), errRunTimeout) {
			why = fmt.Sprintf("timed out after %d ms (--timeout-ms)", cfg.timeoutMS)
		}
		if len(pe.Pending) == 0 {
			fmt.Fprintf(stderr, "unisocket run: %s\n", why)
		} else {
			fmt.Fprintf(stderr, "unisocket run: %s; still pending: %s\n", why, strings.Join(pe.Pending, "; "))
		}
	case errors.As(err, &re):
		fmt.Fprintf(stderr, "unisocket run: %v\n", re)
	default:
		fmt.Fprintf(stderr, "unisocket run: %v\n", err)
	}
	return exitFailure
}

// parseRunFlags reads the run flags, which may come before or after the
// script's name. When ok is false the caller exits with code: the help was
// shown, or the flags were wrong and one line on stderr says how.
func parseRunFlags(args []string, stdout, stderr io.Writer) (cfg runConfig, code int, ok bool) {
	fs := newFlagSet("run")
	cfg.uniFlags.register(fs)
	fs.IntVar(&cfg.timeoutMS, "timeout-ms", 0, "stop the script after `N` ms, exit 1 and say what was still pending (0: no limit)")
	help := func(w io.Writer) { printHelp(w, fs, runHelp, runExamples) }
	if code, ok := parseFlags(fs, args, stdout, stderr, help); !ok {
		return cfg, code, false
	}
	fail := func(format string, a ...any) (runConfig, int, bool) {
		return cfg, usageError(stderr, "run", format, a...), false
	}
	files := fs.Args()
	switch {
	case len(files) == 0:
		return fail("no script given: unisocket run FILE.js [flags]")
	case len(files) > 1:
		return fail("one script at a time, got %d: %s", len(files), strings.Join(files, " "))
	}
	cfg.file = files[0]
	if fi, err := os.Stat(cfg.file); err != nil {
		return fail("cannot read the script: %v", err)
	} else if fi.IsDir() {
		return fail("%s is a directory, not a script", cfg.file)
	}
	if cfg.timeoutMS < 0 {
		return fail("--timeout-ms must be 0 (no limit) or more, not %d", cfg.timeoutMS)
	}
	if err := cfg.uniFlags.check(); err != nil {
		return fail("%v", err)
	}
	return cfg, exitOK, true
}

const runHelp = `Usage: unisocket run FILE.js [flags]

Runs FILE.js, a CommonJS module, with the globals uni and wx backed by
unisocket's uni-app socket API, plus console, timers and require() of
relative .js and .json files. Code written for uni-app or a WeChat
mini-program runs unchanged. The script ends when nothing is pending: no
socket still open, connecting or closing, no timer, no API call awaiting
its result.

Flags (before or after FILE.js):
`
