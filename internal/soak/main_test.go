package soak_test

import (
	"context"
	"io"
	"log"
	"net"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// safetyNet bounds every wait so that a bug fails a test instead of
// hanging it. It is never an assertion about speed.
const safetyNet = 60 * time.Second

// startServer starts a silent embedded server on 127.0.0.1, closed at the
// end of the test.
func startServer(tb testing.TB) *server.Server {
	tb.Helper()
	srv, err := server.Start(server.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv
}

// quietLog swallows an App's warnings: the soak's listeners do not panic,
// and a test that wants to know reads the events themselves.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

// waitQuiet waits until app has run every queued callback and the server
// holds no connection, so that nothing of a finished connection is still
// in use on either side.
func waitQuiet(tb testing.TB, srv *server.Server, apps ...*uni.App) {
	tb.Helper()
	deadline := time.NewTimer(safetyNet)
	defer deadline.Stop()
	for _, app := range apps {
		select {
		case <-app.Idle():
		case <-deadline.C:
			tb.Fatalf("%v still runs callbacks after the safety net", app)
		}
	}
	for srv.Active() > 0 {
		select {
		case <-deadline.C:
			tb.Fatalf("the server still holds %d connections after the safety net", srv.Active())
		case <-time.After(time.Millisecond):
		}
	}
}

// heapAfterGC returns the bytes of live heap objects. Two collections:
// the first one's sync.Pool victims are freed by the second.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// withSafetyNet returns a context ending after the safety net.
func withSafetyNet() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), safetyNet)
}

// dialNoTimeWait dials TCP with SO_LINGER 0, so that closing the
// connection resets it instead of leaving a TIME_WAIT socket behind.
func dialNoTimeWait(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if tcp, ok := c.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	return c, nil
}
