package uni

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

// dispatcher runs an App's callbacks one at a time, in the order their
// events happened, the way uni-app runs them on its single JavaScript
// thread.
//
// Events are queued without bound so that a socket's reader never waits on
// a slow listener (a waiting reader would stall pongs and close frames).
// The goroutine that drains the queue starts when an event arrives and ends
// when the queue is empty, so an idle App holds no goroutine and needs no
// Close.
//
// Result callbacks of ConnectSocket must run before it returns, on the
// caller's goroutine. They take the same lock the drain goroutine holds
// while it runs a callback, so they never overlap a listener either; when
// ConnectSocket is called from inside a listener (the usual uni-app
// pattern) the lock is already held by that very goroutine, which is why
// the drainer's goroutine id is remembered.
type dispatcher struct {
	mu      sync.Mutex
	queue   []func()
	spare   []func()
	running bool

	callMu  sync.Mutex   // held while any callback of the App runs
	drainer atomic.Int64 // goroutine id of the running drain goroutine, 0 if none
	idleCh  chan struct{} // closed when the queue drains; nil while idle
}

// post queues fn to run after every callback queued before it.
func (d *dispatcher) post(fn func()) {
	d.mu.Lock()
	d.queue = append(d.queue, fn)
	if !d.running {
		d.running = true
		d.idleCh = make(chan struct{})
		go d.drain()
	}
	d.mu.Unlock()
}

func (d *dispatcher) drain() {
	d.drainer.Store(goid())
	for {
		d.mu.Lock()
		batch := d.queue
		if len(batch) == 0 {
			d.drainer.Store(0)
			d.running = false
			close(d.idleCh)
			d.idleCh = nil
			d.mu.Unlock()
			return
		}
		d.queue, d.spare = d.spare[:0], nil
		d.mu.Unlock()

		d.callMu.Lock()
		for i, fn := range batch {
			fn()
			batch[i] = nil
		}
		d.callMu.Unlock()

		d.mu.Lock()
		if d.spare == nil {
			d.spare = batch[:0]
		}
		d.mu.Unlock()
	}
}

// runNow runs fn on the calling goroutine, serialised with the App's other
// callbacks. It is re-entrant for the drain goroutine.
func (d *dispatcher) runNow(fn func()) {
	if d.callMu.TryLock() {
		defer d.callMu.Unlock()
		fn()
		return
	}
	if id := d.drainer.Load(); id != 0 && id == goid() {
		fn() // called from inside a callback: the lock is ours already
		return
	}
	d.callMu.Lock()
	defer d.callMu.Unlock()
	fn()
}

// idle returns a channel closed once every callback queued so far has run
// and the drain goroutine has ended.
func (d *dispatcher) idle() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.running {
		return closedChan
	}
	return d.idleCh
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// goid returns the current goroutine's id. The runtime keeps it private;
// the first line of a stack trace ("goroutine 42 [running]:") is its only
// stable public form. It is read only when the callback lock is contended.
func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseInt(string(b), 10, 64)
	return id
}
