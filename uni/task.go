package uni

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/unisocket/unisocket/internal/wire"
	"github.com/unisocket/unisocket/platform"
)

// ReadyState is a socket's state, numbered as the WebSocket standard and
// uni-app number it.
type ReadyState int32

// The ready states.
const (
	StateConnecting ReadyState = 0
	StateOpen       ReadyState = 1
	StateClosing    ReadyState = 2
	StateClosed     ReadyState = 3
)

var stateNames = [...]string{"CONNECTING", "OPEN", "CLOSING", "CLOSED"}

// String returns the state's name in upper case, as uni-app spells it.
func (s ReadyState) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("ReadyState(%d)", int32(s))
}

// SocketTask is one WebSocket connection, as returned by connectSocket.
// Its methods are safe for concurrent use.
type SocketTask struct {
	app *App
	id  uint64
	url string

	mu        sync.Mutex
	state     ReadyState // as the callbacks see it; see ReadyState
	conn      *wire.Conn
	cancel    context.CancelFunc // aborts the handshake
	aborted   bool               // abandoned by Close before open, or by Abort
	early     bool               // abandoned while the callbacks saw CONNECTING
	handshake *handshakeInfo     // what the server answered, once open
	own       listeners
	closed    *OnCloseResult // how the connection ended, once it has
	failure   error          // why it failed, if it did

	nMessageListeners atomic.Int32
	pings             pingListeners // ping.go
	opened            chan struct{} // closed when the handshake completed or failed
	done              chan struct{} // closed when the connection is over and its goroutines are ending

	writes   writeQueue
	order    resultOrder           // send results ahead of later events (order.go)
	inbox    atomic.Pointer[inbox] // non-nil once messages are kept for Receive
	rx       *backlog              // received messages not consumed yet
	stopRead chan struct{}         // closed by Close and Abort: stop delivering messages
	stopped  bool                  // stopRead is closed; under mu
}

func newTask(a *App, url string) *SocketTask {
	a.mu.Lock()
	a.nextID++
	id := a.nextID
	a.mu.Unlock()
	return &SocketTask{
		app:      a,
		id:       id,
		url:      url,
		opened:   make(chan struct{}),
		done:     make(chan struct{}),
		rx:       newBacklog(),
		stopRead: make(chan struct{}),
	}
}

// ID returns the task's number, unique within its App.
func (t *SocketTask) ID() uint64 { return t.id }

// URL returns the URL the task connects to.
func (t *SocketTask) URL() string { return t.url }

// ReadyState returns the task's state as its callbacks see it, which is
// how a browser moves readyState: CONNECTING until the open event is
// delivered, CLOSING as soon as Close is called, CLOSED once the error or
// close event is delivered. The network may be ahead: a connection that
// opened, or ended, while its event waits on the Executor still reads
// CONNECTING, or OPEN. Send, Close and the global API decide by this
// state, so code that sends before its open event fails the same way
// however fast the server is.
func (t *SocketTask) ReadyState() ReadyState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state
}

// Subprotocol returns the subprotocol the server chose, once open.
func (t *SocketTask) Subprotocol() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.handshake == nil {
		return ""
	}
	return t.handshake.subprotocol
}

// ResponseHeader returns the handshake response's headers, once open.
func (t *SocketTask) ResponseHeader() http.Header {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.handshake == nil {
		return nil
	}
	return unpackHeader(t.handshake.header)
}

// handshakeInfo is what a task keeps of the server's answer to its
// handshake. The headers are packed into one string: an open connection
// holds a few hundred bytes less than with the http.Header map, which
// ResponseHeader rebuilds on demand.
type handshakeInfo struct {
	subprotocol string
	header      string
}

