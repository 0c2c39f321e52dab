package netem

import (
	"bytes"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"
)

// readChunk is the most one read from the underlying connection takes.
const readChunk = 16 << 10

// closeGrace bounds how long Close lets bytes still in flight reach the
// peer, on a slow link or to a peer that does not read; what is left then
// is lost with the connection.
const closeGrace = 5 * time.Second

// A Conn is a connection shaped by its Network's conditions. Its methods
// are safe for concurrent use, as net.Conn's are; concurrent Reads (or
// Writes) take turns.
type Conn struct {
	raw net.Conn
	net *Network

	rmu sync.Mutex // one Read at a time
	wmu sync.Mutex // one Write at a time

	mu       sync.Mutex
	rng      *rand.Rand // jitter and loss, seeded per connection
	up, down link
	closed   bool      // Close was called
	cutErr   error     // the network went offline
	rerr     error     // the underlying read's error, due at rerrDue
	rerrDue  time.Time // when the end of the stream reaches the reader
	werr     error     // the underlying write's error
	flushing bool      // timer is armed or flush runs
	timer    *time.Timer
	grace    *time.Timer // after Close, ends the wait for bytes in flight
	wbuf     []byte      // flush's buffer
	rbuf     []byte      // Read's buffer for the underlying connection
	readDL   time.Time
	writeDL  time.Time

	done      chan struct{} // closed by Close or the cut
	readKick  chan struct{} // a read deadline changed
	writeKick chan struct{} // the up link has room, or a write deadline changed
}

func newConn(raw net.Conn, n *Network, seed uint64, id uint64) *Conn {
	c := &Conn{
		raw:       raw,
		net:       n,
		rng:       rand.New(rand.NewPCG(seed, id)),
		done:      make(chan struct{}),
		readKick:  make(chan struct{}, 1),
		writeKick: make(chan struct{}, 1),
	}
	c.timer = time.AfterFunc(time.Hour, c.flush)
	c.timer.Stop()
	return c
}

// kick wakes a waiter of ch without blocking.
func kick(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// stop ends the connection for Read and Write; called with mu held.
func (c *Conn) stop() {
	select {
	case <-c.done:
	default:
		close(c.done)
	}
}

// localErr is why the connection can no longer be used, or nil; called
// with mu held.
func (c *Conn) localErr() error {
	switch {
	case c.cutErr != nil:
		return c.cutErr
	case c.closed:
		return net.ErrClosed
	}
	return nil
}

// wait sleeps until t (zero: no limit), the connection ends or kick
// fires.
func (c *Conn) wait(t time.Time, kick chan struct{}) {
	var tc <-chan time.Time
	if !t.IsZero() {
		tm := time.NewTimer(time.Until(t))
		defer tm.Stop()
		tc = tm.C
	}
	select {
	case <-tc:
	case <-c.done:
	case <-kick:
	}
}

// Read reads what has arrived: bytes are read from the underlying
// connection as they come, on the caller's goroutine, and handed out
// once the down link delivers them.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for {
		c.mu.Lock()
		if err := c.localErr(); err != nil {
			c.mu.Unlock()
			return 0, err
		}
		now := time.Now()
		if !c.down.empty() && !c.down.next().due.After(now) {
			n := 0
			for n < len(p) && !c.down.empty() && !c.down.next().due.After(now) {
				k := copy(p[n:], c.down.next().b)
				c.down.take(k)
				n += k
			}
			c.mu.Unlock()
			return n, nil
		}
		if c.down.empty() && c.rerr != nil && !c.rerrDue.After(now) {
			err := c.rerr
			c.mu.Unlock()
			return 0, err
		}
		var wake time.Time // when something is due
		switch {
		case !c.down.empty():
			wake = c.down.next().due
		case c.rerr != nil:
			wake = c.rerrDue
		}
		if !c.readDL.IsZero() {
			if !c.readDL.After(now) {
				c.mu.Unlock()
				return 0, os.ErrDeadlineExceeded
			}
			if wake.IsZero() || c.readDL.Before(wake) {
				wake = c.readDL
			}
		}
		if c.rerr != nil || c.down.queued >= QueueLimit {
			// Nothing more to read from the connection for now: the
			// peer meets TCP backpressure while the link drains.
			c.mu.Unlock()
			c.wait(wake, c.readKick)
			continue
		}
		// Deadlines on the underlying connection are set only here and
		// under mu, where Close and SetReadDeadline can see and undo them.
		_ = c.raw.SetReadDeadline(wake)
		if c.rbuf == nil {
			c.rbuf = make([]byte, readChunk)
		}
		buf := c.rbuf[:min(readChunk, QueueLimit-c.down.queued)]
		c.mu.Unlock()

		n, err := c.raw.Read(buf)

		c.mu.Lock()
		now = time.Now()
		cond := c.net.Conditions()
		if n > 0 {
			// A copy of just what came, so that a small read does not
			// hold a whole buffer while it waits to be due.
			c.stalled(c.down.add(bytes.Clone(buf[:n]), now, cond, cond.Down, c.rng))
		}
		if err != nil && !os.IsTimeout(err) && c.rerr == nil && c.localErr() == nil {
			// The end of the stream travels behind its last byte.
			c.rerr = err
			c.rerrDue = now.Add(cond.Latency / 2)
			if c.down.last.After(c.rerrDue) {
				c.rerrDue = c.down.last
			}
		}
		c.mu.Unlock()
	}
}

