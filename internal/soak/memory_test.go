package soak_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unisocket/unisocket/uni"
)

// An endKind is one way a connection ends. run makes one connection that
// ends that way through the uni Go API and returns an error unless it
// ended as expected, so that a kind which stopped happening (a server
// behaviour that changed, say) fails the test instead of measuring
// something else.
type endKind struct {
	name string
	// config adjusts the App's configuration for the kind.
	config func(*uni.Config)
	run    func(ctx context.Context, app *uni.App, base string) error
}

// Bounds that make the ends under test happen quickly; they are settings
// of the client, not assertions.
const (
	tinyReadLimit     = 1024
	tinyTimeout       = 10 * time.Millisecond
	tinyCloseTimeout  = 20 * time.Millisecond
	retainedPerConn   = 100 // bytes: the most a finished connection may leave on the heap
	connectionsPerEnd = 3000
	warmupConnections = 100
	memoryWorkers     = 32
)

// endKinds lists every way a connection can end.
var endKinds = []endKind{
	{
		name: "clean",
		run: func(ctx context.Context, app *uni.App, base string) error {
			task, err := echoTwice(ctx, app, base+"/")
			if err != nil {
				return err
			}
			return task.Shutdown(ctx, 1000, "done")
		},
	},
	{
		name: "server-close",
		run: func(ctx context.Context, app *uni.App, base string) error {
			task, err := echoTwice(ctx, app, base+"/?close=4001&reason=bye&after=2")
			if err != nil {
				return err
			}
			return wantEnd(ctx, task, 4001, "")
		},
	},
	{
		name: "drop",
		run: func(ctx context.Context, app *uni.App, base string) error {
			task, err := echoTwice(ctx, app, base+"/?drop=1&after=2")
			if err != nil {
				return err
			}
			return wantEnd(ctx, task, 1006, "")
		},
	},
	{
		name: "reset",
		run: func(ctx context.Context, app *uni.App, base string) error {
			task, err := app.Dial(ctx, uni.ConnectSocketOptions{URL: base + "/?reset=1&after=2"})
			if err != nil {
				return err
			}
			// A reset may discard echoes already on their way, so only the
			// end is certain.
			for _, m := range []string{"one", "two"} {
				_ = task.Write(ctx, m)
			}
			return wantEnd(ctx, task, 1006, "")
		},
	},
	{
		name:   "over-limit",
		config: func(c *uni.Config) { c.ReadLimit = tinyReadLimit },
		run: func(ctx context.Context, app *uni.App, base string) error {
			task, err := app.Dial(ctx, uni.ConnectSocketOptions{URL: fmt.Sprintf("%s/?send=1&size=%d", base, 4*tinyReadLimit)})
			if err != nil {
				return err
			}
			// The client fails the connection with 1009 and, as a browser
			// does, reports its own close as 1006.
			return wantEnd(ctx, task, 1006, "over the read limit")
		},
	},
	{
		name: "connect-timeout",
		run: func(ctx context.Context, app *uni.App, base string) error {
			return wantDialFailure(ctx, app, uni.ConnectSocketOptions{URL: base + "/?hang=1", Timeout: tinyTimeout})
		},
	},
	{
		name:   "close-timeout",
		config: func(c *uni.Config) { c.CloseTimeout = tinyCloseTimeout },
		run: func(ctx context.Context, app *uni.App, base string) error {
			task, err := app.Dial(ctx, uni.ConnectSocketOptions{URL: base + "/?stall=1"})
			if err != nil {
				return err
			}
			var ce *uni.CloseError
			if err := task.Shutdown(ctx, 1000, ""); !errors.As(err, &ce) || ce.Code != 1006 {
				return fmt.Errorf("closing a stalled connection: %v, want a close with 1006 after the close timeout", err)
			}
			return nil
		},
	},
	{
		name: "abort",
		run: func(ctx context.Context, app *uni.App, base string) error {
			task, err := echoTwice(ctx, app, base+"/")
			if err != nil {
				return err
			}
			task.Abort()
			return wantEnd(ctx, task, 1006, "")
		},
	},
	{
		name: "handshake-failure",
		run: func(ctx context.Context, app *uni.App, base string) error {
			return wantDialFailure(ctx, app, uni.ConnectSocketOptions{URL: base + "/?status=503"})
		},
	},
}

// echoTwice dials u and exchanges two messages, as the issue's
// reproduction does before the server ends the connection.
func echoTwice(ctx context.Context, app *uni.App, u string) (*uni.SocketTask, error) {
	task, err := app.Dial(ctx, uni.ConnectSocketOptions{URL: u})
	if err != nil {
		return nil, err
	}
	for _, m := range []string{"one", "two"} {
		if err := task.Write(ctx, m); err != nil {
			return nil, err
		}
		got, err := task.Receive(ctx)
		if err != nil {
			return nil, err
		}
		if got.Data != m {
			return nil, fmt.Errorf("echo %v, want %q", got.Data, m)
		}
	}
	return task, nil
}

