package uni

import (
	"bytes"
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
}

// writeQueue keeps a task's outgoing frames in the order they were given.
// The goroutine that finds the queue idle writes; a writer goroutine is
// started only while frames wait, so an idle socket holds none. Frames
// queued before a close are written before the close frame.
type writeQueue struct {
	mu   sync.Mutex
	ops  []writeOp
	head int
	busy bool
	dead error      // once set, every op fails with it
	idle *sync.Cond // signalled when busy turns false; made by fail
}

// setIdle marks the queue as having no writer and wakes a fail waiting
// for the write in flight. q.mu is held.
func (q *writeQueue) setIdle() {
	q.busy = false
	if q.idle != nil {
		q.idle.Broadcast()
	}
}

// enqueue queues op and starts a writer if none runs. conn is the open
// connection.
func (t *SocketTask) enqueue(conn *wire.Conn, op writeOp) {
	q := &t.writes
	q.mu.Lock()
	if q.dead != nil {
		err := q.dead
		q.mu.Unlock()
		op.finish(err)
		return
	}
	q.ops = append(q.ops, op)
	if q.busy {
		q.mu.Unlock()
		return
	}
	q.busy = true
	q.mu.Unlock()
	go t.drainWrites(conn)
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
		op.finish(exec(conn, op))
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
	q.ops, q.head = q.ops[:0], 0
	q.mu.Unlock()
	for _, op := range pending {
		op.finish(err)
	}
}