// stalled counts lost segments; called with mu held.
func (c *Conn) stalled(n int) {
	if n > 0 {
		c.net.stalls.Add(int64(n))
	}
}

// Write queues p on the up link and returns once all of it is queued; it
// waits while QueueLimit bytes are in flight. Bytes leave in order, each
// when the link delivers it.
func (c *Conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	written := 0
	for len(p) > 0 {
		c.mu.Lock()
		if err := c.localErr(); err != nil {
			c.mu.Unlock()
			return written, err
		}
		if c.werr != nil {
			err := c.werr
			c.mu.Unlock()
			return written, err
		}
		now := time.Now()
		if !c.writeDL.IsZero() && !c.writeDL.After(now) {
			c.mu.Unlock()
			return written, os.ErrDeadlineExceeded
		}
		room := QueueLimit - c.up.queued - segmentCost
		if room <= 0 {
			dl := c.writeDL
			c.mu.Unlock()
			c.wait(dl, c.writeKick)
			continue
		}
		n := min(room, len(p))
		cond := c.net.Conditions()
		c.stalled(c.up.add(bytes.Clone(p[:n]), now, cond, cond.Up, c.rng))
		if !c.flushing {
			c.flushing = true
			c.timer.Reset(c.up.next().due.Sub(now))
		}
		c.mu.Unlock()
		p = p[n:]
		written += n
	}
	return written, nil
}

// flush writes the due bytes of the up link to the underlying connection
// and re-arms the timer for the next ones. It runs on the timer's
// goroutine, one call at a time (flushing says a call is pending).
func (c *Conn) flush() {
	for {
		c.mu.Lock()
		if c.cutErr != nil || c.werr != nil {
			c.up.drop()
			c.flushing = false
			c.mu.Unlock()
			return
		}
		if c.up.empty() {
			c.flushing = false
			if c.closed {
				// Close left the last bytes to travel; the FIN follows.
				if c.grace != nil {
					c.grace.Stop()
				}
				_ = c.raw.Close()
			}
			c.mu.Unlock()
			return
		}
		now := time.Now()
		if d := c.up.next().due.Sub(now); d > 0 {
			c.timer.Reset(d)
			c.mu.Unlock()
			return
		}
		if c.wbuf == nil {
			c.wbuf = make([]byte, 0, readChunk)
		}
		b := c.wbuf[:0]
		for len(b) < cap(b) && !c.up.empty() && !c.up.next().due.After(now) {
			s := c.up.next()
			k := min(len(s.b), cap(b)-len(b))
			b = append(b, s.b[:k]...)
			c.up.take(k)
		}
		c.mu.Unlock()
		kick(c.writeKick)

		if _, err := c.raw.Write(b); err != nil {
			c.mu.Lock()
			if c.werr == nil {
				c.werr = err
			}
			c.up.drop()
			c.flushing = false
			if c.closed {
				_ = c.raw.Close()
			}
			c.mu.Unlock()
			kick(c.writeKick)
			return
		}
	}
}

// Close ends the connection: Read and Write fail at once with
// net.ErrClosed. Bytes already written and still in flight go on to the
// peer, then the underlying connection closes, as a FIN follows the data
// before it; what has not arrived 5 seconds after Close is lost.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return net.ErrClosed
	}
	c.closed = true
	c.stop()
	c.down.drop()
	pending := c.flushing && c.cutErr == nil && c.werr == nil
	if pending {
		_ = c.raw.SetReadDeadline(time.Unix(1, 0)) // wakes a Read
		_ = c.raw.SetWriteDeadline(time.Now().Add(closeGrace))
		c.grace = time.AfterFunc(closeGrace, func() {
			c.mu.Lock()
			if c.werr == nil {
				c.werr = net.ErrClosed
			}
			c.up.drop()
			c.mu.Unlock()
			_ = c.raw.Close()
		})
	}
	c.mu.Unlock()
	c.net.forget(c)
	if pending {
		return nil // flush closes it
	}
	return c.raw.Close()
}

// cut ends the connection at once, the network having gone offline:
// nothing in flight arrives.
func (c *Conn) cut(err error) {
	c.mu.Lock()
	if c.cutErr == nil && !c.closed {
		c.cutErr = err
		c.stop()
		c.up.drop()
		c.down.drop()
	}
	c.mu.Unlock()
	_ = c.raw.Close()
}

// Stalls returns how many segments the connection lost so far, in both
// directions: each stalled its link for a retransmission timeout.
func (c *Conn) Stalls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.up.stalls + c.down.stalls
}

// LocalAddr returns the underlying connection's local address.
func (c *Conn) LocalAddr() net.Addr { return c.raw.LocalAddr() }

// RemoteAddr returns the underlying connection's remote address.
func (c *Conn) RemoteAddr() net.Addr { return c.raw.RemoteAddr() }

// SetDeadline sets both the read and the write deadline.
func (c *Conn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline bounds Read, as net.Conn's does, even a Read already
// waiting.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.localErr(); err != nil {
		return err
	}
	c.readDL = t
	// A Read blocked on the underlying connection wakes and recomputes
	// its wait with the new deadline.
	_ = c.raw.SetReadDeadline(time.Unix(1, 0))
	kick(c.readKick)
	return nil
}

// SetWriteDeadline bounds Write's wait for room on the up link, as
// net.Conn's does, even a Write already waiting.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.localErr(); err != nil {
		return err
	}
	c.writeDL = t
	kick(c.writeKick)
	return nil
}
