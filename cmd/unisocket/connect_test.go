package main

// End-to-end tests of `unisocket connect`: the real binary, built once,
// against the embedded test server (package server) on loopback. Waits are
// on output, never on time; connectGuard only turns a hang into a failure.

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/server"
)

// connectGuard bounds every wait of these tests so that a bug fails
// instead of hanging; it asserts nothing about speed.
const connectGuard = 30 * time.Second

// connectRaceBuild is set under -race (connect_race_test.go).
var connectRaceBuild bool

var connectBin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// connectBinary builds the unisocket command once per test run (with
// -race when the tests run with it) and returns its path. Building once
// instead of per test keeps the run short on a small machine; TestMain
// removes it.
func connectBinary(t *testing.T) string {
	t.Helper()
	connectBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "unisocket-connect-test-")
		if err != nil {
			connectBin.err = err
			return
		}
		connectBin.dir = dir
		exe := filepath.Join(dir, "unisocket")
		if runtime.GOOS == "windows" {
			exe += ".exe"
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		args := []string{"build", "-o", exe}
		if connectRaceBuild {
			args = append(args, "-race")
		}
		out, err := exec.Command(goTool, append(args, ".")...).CombinedOutput()
		if err != nil {
			connectBin.err = errors.New("go build: " + err.Error() + "\n" + string(out))
			return
		}
		connectBin.path = exe
	})
	if connectBin.err != nil {
		t.Fatal(connectBin.err)
	}
	return connectBin.path
}

func connectRemoveBinary() {
	if connectBin.dir != "" {
		_ = os.RemoveAll(connectBin.dir)
	}
}

// connectEnv is the environment of the command under test: no proxy
// variables from the machine, no colours, a private cache directory (the
// REPL's history), plus extra.
func connectEnv(t *testing.T, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD", "NO_COLOR", "XDG_CACHE_HOME", "GORACE":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "NO_COLOR=1", "XDG_CACHE_HOME="+t.TempDir())
	if connectRaceBuild {
		// The race runtime waits a second at exit by default.
		env = append(env, "GORACE=atexit_sleep_ms=0")
	}
	return append(env, extra...)
}

// connectProc is a running `unisocket connect`.
type connectProc struct {
	cmd            *exec.Cmd
	stdin          io.WriteCloser
	stdout, stderr *testutil.Buffer
	done           chan struct{}
	code           int
}

