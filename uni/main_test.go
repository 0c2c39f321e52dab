package uni_test

import (
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/uni"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// safetyNet bounds every wait so a broken build fails instead of hanging.
// It is never an assertion about speed.
const safetyNet = 20 * time.Second

// recorder collects callback events as lines, in the order they ran.
type recorder struct {
	mu      sync.Mutex
	lines   []string
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// waitFor waits until some recorded line has the prefix, and returns the
// lines so far.
func (r *recorder) waitFor(t *testing.T, prefix string) []string {
	t.Helper()
	deadline := time.After(safetyNet)
	for {
		lines := r.snapshot()
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return lines
			}
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("no event %q within the safety net; got:\n%s", prefix, strings.Join(lines, "\n"))
		}
	}
}

// line waits until a line starts with prefix and returns that line.
func (r *recorder) line(t *testing.T, prefix string) string {
	t.Helper()
	for _, l := range r.waitFor(t, prefix) {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	panic("unreachable: waitFor returned without the line")
}

// with returns the lines that start with prefix.
func (r *recorder) with(prefix string) []string {
	var out []string
	for _, l := range r.snapshot() {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// waitCount waits until n lines have the prefix.
func (r *recorder) waitCount(t *testing.T, prefix string, n int) []string {
	t.Helper()
	deadline := time.After(safetyNet)
	for {
		lines := r.snapshot()
		c := 0
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				c++
			}
		}
		if c >= n {
			return lines
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("%d of %d events %q within the safety net", c, n, prefix)
		}
	}
}

// results returns callbacks that record "<name> <errMsg>".
func (r *recorder) results(name string) (success, fail, complete func(uni.GeneralCallbackResult)) {
	return func(res uni.GeneralCallbackResult) { r.add("%s.success %s", name, res.ErrMsg) },
		func(res uni.GeneralCallbackResult) { r.add("%s.fail %s", name, res.ErrMsg) },
		func(res uni.GeneralCallbackResult) { r.add("%s.complete %s", name, res.ErrMsg) }
}

// watch registers task listeners that record events under the prefix.
func (r *recorder) watch(prefix string, task *uni.SocketTask) {
	task.OnOpen(func(res uni.OnOpenResult) { r.add("%s.open", prefix) })
	task.OnMessage(func(res uni.OnMessageResult) { r.add("%s.message %s", prefix, describeData(res.Data)) })
	task.OnError(func(res uni.OnErrorResult) { r.add("%s.error %s", prefix, res.ErrMsg) })
	task.OnClose(func(res uni.OnCloseResult) { r.add("%s.close %d %q", prefix, res.Code, res.Reason) })
}

// watchGlobal registers global listeners that record events.
func (r *recorder) watchGlobal(app *uni.App) {
	app.OnSocketOpen(func(res uni.OnOpenResult) { r.add("global.open") })
	app.OnSocketMessage(func(res uni.OnMessageResult) { r.add("global.message %s", describeData(res.Data)) })
	app.OnSocketError(func(res uni.OnErrorResult) { r.add("global.error %s", res.ErrMsg) })
	app.OnSocketClose(func(res uni.OnCloseResult) { r.add("global.close %d %q", res.Code, res.Reason) })
}

func describeData(d any) string {
	switch v := d.(type) {
	case string:
		return "text:" + v
	case []byte:
		return fmt.Sprintf("binary:%x", v)
	}
	return fmt.Sprintf("unexpected %T", d)
}

// newApp returns an App whose log goes to the test log.
func newApp(t *testing.T, cfg uni.Config) *uni.App {
	t.Helper()
	if cfg.ErrorLog == nil {
		cfg.ErrorLog = log.New(testWriter{t}, "", 0)
	}
	return uni.NewApp(cfg)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

var _ io.Writer = testWriter{}

// waitIdle waits until every socket of app is closed and every callback
// ran, so goleak sees no goroutine of ours.
func waitIdle(t *testing.T, app *uni.App, tasks ...*uni.SocketTask) {
	t.Helper()
	for _, task := range tasks {
		select {
		case <-task.Done():
		case <-time.After(safetyNet):
			t.Fatalf("%v did not close within the safety net", task)
		}
	}
	select {
	case <-app.Idle():
	case <-time.After(safetyNet):
		t.Fatal("callbacks still queued after the safety net")
	}
}

// equalLines fails the test unless got equals want.
func equalLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("events:\n  got:\n    %s\n  want:\n    %s", strings.Join(got, "\n    "), strings.Join(want, "\n    "))
	}
}

// freeAddr returns a loopback address where nothing listens.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func certPool(srv *httptest.Server) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return pool
}
