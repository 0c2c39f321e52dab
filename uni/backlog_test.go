package uni_test

import (
	"runtime"
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
	// Wait until the reader has filled the backlog and stopped.
	deadline := time.After(safetyNet)
	for uni.ReceiveBacklogOf(task) < floodBound {
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
