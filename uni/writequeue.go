package uni

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/unisocket/unisocket/internal/wire"
)

// writeOp is one frame to write: a data message, or the close frame.
type writeOp struct {
	binary bool
	data   []byte // a binary message's payload
	text   string // a text message's payload
	close  *wire.CloseFrame
	done   func(error) // nil when nobody waits for the outcome
	// ordered marks a write whose done queues its result on the Executor:
	// events read while it is written wait for that result (order.go).
	ordered bool
}

// writeQueue keeps a task's outgoing frames in the order they were given.
// The goroutine that finds the queue idle writes; a writer goroutine is
// started only while frames wait, so an idle socket holds none. Frames
// queued before a close are written before the close frame.
//
// Queued message bytes are counted (bufferedAmount) and bounded by
// Config.MaxBufferedAmount: a message that would take the count over the
// bound is refused, unless nothing is queued (so one message larger than
// the bound can still be sent).
type writeQueue struct {
	mu       sync.Mutex
	ops      []writeOp
	head     int
	busy     bool
	dead     error      // once set, every op fails with it
	idle     *sync.Cond // signalled when busy turns false; made by fail
	buffered int64      // bytes of the data messages queued and not yet written
}

// setIdle marks the queue as having no writer and wakes a fail waiting
// for the write in flight. q.mu is held.
func (q *writeQueue) setIdle() {
	q.busy = false
	if q.idle != nil {
		q.idle.Broadcast()
	}
}

// ErrBufferFull is the cause of a send refused because the socket's queue
// of unwritten messages is at Config.MaxBufferedAmount. The message was
// not queued; nothing already queued is dropped.
type ErrBufferFull struct {
	Buffered int64 // bytes waiting to be written
	Size     int   // the refused message's size
	Max      int64 // the bound
}

// Error says what was refused and why, in uni-app's words after
// "sendSocketMessage:fail ".
func (e *ErrBufferFull) Error() string {
	return fmt.Sprintf("the send buffer is full: %d bytes wait to be written and this message of %d bytes would exceed the bound of %d (bufferedAmount; Config.MaxBufferedAmount)", e.Buffered, e.Size, e.Max)
}

// size is the payload size of a data message; 0 for the close frame.
func (op writeOp) size() int { return len(op.data) + len(op.text) }

// admitOp checks op against the bound and counts it. q.mu must be held.
func (q *writeQueue) admitOp(op writeOp, max int64) error {
	if op.close != nil {
		return nil
	}
	n := int64(op.size())
	if q.buffered > 0 && q.buffered+n > max {
		return &ErrBufferFull{Buffered: q.buffered, Size: op.size(), Max: max}
	}
	q.buffered += n
	return nil
}

// written uncounts op once it left the queue.
func (q *writeQueue) written(op writeOp) {
	if op.close == nil {
		q.buffered -= int64(op.size())
	}
}

// enqueue queues op and starts a writer if none runs. conn is the open
// connection. It fails when the queue is full (see writeQueue); op.done
// is not called then.
func (t *SocketTask) enqueue(conn *wire.Conn, op writeOp) error {
	q := &t.writes
	q.mu.Lock()
	if q.dead != nil {
		err := q.dead
		q.mu.Unlock()
		op.finish(err)
		return nil
	}
	if err := q.admitOp(op, t.app.maxBuffered); err != nil {
		q.mu.Unlock()
		return err
	}
	q.ops = append(q.ops, op)
	if q.busy {
		q.mu.Unlock()
		return nil
	}
	q.busy = true
	q.mu.Unlock()
	go t.drainWrites(conn)
	return nil
}

// writeNow writes op on the calling goroutine when no other write is
// queued, and queues it otherwise; the caller then waits for op.done.
// op.data may be the caller's own slice: it is used in place when written
// at once, and copied when queued, since the caller may stop waiting and
// reuse it before its turn comes.
func (t *SocketTask) writeNow(conn *wire.Conn, op writeOp) (err error, queued bool) {
	q := &t.writes
	q.mu.Lock()
	if q.dead != nil {
		err := q.dead
		q.mu.Unlock()
		return err, false
	}
	if q.busy {
		if err := q.admitOp(op, t.app.maxBuffered); err != nil {
			q.mu.Unlock()
			return err, false
		}
		op.data = bytes.Clone(op.data)
		q.ops = append(q.ops, op)
		q.mu.Unlock()
		return nil, true
	}
	q.busy = true
	q.mu.Unlock()
	err = exec(conn, op)
	q.mu.Lock()
	if q.head < len(q.ops) {
		q.mu.Unlock()
		go t.drainWrites(conn) // hand the rest to a writer; stay busy
		return err, false
	}
	q.setIdle()
	q.mu.Unlock()
	return err, false
}

func (t *SocketTask) drainWrites(conn *wire.Conn) {
	q := &t.writes
	for {
		q.mu.Lock()
		if q.dead != nil { // fail answers what is left
			q.setIdle()
			q.mu.Unlock()
			return
		}
		if q.head == len(q.ops) {
			q.ops, q.head = q.ops[:0], 0
			q.setIdle()
			q.mu.Unlock()
			return
		}
		op := q.ops[q.head]
		q.ops[q.head] = writeOp{}
		q.head++
		q.mu.Unlock()
		if op.ordered {
			t.order.begin()
		}
		err := exec(conn, op)
		q.mu.Lock()
		q.written(op)
		q.mu.Unlock()
		if op.ordered {
			t.order.end(func() { op.finish(err) }, t.app.exec)
		} else {
			op.finish(err)
		}
	}
}

func exec(conn *wire.Conn, op writeOp) error {
	if op.close != nil {
		return conn.Close(op.close.Code, op.close.Reason)
	}
	if !op.binary {
		return conn.WriteText(op.text)
	}
	return conn.Write(true, op.data)
}

func (op writeOp) finish(err error) {
	if op.done != nil {
		op.done(err)
	}
}

// fail ends the queue: every op still waiting, and every later one, fails
// with err. It first waits for the write in flight, if any, to return (the
// connection is cut by then, so it returns at once) so that every send has
// its result queued when fail returns, in the order the sends were made.
func (q *writeQueue) fail(err error) {
	q.mu.Lock()
	if q.dead == nil {
		q.dead = err
	}
	if q.idle == nil {
		q.idle = sync.NewCond(&q.mu)
	}
	for q.busy {
		q.idle.Wait()
	}
	pending := append([]writeOp(nil), q.ops[q.head:]...)
	for _, op := range pending {
		q.written(op)
	}
	q.ops, q.head = q.ops[:0], 0
	q.mu.Unlock()
	for _, op := range pending {
		op.finish(err)
	}
}
