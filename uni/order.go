package uni

import "sync"

// resultOrder keeps a task's send results ahead of the events that could
// answer them, on profiles that report a send once written
// (platform.ResultWhenWritten).
//
// A write's result is known when the write returns, but the kernel may
// put the bytes on the wire, and the server's reply may be read, before
// the writing goroutine runs again. So a write whose result goes to the
// Executor is marked in flight before its bytes are handed over, and an
// event read while it is in flight is held back and queued right after
// that result. Events read while no such write is in flight are queued at
// once. The guarantee: a send's result is delivered before every event
// read after its write began, hence before any reply to its message.
//
// Held events count against the receive backlog like any other queued
// event (the reader adds their cost before handing them here), so memory
// stays bounded while a write waits on a server that does not read.
type resultOrder struct {
	mu       sync.Mutex
	inFlight bool
	held     []func()
}

// begin marks a write in flight; the writer calls it before writing.
func (o *resultOrder) begin() {
	o.mu.Lock()
	o.inFlight = true
	o.mu.Unlock()
}

// end queues the result of the write in flight (queue runs exec.Execute
// for it) and then the events held behind it, in the order they were
// read.
func (o *resultOrder) end(queue func(), exec Executor) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.inFlight = false
	queue()
	for i, fn := range o.held {
		exec.Execute(fn)
		o.held[i] = nil
	}
	o.held = o.held[:0]
}

// event queues fn on exec, or holds it behind the write in flight.
func (o *resultOrder) event(fn func(), exec Executor) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.inFlight {
		o.held = append(o.held, fn)
		return
	}
	exec.Execute(fn)
}