// wantEnd receives until the socket closes and checks the close code and
// that the close error mentions cause.
func wantEnd(ctx context.Context, task *uni.SocketTask, code int, cause string) error {
	for range 16 {
		_, err := task.Receive(ctx)
		if err == nil {
			continue
		}
		var ce *uni.CloseError
		if !errors.As(err, &ce) {
			return fmt.Errorf("waiting for the close: %w", err)
		}
		if ce.Code != code || !strings.Contains(ce.Error(), cause) {
			return fmt.Errorf("closed with %d (%v), want %d %s", ce.Code, ce, code, cause)
		}
		select {
		case <-task.Done():
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fmt.Errorf("still receiving after 16 messages, want a close with %d", code)
}

// wantDialFailure dials and expects the handshake to fail.
func wantDialFailure(ctx context.Context, app *uni.App, opts uni.ConnectSocketOptions) error {
	task, err := app.Dial(ctx, opts)
	if err == nil {
		_ = task.Shutdown(ctx, 1000, "")
		return fmt.Errorf("%s: the handshake succeeded", opts.URL)
	}
	var ue *uni.Error
	if !errors.As(err, &ue) {
		return fmt.Errorf("%s: %w, want the error event's errMsg", opts.URL, err)
	}
	return nil
}

// newKindApp returns an App configured for kind. Its TCP connections
// are reset when the client closes them: 27,000 connections in seconds
// would otherwise leave as many TIME_WAIT sockets holding the machine's
// ephemeral ports (CI runs this test twice, next to other tests). What a
// connection leaves on the heap does not depend on it.
func newKindApp(kind endKind) *uni.App {
	cfg := uni.Config{ErrorLog: quietLog(), DialContext: dialNoTimeWait}
	if kind.config != nil {
		kind.config(&cfg)
	}
	return uni.NewApp(cfg)
}

// connectMany makes n connections of kind with memoryWorkers at a time and
// returns the first error.
func connectMany(kind endKind, app *uni.App, base string, n int) error {
	ctx, cancel := withSafetyNet()
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan struct{}, n)
	)
	for range n {
		next <- struct{}{}
	}
	close(next)
	for range min(memoryWorkers, n) {
		wg.Go(func() {
			for range next {
				if err := kind.run(ctx, app, base); err != nil {
					mu.Lock()
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// retained makes n connections of kind, after a warm-up that fills the
// pools and caches a first connection fills, and returns the heap growth
// they left behind once every callback ran and the server let go of them.
// The App stays alive until the heap is measured: memory it keeps for
// finished connections counts.
func retained(tb testing.TB, kind endKind, n int) (growth int64) {
	tb.Helper()
	srv := startServer(tb)
	app := newKindApp(kind)
	if err := connectMany(kind, app, srv.URL(), warmupConnections); err != nil {
		tb.Fatalf("%s (warm-up): %v", kind.name, err)
	}
	waitQuiet(tb, srv, app)
	goroutines := runtime.NumGoroutine()
	before := heapAfterGC()
	b, isBench := tb.(*testing.B)
	if isBench {
		b.ResetTimer() // time and allocations per measured connection only
	}
	if err := connectMany(kind, app, srv.URL(), n); err != nil {
		tb.Fatalf("%s: %v", kind.name, err)
	}
	if isBench {
		b.StopTimer()
	}
	waitQuiet(tb, srv, app)
	// Goroutines that end a connection after its last event (net/http's
	// dial of a handshake that timed out, a writer returning) hold its
	// memory until they return; on a busy machine they may still run.
	deadline := time.After(safetyNet)
	for runtime.NumGoroutine() > goroutines {
		select {
		case <-deadline:
			tb.Fatalf("%s: %d goroutines after the connections ended, %d before", kind.name, runtime.NumGoroutine(), goroutines)
		case <-time.After(time.Millisecond):
		}
	}
	after := heapAfterGC()
	if len(app.Sockets()) != 0 {
		tb.Fatalf("%s: %d sockets still registered after every connection ended", kind.name, len(app.Sockets()))
	}
	return int64(after) - int64(before)
}

// TestNoRetainedMemory checks that no kind of connection end leaves memory
// behind: after 3,000 connections of each kind, the live heap is within
// 100 bytes per connection of where it was before them. It counts bytes
// of live objects, not time.
func TestNoRetainedMemory(t *testing.T) {
	n := connectionsPerEnd
	if testing.Short() {
		n = 1000
	}
	for _, kind := range endKinds {
		t.Run(kind.name, func(t *testing.T) {
			growth := retained(t, kind, n)
			per := float64(growth) / float64(n)
			t.Logf("%s: heap %+d B after %d connections (%+.1f B per connection)", kind.name, growth, n, per)
			if per > retainedPerConn {
				t.Errorf("%s: %.0f B retained per connection (%d B over %d connections), want at most %d", kind.name, per, growth, n, retainedPerConn)
			}
		})
	}
}

// BenchmarkRetainedMemory reports, per kind of connection end, the heap
// bytes left behind per connection (retained-B/conn) and the time per
// connection. Use -benchtime 3000x for the figures TestNoRetainedMemory
// checks; with fewer connections the heap's noise dominates.
func BenchmarkRetainedMemory(b *testing.B) {
	for _, kind := range endKinds {
		b.Run(kind.name, func(b *testing.B) {
			b.ReportAllocs()
			growth := retained(b, kind, b.N)
			b.ReportMetric(float64(growth)/float64(b.N), "retained-B/conn")
		})
	}
}
