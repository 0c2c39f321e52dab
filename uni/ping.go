package uni

import (
	"context"
	"sync"
	"sync/atomic"
)

// Pings are a Go-only extension: uni-app has no ping API (hosts keep
// connections alive themselves, and a browser never shows a ping to the
// page). They are here for Go programs and the CLI.

// pingBacklog bounds the ping events waiting on the Executor for one
// task. Each holds at most 125 bytes, but a server may send pings without
// end; beyond the bound the pings are still answered, only not reported.
const pingBacklog = 64

// whereTaskPing names a ping listener in the report of its panic.
const whereTaskPing = "SocketTask.OnPing callback function"

// pingListeners is a task's ping state: its OnPing listeners and how many
// ping events wait on the Executor.
type pingListeners struct {
	mu      sync.Mutex
	fns     []func(payload []byte)
	pending atomic.Int32
}

// OnPing adds a listener for the server's pings; payload is the ping's
// payload, the listener's to keep. The pong is sent by the connection
// before the listener runs, whether or not there is one.
//
// Ping events run on the App's Executor like every other event, in order
// with them, and listeners are looked up when the event is delivered, so a
// listener added in the turn that created the task hears the first ping.
// While 64 ping events of the task wait for the Executor, further pings
// are answered but not reported, so that a server sending pings without
// end cannot grow memory.
func (t *SocketTask) OnPing(fn func(payload []byte)) {
	t.pings.mu.Lock()
	t.pings.fns = append(t.pings.fns, fn)
	t.pings.mu.Unlock()
}

// pingReceived is the connection's wire.DialOptions.OnPing: it runs on the
// read loop and must not block, so the event is queued.
func (t *SocketTask) pingReceived(p []byte) {
	ps := &t.pings
	if ps.pending.Add(1) > pingBacklog {
		ps.pending.Add(-1)
		return
	}
	payload := append([]byte{}, p...) // p is the reader's buffer
	t.app.exec.Execute(func() {
		ps.pending.Add(-1)
		ps.mu.Lock()
		fns := ps.fns
		ps.mu.Unlock()
		for _, fn := range fns {
			t.app.protect(whereTaskPing, func() { fn(payload) })
		}
	})
}

// PingPayload sends a ping carrying payload (at most 125 bytes) and waits
// for the server's pong carrying the same bytes, or ctx's end. The socket
// must be open. Ping is the same with a payload of its own choosing.
func (t *SocketTask) PingPayload(ctx context.Context, payload []byte) error {
	conn, err := t.openConn()
	if err != nil {
		return err
	}
	return conn.PingPayload(ctx, payload)
}

// Pong sends an unsolicited pong carrying payload (at most 125 bytes), a
// one-way heartbeat the server does not answer. The server's pings are
// answered without it. The socket must be open.
func (t *SocketTask) Pong(payload []byte) error {
	conn, err := t.openConn()
	if err != nil {
		return err
	}
	return conn.Pong(payload)
}
