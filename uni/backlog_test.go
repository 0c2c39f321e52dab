package uni_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unisocket/unisocket/uni"
)

const (
	floodBound = 64 << 10
	floodSize  = 4 << 10
	floodN     = 2000 // 8 MiB: far beyond the bound and loopback's buffers
	// The most a backlog may hold: the bound plus the message that
	// reached it (a message is counted with 64 bytes of overhead).
	floodMost = floodBound + floodSize + 64
)

// floodedTask connects to a peer that sends floodN messages at once, with
// a listener that blocks on the first message until release is closed.
func floodedTask(t *testing.T, app *uni.App, p *peer, release chan struct{}, got *atomic.Int32, over *atomic.Int64) *uni.SocketTask {
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("send=2000&size=4096&noecho=1")})
		task.OnMessage(func(uni.OnMessageResult) {
			if got.Add(1) == 1 {
				<-release
			}
			if b := uni.ReceiveBacklogOf(task); b > floodMost {
				over.Store(b)
			}
		})
	})
	// Wait until the listener holds the first message (so the open event
	// has been delivered: the task is OPEN for its callbacks) and the
	// reader has filled the backlog and stopped.
	deadline := time.After(safetyNet)
	for got.Load() == 0 || uni.ReceiveBacklogOf(task) < floodBound {
		select {
		case <-deadline:
			t.Fatalf("backlog %d, never reached the bound %d", uni.ReceiveBacklogOf(task), floodBound)
		default:
			runtime.Gosched()
		}
	}
	return task
}

// A server that sends faster than the listener consumes: the socket stops
// reading at the bound, and every message still arrives, in order, once
// the listener goes on.
func TestReceiveBacklogIsBounded(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{ReceiveBacklog: floodBound})
	release := make(chan struct{})
	var got atomic.Int32
	var over atomic.Int64
	task := floodedTask(t, app, p, release, &got, &over)
	for i := 0; i < 1000; i++ {
		runtime.Gosched() // give a reader that would not stop the chance to go on
	}
	if b := uni.ReceiveBacklogOf(task); b > floodMost {
		t.Fatalf("backlog %d with a blocked listener, want at most %d", b, floodMost)
	}
	close(release)
	deadline := time.After(safetyNet)
	for got.Load() < floodN {
		select {
		case <-app.Idle():
		case <-deadline:
			t.Fatalf("%d of %d messages delivered", got.Load(), floodN)
		}
	}
	if b := over.Load(); b != 0 {
		t.Fatalf("backlog reached %d bytes, want at most %d", b, floodMost)
	}
	task.Close(uni.CloseSocketOptions{})
	waitIdle(t, app, task)
}

// Abort does not wait behind a backlog: the messages pending then are not
// delivered (as a browser drops them), and the error and close events
// come next.
func TestAbortSkipsTheBacklog(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{ReceiveBacklog: floodBound})
	release := make(chan struct{})
	var got atomic.Int32
	var over atomic.Int64
	task := floodedTask(t, app, p, release, &got, &over)
	closed := make(chan string, 2)
	task.OnError(func(r uni.OnErrorResult) { closed <- "error " + r.ErrMsg })
	task.OnClose(func(r uni.OnCloseResult) { closed <- "close" })
	task.Abort()
	close(release)
	for _, want := range []string{"error WebSocket connection aborted by the client", "close"} {
		select {
		case ev := <-closed:
			if ev != want {
				t.Fatalf("event %q, want %q", ev, want)
			}
		case <-time.After(safetyNet):
			t.Fatalf("no %q event", want)
		}
	}
	if n := got.Load(); n != 1 {
		t.Fatalf("%d messages delivered, want only the one being delivered at Abort", n)
	}
	waitIdle(t, app, task)
}

// One flooded socket does not hold another's events back by more than its
// bound: with a listener stuck on the flooded socket, a second socket's
// open event is queued behind at most the flooded socket's backlog, not
// behind everything its server sends.
func TestFloodedSocketDelaysOthersAtMostItsBound(t *testing.T) {
	p := newPeer(t)
	exec := newCountingExecutor()
	app := newApp(t, uni.Config{ReceiveBacklog: floodBound, Executor: exec})
	release := make(chan struct{})
	var got atomic.Int32
	var over atomic.Int64
	flooded := floodedTask(t, app, p, release, &got, &over)
	queued := exec.count.Load()

	// The flooded socket's reader has stopped at the bound. The other
	// socket connects from outside the App's turns (its listener is added
	// before any event can be delivered: the App's thread is stuck), and
	// its open event is queued when its handshake completes.
	seenBefore := make(chan int32, 1)
	other := app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("")})
	other.OnOpen(func(uni.OnOpenResult) { seenBefore <- got.Load() })
	// With the flooded socket's reader stopped, the next func the App
	// queues is the other socket's open event.
	deadline := time.After(safetyNet)
	for exec.count.Load() == queued {
		select {
		case <-deadline:
			t.Fatal("the other socket's open event was never queued")
		default:
			runtime.Gosched()
		}
	}
	close(release)
	var n int32
	select {
	case n = <-seenBefore:
	case <-time.After(safetyNet):
		t.Fatal("the other socket never opened")
	}
	// The backlog holds at most floodMost/(floodSize+64) messages, plus
	// the one being delivered.
	mostQueued := int32(floodMost/(floodSize+64)) + 1
	if n > mostQueued {
		t.Fatalf("%d messages of the flooded socket were delivered before the other socket's open event; its bound allows %d", n, mostQueued)
	}
	if over.Load() != 0 {
		t.Fatalf("backlog reached %d bytes, want at most %d", over.Load(), floodMost)
	}
	flooded.Close(uni.CloseSocketOptions{})
	other.Close(uni.CloseSocketOptions{})
	waitIdle(t, app, flooded, other)
}

// countingExecutor is a uni.Executor that counts the funcs it is given, so
// a test can see when an event has been queued. It runs them in order on
// a goroutine of its own, started on demand as the default one is.
type countingExecutor struct {
	count   atomic.Int64
	mu      sync.Mutex
	queue   []func()
	running bool
}

func newCountingExecutor() *countingExecutor { return &countingExecutor{} }

func (e *countingExecutor) Execute(fn func()) {
	e.count.Add(1)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.queue = append(e.queue, fn)
	if !e.running {
		e.running = true
		go e.drain()
	}
}

func (e *countingExecutor) drain() {
	for {
		e.mu.Lock()
		if len(e.queue) == 0 {
			e.running = false
			e.mu.Unlock()
			return
		}
		fn := e.queue[0]
		e.queue = e.queue[1:]
		e.mu.Unlock()
		fn()
	}
}
