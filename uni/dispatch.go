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
// caller's goroutine, and App.Run runs a whole function as one turn. Both
// take the lock the drain goroutine holds while it runs callbacks, so they
// never overlap a listener. The lock's owner is remembered by goroutine id
// so that a turn may call the API again (ConnectSocket from a listener, the
// usual uni-app pattern, or from inside Run) without deadlocking.
type dispatcher struct {
	mu      sync.Mutex
	queue   []func()
	spare   []func()
	running bool

	callMu sync.Mutex    // held while any callback of the App runs
	owner  atomic.Int64  // goroutine id of callMu's holder, 0 if none
	idleCh chan struct{} // closed when the queue drains; nil while idle
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
	id := goid()
	for {
		d.mu.Lock()
		batch := d.queue
		if len(batch) == 0 {
			d.running = false
			close(d.idleCh)
			d.idleCh = nil
			d.mu.Unlock()
			return
		}
		d.queue, d.spare = d.spare[:0], nil
		d.mu.Unlock()

		d.callMu.Lock()
		d.owner.Store(id)
		for i, fn := range batch {
			fn()
			batch[i] = nil
		}
		d.owner.Store(0)
		d.callMu.Unlock()

		d.mu.Lock()
		if d.spare == nil {
			d.spare = batch[:0]
		}
		d.mu.Unlock()
	}
}

// runNow runs fn on the calling goroutine, serialised with the App's other
// callbacks. It is re-entrant: called from inside a callback or another
// runNow, it runs fn at once.
func (d *dispatcher) runNow(fn func()) {
	me := goid()
	if d.owner.Load() == me {
		fn()
		return
	}
	d.callMu.Lock()
	d.owner.Store(me)
	defer func() {
		d.owner.Store(0)
		d.callMu.Unlock()
	}()
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
// stable public form. It is read once per drain goroutine and once per
// synchronous turn, never per message.
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
