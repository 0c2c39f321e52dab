package js

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every script a test runs, so a bug shows as a
// failure instead of a hung test. No assertion depends on it.
const testTimeout = 30 * time.Second

// env is an embedded test server and how scripts reach it.
type env struct {
	t   *testing.T
	srv *server.Server
}

// waitChan waits for ch, failing the test after testTimeout (a safety net,
// never an assertion about speed).
func waitChan(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(testTimeout):
		t.Fatalf("gave up waiting for %s", what)
	}
}

// newEnv starts a plain ws:// test server; URLs in scripts are written
// @URL@ and replaced by its base URL.
func newEnv(t *testing.T) *env {
	t.Helper()
	srv, err := server.Start(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &env{t: t, srv: srv}
}

// newTLSEnv starts a wss:// test server whose certificate names
// www.example.com, reached through config's dialer for
// www.example.com:443, as `unisocket run --resolve` does.
func newTLSEnv(t *testing.T) *env {
	t.Helper()
	srv, err := server.Start(server.Options{TLS: true, Hosts: []string{"www.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &env{t: t, srv: srv}
}

// config returns a Config reaching the server with profile (standard
// when empty).
func (e *env) config(profile string) uni.Config {
	var c uni.Config
	if profile != "" {
		p, err := platform.Lookup(profile)
		if err != nil {
			e.t.Fatal(err)
		}
		c.Profile = p
	}
	c.TLSConfig = e.srv.ClientTLSConfig()
	addr := e.srv.Addr()
	var d net.Dialer
	c.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		if a == "www.example.com:443" {
			a = addr
		}
		return d.DialContext(ctx, network, a)
	}
	return c
}

// result is what a script printed and how Run ended.
type result struct {
	stdout, stderr string
	err            error
}

// runOpts tune run.
type runOpts struct {
	profile string
	name    string                 // the main module's file name; main.js in a temp dir by default
	before  func(rt *Runtime)      // runs before the script, e.g. to add Go listeners
	ctx     func() context.Context // the context to run under; testTimeout by default
	onDial  func()                 // called when a socket dials, on the dialing goroutine
}

// run runs src with @URL@ replaced by the server's URL.
func (e *env) run(src string, o runOpts) result {
	e.t.Helper()
	src = strings.ReplaceAll(src, "@URL@", e.srv.URL())
	name := o.name
	if name == "" {
		name = filepath.Join(e.t.TempDir(), "main.js")
	}
	var stdout, stderr bytes.Buffer
	cfg := e.config(o.profile)
	if o.onDial != nil {
		dial := cfg.DialContext
		cfg.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
			o.onDial()
			return dial(ctx, network, a)
		}
	}
	rt := New(Options{Config: cfg, Stdout: &stdout, Stderr: &stderr})
	if o.before != nil {
		o.before(rt)
	}
	ctx := context.Background()
	if o.ctx != nil {
		ctx = o.ctx()
	}
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	err := rt.Run(ctx, name, src)
	// Reports name files by absolute path outside the working directory;
	// tests read them relative to the script's directory.
	dir := filepath.Dir(name) + string(filepath.Separator)
	return result{stdout: stdout.String(), stderr: strings.ReplaceAll(stderr.String(), dir, ""), err: err}
}

// runFile runs a file as `unisocket run` does.
func (e *env) runFile(path string, o runOpts) result {
	e.t.Helper()
	var stdout, stderr bytes.Buffer
	rt := New(Options{Config: e.config(o.profile), Stdout: &stdout, Stderr: &stderr})
	if o.before != nil {
		o.before(rt)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	err := rt.RunFile(ctx, path)
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// ok fails the test unless the script ended cleanly with stdout want.
func (res result) ok(t *testing.T, want string) {
	t.Helper()
	if res.err != nil {
		t.Fatalf("Run: %v\nstdout:\n%s\nstderr:\n%s", res.err, res.stdout, res.stderr)
	}
	if res.stdout != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", res.stdout, want, res.stderr)
	}
	if res.stderr != "" {
		t.Fatalf("unexpected stderr:\n%s", res.stderr)
	}
}

// lines joins lines with a newline after each, as console.log writes them.
func lines(ls ...string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}

// writeFiles writes files (name → content) into a new temporary directory
// and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