// packHeader writes h as "Name: value\n" lines, names in sorted order and
// as given (net/http has canonicalised them), one line per value. A
// header value never contains a line break: net/http refuses one.
func packHeader(h http.Header) string {
	names := make([]string, 0, len(h))
	n := 0
	for k, vs := range h {
		names = append(names, k)
		for _, v := range vs {
			n += len(k) + len(v) + 3
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.Grow(n)
	for _, k := range names {
		for _, v := range h[k] {
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// unpackHeader rebuilds the header that packHeader packed.
func unpackHeader(s string) http.Header {
	h := http.Header{}
	for line := range strings.SplitSeq(s, "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			h[k] = append(h[k], v)
		}
	}
	return h
}

// BufferedAmount returns the bytes of messages given to Send or Write
// that wait in the socket's queue, not yet written to the connection. It
// is the browser's WebSocket.bufferedAmount; uni-app's SocketTask has no
// such field, so it is an extension. Config.MaxBufferedAmount bounds it.
func (t *SocketTask) BufferedAmount() int64 {
	t.writes.mu.Lock()
	defer t.writes.mu.Unlock()
	return t.writes.buffered
}

// Done returns a channel closed when the connection is over (or never
// started): the close event is queued, and ReadyState reaches CLOSED when
// it is delivered.
func (t *SocketTask) Done() <-chan struct{} { return t.done }

// OnOpen adds a listener for the open event. Listeners run in the order
// they were added, before the global onSocketOpen listeners. A listener
// added after the event is not called for it.
func (t *SocketTask) OnOpen(fn func(OnOpenResult)) {
	t.mu.Lock()
	t.own.open = append(t.own.open, fn)
	t.mu.Unlock()
}

// OnClose adds a listener for the close event.
func (t *SocketTask) OnClose(fn func(OnCloseResult)) {
	t.mu.Lock()
	t.own.close = append(t.own.close, fn)
	t.mu.Unlock()
}

// OnError adds a listener for the error event.
func (t *SocketTask) OnError(fn func(OnErrorResult)) {
	t.mu.Lock()
	t.own.err = append(t.own.err, fn)
	t.mu.Unlock()
}

// OnMessage adds a listener for messages from the server.
func (t *SocketTask) OnMessage(fn func(OnMessageResult)) {
	t.mu.Lock()
	t.own.message = append(t.own.message, fn)
	t.mu.Unlock()
	t.nMessageListeners.Add(1)
}

// connect runs the handshake and then the read loop, on its own goroutine.
func (t *SocketTask) connect(ctx context.Context, p wire.DialOptions) {
	a := t.app
	conn, hs, err := wire.Dial(ctx, p)
	t.mu.Lock()
	t.cancel()
	t.cancel = nil // only called while CONNECTING; dropping it frees the context
	if err == nil && t.aborted {
		conn.Abort()
		err = &wire.HandshakeError{Kind: wire.KindAborted, URL: p.URL}
	}
	if err != nil {
		t.failure = err
		errMsg := describe(err)
		if t.early {
			errMsg = causeClosedEarly
		}
		t.mu.Unlock()
		close(t.opened)
		t.finish(errMsg, &OnCloseResult{Code: wire.CodeAbnormal}, true)
		return
	}
	t.conn = conn
	t.handshake = &handshakeInfo{subprotocol: hs.Subprotocol, header: packHeader(hs.Header)}
	t.mu.Unlock()
	close(t.opened)

	res := OnOpenResult{}
	if a.profile.OpenHeader {
		res.Header = hs.Header
	}
	a.exec.Execute(func() { deliver(t, openEvent, res, false) })

	// The read loop runs on a goroutine of its own: this one's stack grew
	// for the handshake (net/http, TLS), and a parked reader would keep it
	// for the connection's life.
	go t.readLoop(conn)
}

// readLoop delivers the connection's messages, then its end.
func (t *SocketTask) readLoop(conn *wire.Conn) {
	a := t.app
	for {
		msg, err := conn.Read()
		if err != nil {
			ce, _ := err.(*wire.ClosedError)
			if ce == nil {
				ce = &wire.ClosedError{Code: wire.CodeAbnormal, Err: err}
			}
			t.mu.Lock()
			if !ce.Clean {
				t.failure = ce.Err
			}
			aborted, early := t.aborted, t.early
			t.mu.Unlock()
			errMsg := ""
			var dropped *wire.DroppedError
			withError := !ce.Clean
			if withError && !aborted && !early && errors.As(ce.Err, &dropped) && a.profile.Drop == platform.DropCloseOnly {
				// A browser fires close 1006 alone when the connection
				// drops; only a failed connection (a protocol error, a
				// message over the limit) fires error first.
				withError = false
			}
			switch {
			case !ce.Clean && early:
				// Closed while the callbacks saw it connecting: for them
				// the handshake was abandoned, whatever the network did.
				errMsg = causeClosedEarly
			case !ce.Clean && aborted:
				errMsg = causeAborted
			case !ce.Clean:
				errMsg = lostMessage(ce.Err)
			}
			t.finish(errMsg, &OnCloseResult{Code: ce.Code, Reason: ce.Reason}, withError)
			return
		}
		var data any
		if msg.Binary {
			data = msg.Data
		} else {
			data = msg.Text
		}
		res := OnMessageResult{Data: data}
		select {
		case <-t.stopRead:
			// Close or Abort was called: as in a browser, a message that
			// arrives then is not delivered, and reading goes on for the
			// close frame.
			continue
		default:
		}
		c := cost(res)
		in := t.loadInbox()
		if in != nil {
			t.rx.add(c)
			in.push(res)
		}
		// Listeners added in the same turn as ConnectSocket must hear the
		// first message even if it arrives before they are added, so the
		// event is always queued and the listeners are looked up at
		// delivery. A task read through Receive with no listener at all
		// skips the Executor, which is most of the Go form's speed.
		if in == nil || t.nMessageListeners.Load() > 0 || a.nGlobalMessage.Load() > 0 {
			t.rx.add(c)
			t.order.event(func() {
				deliver(t, messageEvent, res, false)
				t.rx.consumed(c)
			}, a.exec)
		}
		t.rx.wait(a.receiveBacklog, t.stopRead)
	}
}

// finish reports the end of the task: an error event first when the end
// was not clean, then the close event (unless the profile reports a failed
// handshake with the error alone).
func (t *SocketTask) finish(errMsg string, closeRes *OnCloseResult, withError bool) {
	a := t.app
	t.mu.Lock()
	t.closed = closeRes
	handshakeFailed := t.handshake == nil
	t.mu.Unlock()
	if in := t.loadInbox(); in != nil {
		in.end(&CloseError{Code: closeRes.Code, Reason: closeRes.Reason, Err: t.failureErr()})
	}
	closeToo := !(handshakeFailed && a.profile.HandshakeFailure == platform.ErrorOnly)
	if withError {
		res := OnErrorResult{}
		if a.profile.ErrorMessage {
			res.ErrMsg = errMsg
		}
		t.order.event(func() { deliver(t, errorEvent, res, !closeToo) }, a.exec)
	}
	if closeToo {
		t.order.event(func() { deliver(t, closeEvent, *closeRes, true) }, a.exec)
	}
	t.writes.fail(wire.ErrNotConnected)
	a.mu.Lock()
	delete(a.running, t)
	a.mu.Unlock()
	close(t.done)
}

// lostMessage describes why an open connection ended without a close
// handshake. The causes that name the connection's end themselves are
// reported as they are.
func lostMessage(err error) string {
	var (
		timeout *wire.CloseTimeoutError
		tooBig  *wire.MessageTooBigError
	)
	if errors.Is(err, wire.ErrInvalidUTF8) || errors.As(err, &timeout) || errors.As(err, &tooBig) {
		return err.Error()
	}
	return "WebSocket connection lost: " + err.Error()
}

func (t *SocketTask) failureErr() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failure
}

// deliver runs on the Executor: it moves readyState as the event fires,
// then runs the task's listeners for the event, then (or first, per the
// profile) the global ones if the task is the global target. Whether it is
// the target is decided when the event is delivered, as uni-app decides
// it. last marks the task's last event.
func deliver[T any](t *SocketTask, ev event[T], v T, last bool) {
	a := t.app
	t.mu.Lock()
	switch ev.kind {
	case kindOpen:
		if t.early {
			// Closed before the open event fired: a browser never fires
			// open after that, whatever the network did.
			t.mu.Unlock()
			return
		}
		if t.state == StateConnecting { // else Dial has moved it
			t.state = StateOpen
		}
	case kindMessage:
		if t.state != StateOpen {
			// Queued before Close or Abort was called: a browser drops a
			// message whose socket is no longer OPEN when its turn comes.
			t.mu.Unlock()
			return
		}
	case kindError, kindClose:
		t.state = StateClosed
	}
	own := *ev.list(&t.own)
	t.mu.Unlock()
	var global []func(T)
	a.mu.Lock()
	if len(a.tasks) > 0 && a.tasks[0] == t {
		global = *ev.list(&a.global)
	}
	a.mu.Unlock()
	if a.profile.ListenerOrder == platform.GlobalFirst {
		fire(a, ev.whereGlobal, global, v)
		fire(a, ev.whereTask, own, v)
	} else {
		fire(a, ev.whereTask, own, v)
		fire(a, ev.whereGlobal, global, v)
	}
	if ev.ends {
		a.unregister(t, last) // a task leaves the registry at its first error or close
	}
}

func (t *SocketTask) loadInbox() *inbox { return t.inbox.Load() }

// stopReading marks the socket closing for its reader. t.mu must be held.
func (t *SocketTask) stopReading() {
	if !t.stopped {
		t.stopped = true
		close(t.stopRead)
	}
}

// String describes the task for logs: its number, URL and state.
func (t *SocketTask) String() string {
	return fmt.Sprintf("SocketTask#%d(%s %s)", t.id, t.url, t.ReadyState())
}