// startConnect starts `unisocket connect args...` with stdin a pipe. The
// test's cleanup ends it if the test did not wait for it.
func startConnect(t *testing.T, env []string, args ...string) *connectProc {
	t.Helper()
	p := &connectProc{stdout: new(testutil.Buffer), stderr: new(testutil.Buffer), done: make(chan struct{})}
	p.cmd = exec.Command(connectBinary(t), append([]string{"connect"}, args...)...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := p.cmd.Wait()
		p.code = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
		} else if err != nil {
			p.code = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *connectProc) write(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(p.stdin, s); err != nil {
		t.Fatalf("write %q to stdin: %v", s, err)
	}
}

// wait waits for the command to exit and returns its status.
func (p *connectProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		if p.code == 66 && strings.Contains(p.stderr.String(), "DATA RACE") {
			t.Fatalf("data race in the command:\n%s", p.stderr)
		}
		return p.code
	case <-time.After(connectGuard):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("the command did not exit; stdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
		return -1
	}
}

// runConnectCmd runs `unisocket connect args...` with stdin as given
// (closed at its end) and returns its exit status and output.
func runConnectCmd(t *testing.T, env []string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	p := startConnect(t, env, args...)
	p.write(t, stdin)
	_ = p.stdin.Close()
	code = p.wait(t)
	return code, p.stdout.String(), p.stderr.String()
}

// connectServer starts the embedded test server for one test.
func connectServer(t *testing.T, opts server.Options) *server.Server {
	t.Helper()
	srv, err := server.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// connectLeakCheck checks at the end of the test that it left no
// goroutine behind (the server's, the proxy's, the process waiters).
func connectLeakCheck(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

func TestConnectPipeSendsLinesAndPrintsReplies(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	p := startConnect(t, connectEnv(t), srv.URL()+"/chat")
	p.write(t, "hello\n")
	p.stdout.WaitFor(t, "stdout", regexp.MustCompile(`^hello\n$`))
	p.write(t, "{\"op\":\"ping\"}\r\n") // CRLF input is one line too
	p.stdout.WaitFor(t, "stdout", regexp.MustCompile(`\{"op":"ping"\}\n$`))
	p.write(t, "\n") // an empty line is an empty message
	p.stdout.WaitFor(t, "stdout", regexp.MustCompile(`\}\n\n$`))
	p.write(t, "last line without newline")
	_ = p.stdin.Close()
	if code := p.wait(t); code != exitOK {
		t.Fatalf("exit status %d, want 0; stderr:\n%s", code, p.stderr)
	}
	// The last line was sent; its echo may or may not beat our close (a
	// browser drops messages after close(), and so does uni).
	out := p.stdout.String()
	if !strings.HasPrefix(out, "hello\n{\"op\":\"ping\"}\n\n") {
		t.Errorf("stdout = %q", out)
	}
	if s := p.stderr.String(); s != "" {
		t.Errorf("stderr = %q, want nothing", s)
	}
}

func TestConnectPipeServerCloses(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	p := startConnect(t, connectEnv(t), srv.URL()+"/?send=2&close=4000&reason=bye")
	// stdin stays open: the server's close ends the command.
	if code := p.wait(t); code != exitOK {
		t.Fatalf("exit status %d, want 0; stderr:\n%s", code, p.stderr)
	}
	if got := p.stdout.String(); got != "message 1\nmessage 2\n" {
		t.Errorf("stdout = %q", got)
	}
	if got, want := p.stderr.String(), "* closed by the server: code 4000, reason \"bye\"\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}

func TestConnectPipeConnectionLost(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	p := startConnect(t, connectEnv(t), srv.URL()+"/?send=1&drop=1")
	if code := p.wait(t); code != exitFailure {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", code, p.stderr)
	}
	if got := p.stdout.String(); got != "message 1\n" {
		t.Errorf("stdout = %q", got)
	}
	if !regexp.MustCompile(`^unisocket connect: error: the server closed the connection without a close frame\n\* closed: code 1006\n$`).MatchString(p.stderr.String()) {
		t.Errorf("stderr = %q", p.stderr)
	}
}

func TestConnectPipeBinary(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	t.Run("hex", func(t *testing.T) {
		p := startConnect(t, connectEnv(t), "--binary", srv.URL()+"/")
		p.write(t, "48 65 6c 6c 6f\n")
		p.stdout.WaitFor(t, "stdout", regexp.MustCompile(`^48656c6c6f\n$`))
		p.write(t, "0x00ff\n")
		p.stdout.WaitFor(t, "stdout", regexp.MustCompile(`\n00ff\n$`))
		p.write(t, "not hex\n")
		p.stderr.WaitFor(t, "stderr", regexp.MustCompile(`not sent: not hex`))
		_ = p.stdin.Close()
		if code := p.wait(t); code != exitFailure {
			t.Errorf("exit status %d, want 1 (a line could not be sent)", code)
		}
	})
	t.Run("base64", func(t *testing.T) {
		p := startConnect(t, connectEnv(t), "--base64", srv.URL()+"/")
		p.write(t, "aGVsbG8=\n")
		p.stdout.WaitFor(t, "stdout", regexp.MustCompile(`^aGVsbG8=\n$`))
		_ = p.stdin.Close()
		if code := p.wait(t); code != exitOK {
			t.Errorf("exit status %d, want 0; stderr:\n%s", code, p.stderr)
		}
	})
	t.Run("text in, binary out", func(t *testing.T) {
		p := startConnect(t, connectEnv(t), srv.URL()+"/?binary=1")
		p.write(t, "hi\n")
		p.stdout.WaitFor(t, "stdout", regexp.MustCompile(`^6869\n$`))
		_ = p.stdin.Close()
		if code := p.wait(t); code != exitOK {
			t.Errorf("exit status %d, want 0; stderr:\n%s", code, p.stderr)
		}
	})
}

func TestConnectPipeWaitsAfterEOF(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	// -w waits for replies after the end of the input; the server closing
	// (after 2 echoes) ends the wait early, so no clock is involved.
	code, stdout, stderr := runConnectCmd(t, connectEnv(t), "a\nb\n", "-w", "60", srv.URL()+"/?close=1000&after=2")
	if code != exitOK || stdout != "a\nb\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestConnectExecute(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	// The server closes after echoing two messages, which ends -w early.
	code, stdout, stderr := runConnectCmd(t, connectEnv(t), "", "-x", "hello", "--execute", "world", "-w", "60", srv.URL()+"/?close=1000&after=2")
	if code != exitOK {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
	}
	if stdout != "hello\nworld\n" {
		t.Errorf("stdout = %q", stdout)
	}
	if stderr != "* closed by the server: code 1000\n" {
		t.Errorf("stderr = %q", stderr)
	}

	t.Run("binary", func(t *testing.T) {
		code, stdout, stderr := runConnectCmd(t, connectEnv(t), "", "-b", "-x", "cafe", "-w", "60", srv.URL()+"/?close=1000&after=1")
		if code != exitOK || stdout != "cafe\n" {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
	t.Run("wait 0 closes at once", func(t *testing.T) {
		code, _, stderr := runConnectCmd(t, connectEnv(t), "", "-x", "hi", "-w", "0", srv.URL()+"/")
		if code != exitOK || stderr != "" {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("timestamps", func(t *testing.T) {
		_, stdout, _ := runConnectCmd(t, connectEnv(t), "", "-t", "-x", "hi", "-w", "60", srv.URL()+"/?close=1000&after=1")
		if !regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3} hi\n$`).MatchString(stdout) {
			t.Errorf("stdout = %q", stdout)
		}
	})
}

func TestConnectEmbeddedServer(t *testing.T) {
	connectLeakCheck(t)
	p := startConnect(t, connectEnv(t))
	p.write(t, "hi\n")
	p.stdout.WaitFor(t, "stdout", regexp.MustCompile(`^hi\n$`))
	_ = p.stdin.Close()
	if code := p.wait(t); code != exitOK {
		t.Fatalf("exit status %d; stderr:\n%s", code, p.stderr)
	}
	if !regexp.MustCompile(`^unisocket connect: no URL given: started the embedded test server; connecting to ws://127\.0\.0\.1:\d+/ `).MatchString(p.stderr.String()) {
		t.Errorf("stderr does not say what it connected to: %q", p.stderr)
	}

	// A path and query alone choose the embedded server's behaviour.
	code, stdout, _ := runConnectCmd(t, connectEnv(t), "", "-x", "x", "-w", "60", "?send=1&close=1000&after=1")
	if code != exitOK || stdout != "message 1\nx\n" {
		t.Errorf("?send=1: exit %d, stdout %q", code, stdout)
	}
}

func TestConnectVerboseAndRequestOptions(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	// inspect=1 sends back what the handshake request held; the server then
	// closes (close=1000 after 0 echoes).
	p := startConnect(t, connectEnv(t), "-v", "-H", "X-Test: one", "-H", "x-test: two", "-H", "Authorization: Bearer T",
		"-s", "chat.v2", "-s", "chat.v1", "--method", "post", srv.URL()+"/ws?inspect=1&close=1000")
	if code := p.wait(t); code != exitOK {
		t.Fatalf("exit status %d; stderr:\n%s", code, p.stderr)
	}
	stdout, stderr := p.stdout.String(), p.stderr.String()
	for _, want := range []string{`"method":"POST"`, `"X-Test":["one, two"]`, `"Authorization":["Bearer T"]`, `"subprotocols":["chat.v2","chat.v1"]`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the server did not see %s; it saw:\n%s", want, stdout)
		}
	}
	for _, want := range []string{
		"* connecting to " + srv.URL() + "/ws?inspect=1&close=1000 (platform standard, proxy: none)\n",
		"*   request header Authorization: Bearer T\n",
		"*   subprotocols requested: chat.v2, chat.v1\n",
		"* connected to " + srv.URL() + "/ws?inspect=1&close=1000 (subprotocol: chat.v2)\n",
		"* handshake response: HTTP/1.1 101 Switching Protocols\n",
		"*   Sec-Websocket-Protocol: chat.v2\n",
		"*   Upgrade: websocket\n",
		"* subprotocol: chat.v2; extensions: none\n",
		"* closed by the server: code 1000\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestConnectPingInterval(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	p := startConnect(t, connectEnv(t), "-v", "--ping-interval", "250ms", srv.URL()+"/")
	p.stderr.WaitFor(t, "stderr", regexp.MustCompile(`\* pong after [0-9.]+[µm]?s\n(.|\n)*\* pong after`))
	_ = p.stdin.Close()
	if code := p.wait(t); code != exitOK {
		t.Fatalf("exit status %d; stderr:\n%s", code, p.stderr)
	}
}

// TestConnectFailures checks the exit status and the one line on stderr
// of each way a connection can fail.
func TestConnectFailures(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	tlsSrv := connectServer(t, server.Options{TLS: true})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "ws://" + ln.Addr().String() + "/"
	_ = ln.Close() // nothing listens there now
	for _, tc := range []struct {
		name string
		args []string
		want string // a regexp for the whole of stderr
	}{
		{"refused", []string{refused},
			`^unisocket connect: WebSocket handshake with ` + regexp.QuoteMeta(refused) + ` failed: connection refused: .*\n$`},
		{"403", []string{srv.URL() + "/?status=403"},
			`^unisocket connect: WebSocket handshake with .* failed: server answered HTTP 403 Forbidden instead of 101\n$`},
		{"untrusted certificate", []string{tlsSrv.URL() + "/"},
			`^unisocket connect: WebSocket handshake with wss://.* failed: TLS handshake failed: .*certificate.*\n$`},
		{"subprotocol not confirmed", []string{"-s", "chat", srv.URL() + "/?protocol=none"},
			`^unisocket connect: .*subprotocol.*\n$`},
		{"timeout", []string{"--timeout", "100ms", srv.URL() + "/?hang=1"},
			`^unisocket connect: WebSocket handshake with .* failed: handshake timed out: .*\n$`},
		{"platform rule", []string{"--platform", "mp-weixin", srv.URL() + "/"},
			`(?m)^unisocket connect: connectSocket:fail invalid url ".*": the mp-weixin platform accepts only wss:// URLs\n$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runConnectCmd(t, connectEnv(t), "", append(tc.args, "-x", "never sent")...)
			if code != exitFailure {
				t.Errorf("exit status %d, want 1", code)
			}
			if !regexp.MustCompile(tc.want).MatchString(stderr) {
				t.Errorf("stderr = %q, want %s", stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout = %q", stdout)
			}
		})
	}
}

func TestConnectTLS(t *testing.T) {
	connectLeakCheck(t)
	tlsSrv := connectServer(t, server.Options{TLS: true})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, tlsSrv.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--cafile", caFile}, {"--ca", caFile}, {"-k"}, {"--insecure"}} {
		code, stdout, stderr := runConnectCmd(t, connectEnv(t), "", append(args, "-x", "secure", "-w", "60", tlsSrv.URL()+"/?close=1000&after=1")...)
		if code != exitOK || stdout != "secure\n" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// TestConnectUsageErrors checks that bad flags and arguments exit with 2
// and one line naming the problem, without connecting.
func TestConnectUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--bogus"}, nil, "unknown flag: --bogus"},
		{[]string{"-H", "no colon"}, nil, `-H "no colon": want "Name: value"`},
		{[]string{"-H", "bad name: x"}, nil, `the header name "bad name" is not an HTTP token`},
		{[]string{"-s", "a b"}, nil, `-s: invalid subprotocol "a b": it must be a non-empty HTTP token`},
		{[]string{"-s", "x", "-s", "x"}, nil, `-s: subprotocol "x" is listed twice`},
		{[]string{"http://example.com/"}, nil, "the scheme is http; a WebSocket URL starts with ws:// or wss://"},
		{[]string{"ws://"}, nil, `URL "ws://" has no host`},
		{[]string{"ws://a", "ws://b"}, nil, "one URL at a time, got 2"},
		{[]string{"ws://example.com:99999/"}, nil, `URL "ws://example.com:99999/": the port must be 1 to 65535, not 99999`},
		{[]string{"ws://exa mple.com/"}, nil, `URL "ws://exa mple.com/" is not a URL: invalid character " " in host name`},
		{[]string{"example.com:http/"}, nil, `is not a URL: invalid port ":http" after host`},
		{[]string{"ws://example.com/#top"}, nil, `URL "ws://example.com/#top": a WebSocket URL has no #fragment`},
		{[]string{"-H", "Host: api.example.com", "ws://127.0.0.1:1/"}, nil, `-H "Host: api.example.com": the Host header is the URL's host; to send this name to another address, put it in the URL and add --resolve HOST:PORT:ADDR`},
		{[]string{"--resolve", "www.example.com"}, nil, `invalid argument "www.example.com" for "--resolve" flag: "www.example.com": no port`},
		{[]string{"--max-message", "lots"}, nil, `invalid argument "lots" for "--max-message" flag: want a size such as 65536, 64KiB or 1MiB`},
		{[]string{"--binary", "--base64"}, nil, "--binary and --base64 exclude each other"},
		{[]string{"--cafile", "x.pem", "-k"}, nil, "--cafile and --insecure exclude each other"},
		{[]string{"--key", "k.pem"}, nil, "--key needs --cert"},
		{[]string{"--cafile", "/nonexistent/ca.pem"}, nil, "--cafile: open /nonexistent/ca.pem"},
		{[]string{"-b", "-x", "zz"}, nil, `-x "zz": not hex`},
		{[]string{"--timeout", "10"}, nil, `invalid argument "10" for "--timeout" flag`},
		{[]string{"-w", "soon"}, nil, `want seconds (2, 0.5) or a duration (500ms)`},
		{[]string{"--platform", "nope"}, nil, `--platform: unknown platform "nope"`},
		{[]string{"--method", "FETCH"}, nil, `--method "FETCH": uni-app knows CONNECT, DELETE, GET`},
		{[]string{"--proxy", "ftp://p:21"}, nil, `--proxy: proxy ftp://p:21: unsupported scheme "ftp"`},
		{nil, []string{"HTTPS_PROXY=gopher://p"}, `environment variable HTTPS_PROXY: proxy gopher://p: unsupported scheme`},
		{[]string{"--config", "/nonexistent/unisocket.config.json"}, nil, "--config: open /nonexistent/unisocket.config.json"},
	} {
		var stdout, stderr bytes.Buffer
		env := tc.env
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			t.Setenv(k, v)
		}
		code := run(append([]string{"connect"}, tc.args...), &stdout, &stderr)
		for _, kv := range env {
			k, _, _ := strings.Cut(kv, "=")
			_ = os.Unsetenv(k)
		}
		if code != exitUsage {
			t.Errorf("%q: exit status %d, want 2", tc.args, code)
		}
		line := stderr.String()
		if strings.Count(line, "\n") != 1 || !strings.HasPrefix(line, "unisocket connect: ") || !strings.Contains(line, tc.want) ||
			!strings.HasSuffix(line, "(run 'unisocket connect --help' for usage)\n") {
			t.Errorf("%q: stderr = %q, want one line with %q", tc.args, line, tc.want)
		}
	}
}

// TestConnectHelp checks that --help shows every flag and the examples.
func TestConnectHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"connect", "--help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit status %d", code)
	}
	help := stdout.String()
	var cfg connectConfig
	connectFlagSet(&cfg).VisitAll(func(f *pflag.Flag) {
		if !regexp.MustCompile(`(?m)^ +(-\w, )?--` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(help) {
			t.Errorf("--help does not list --%s", f.Name)
		}
	})
	for _, want := range []string{"Examples:", "/close [code [reason]]", "Exit status:", "HTTPS_PROXY", "NO_PROXY"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	stdout.Reset()
	run([]string{"help"}, &stdout, &stderr)
	if !strings.Contains(stdout.String(), "connect") {
		t.Error("'unisocket help' does not list connect")
	}
}

// TestConnectResolve checks --resolve: the URL names a host that does not
// exist, the connection goes to the embedded server, and the server sees
// the URL's host.
func TestConnectResolve(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	code, stdout, stderr := runConnectCmd(t, connectEnv(t), "", "--resolve", "ws.invalid:80:"+srv.Addr(),
		"-x", "resolved", "-w", "60", "ws://ws.invalid/?inspect=1&close=1000&after=1")
	if code != exitOK || !strings.Contains(stdout, `"host":"ws.invalid"`) || !strings.HasSuffix(stdout, "resolved\n") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestConnectCompress checks that --compress asks for permessage-deflate
// and -v shows the server's answer.
func TestConnectCompress(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--compress"}, "extensions: permessage-deflate"},
		{nil, "extensions: none"},
	} {
		args := append(tc.args, "-v", "-x", "squeezed", "-w", "60", srv.URL()+"/?compress=1&close=1000&after=1")
		code, stdout, stderr := runConnectCmd(t, connectEnv(t), "", args...)
		if code != exitOK || stdout != "squeezed\n" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s", tc.args, code, stdout, stderr)
		}
	}
}

// TestConnectMaxMessage checks that --max-message limits what the socket
// accepts: a larger message fails it with 1009 and exit status 1.
func TestConnectMaxMessage(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	code, stdout, stderr := runConnectCmd(t, connectEnv(t), "", "--max-message", "1KiB", "-x", strings.Repeat("a", 1024), "-w", "60", srv.URL()+"/?close=1000&after=1")
	if code != exitOK || stdout != strings.Repeat("a", 1024)+"\n" {
		t.Errorf("at the limit: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runConnectCmd(t, connectEnv(t), "", "--max-message", "1KiB", "-x", strings.Repeat("a", 1025), "-w", "60", srv.URL()+"/")
	if code != exitFailure || stdout != "" || !strings.Contains(stderr, "1009") {
		t.Errorf("over the limit: exit %d, stdout %q, stderr %q; want 1 and the 1009", code, stdout, stderr)
	}
}

// TestConnectPipeLineLimit checks that pipe mode sends a line at the
// message limit whole and refuses a longer one with a message, then goes
// on with the next line; the exit status says a line was not sent.
func TestConnectPipeLineLimit(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	atLimit, over := strings.Repeat("a", 64<<10), strings.Repeat("b", 64<<10+1)
	code, stdout, stderr := runConnectCmd(t, connectEnv(t), atLimit+"\r\n"+over+"\nlast\n", "--max-message", "64KiB", "-w", "60", srv.URL()+"/?close=1000&after=2")
	if code != exitFailure || stdout != atLimit+"\nlast\n" ||
		!strings.Contains(stderr, "a line of 65537 bytes is more than the 65536-byte message limit (--max-message); not sent") {
		t.Errorf("exit %d, stdout %d bytes (%.20q…), stderr %q", code, len(stdout), stdout, stderr)
	}
}
