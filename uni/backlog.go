package uni

import "sync"

// DefaultReceiveBacklog is each socket's receive backlog bound unless
// Config.ReceiveBacklog says otherwise: 64 MiB, so that a client with 32
// messages of 1 MiB in flight (the benchmarks' pipelined rows) never
// stalls on it.
const DefaultReceiveBacklog = 64 << 20

// messageOverhead is what a received message counts against the backlog
// beyond its payload, so that a flood of empty messages is bounded too.
const messageOverhead = 64

// backlog counts a socket's received messages that are not consumed yet:
// queued for its listeners on the Executor, or kept for Receive and not
// returned. The socket's reader stops reading while the count is at the
// bound (Config.ReceiveBacklog), so a server that sends faster than the
// program consumes meets TCP backpressure instead of growing the client's
// memory, and one flooded socket holds at most its bound in the App's
// shared Executor queue.
type backlog struct {
	mu   sync.Mutex
	n    int64
	wake chan struct{} // holds a token when n dropped
}

func newBacklog() *backlog { return &backlog{wake: make(chan struct{}, 1)} }

func cost(m OnMessageResult) int64 {
	switch d := m.Data.(type) {
	case string:
		return int64(len(d)) + messageOverhead
	case []byte:
		return int64(len(d)) + messageOverhead
	}
	return messageOverhead
}

func (b *backlog) add(n int64) {
	b.mu.Lock()
	b.n += n
	b.mu.Unlock()
}

// consumed uncounts n bytes and wakes a waiting reader.
func (b *backlog) consumed(n int64) {
	b.mu.Lock()
	b.n -= n
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *backlog) size() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// wait returns once the backlog is under max, or stop is closed (the
// socket is closing: its pending messages will not be delivered, and the
// reader must go on to read the close frame).
func (b *backlog) wait(max int64, stop <-chan struct{}) {
	for b.size() >= max {
		select {
		case <-b.wake:
		case <-stop:
			return
		}
	}
}
