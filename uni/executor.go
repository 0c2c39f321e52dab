package uni

import "sync"

// An Executor runs an App's callbacks: listeners, and the results of Send
// and Close. The App hands it one func per event or result, and the
// Executor must
//
//   - run the funcs one at a time, in the order Execute was called for
//     them (the App calls Execute for one socket's events in event order);
//   - return from Execute without waiting for fn to run, whatever
//     goroutine calls it, including a func it is running (so it queues);
//   - run every func it accepted, unless the program is ending.
//
// The default (Config.Executor nil) starts a goroutine when a func arrives
// and lets it end when none is left, so an idle App holds no goroutine. A
// binding with an event loop of its own, such as the JavaScript runtime,
// passes the loop instead: every callback then runs on the loop's thread,
// in one order with the binding's other work.
type Executor interface {
	Execute(fn func())
}

// queueExecutor is the default Executor. Its queue has no bound of its
// own: a socket's reader must never wait on a slow listener, or pongs and
// close frames would stall behind it.
type queueExecutor struct {
	mu      sync.Mutex
	queue   []func()
	spare   []func()
	running bool
}

// Execute queues fn, starting the drain goroutine if none runs.
func (q *queueExecutor) Execute(fn func()) {
	q.mu.Lock()
	q.queue = append(q.queue, fn)
	if !q.running {
		q.running = true
		go q.drain()
	}
	q.mu.Unlock()
}

func (q *queueExecutor) drain() {
	for {
		q.mu.Lock()
		batch := q.queue
		if len(batch) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.queue, q.spare = q.spare[:0], nil
		q.mu.Unlock()

		for i, fn := range batch {
			fn()
			batch[i] = nil
		}

		q.mu.Lock()
		if q.spare == nil {
			q.spare = batch[:0]
		}
		q.mu.Unlock()
	}
}
