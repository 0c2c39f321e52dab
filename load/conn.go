package load

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// countingDial wraps next (nil: a net.Dialer) so that the bytes of every
// connection are counted, as k6 counts data_sent and data_received: on
// the wire, the HTTP handshake, framing and TLS included.
func countingDial(next dialFunc, conns *connSet) dialFunc {
	if next == nil {
		d := &net.Dialer{KeepAlive: 30 * time.Second}
		next = d.DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cc := &countedConn{Conn: c, set: conns}
		conns.add(cc)
		return cc, nil
	}
}

// countedConn counts a connection's bytes and reports them once, when it
// is closed, so the hot path is two atomic adds.
type countedConn struct {
	net.Conn
	sent, received atomic.Int64
	once           sync.Once
	set            *connSet
}

func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.received.Add(int64(n))
	return n, err
}

// Write counts the bytes before writing them: net/http writes the
// handshake request on a goroutine of its own, which can be descheduled
// after the write, while the response comes back and the socket is used
// and closed. Counted after, the request could miss the report. What a
// failed write did not send is taken off again.
func (c *countedConn) Write(p []byte) (int, error) {
	c.sent.Add(int64(len(p)))
	n, err := c.Conn.Write(p)
	if n < len(p) {
		c.sent.Add(int64(n - len(p)))
	}
	return n, err
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.report()
	return err
}

func (c *countedConn) report() {
	c.once.Do(func() {
		c.set.rec.count(MetricDataSent, float64(c.sent.Load()))
		c.set.rec.count(MetricDataReceived, float64(c.received.Load()))
		c.set.remove(c)
	})
}

// connSet are a VU's connections not reported yet. uni may close a
// connection just after its task reports the close, so the VU's end
// reports what is left rather than lose it.
type connSet struct {
	rec   *recorder
	mu    sync.Mutex
	conns map[*countedConn]struct{}
}

func (s *connSet) add(c *countedConn) {
	s.mu.Lock()
	if s.conns == nil {
		s.conns = map[*countedConn]struct{}{}
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
}

func (s *connSet) remove(c *countedConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// reportAll reports the connections still open.
func (s *connSet) reportAll() {
	s.mu.Lock()
	left := make([]*countedConn, 0, len(s.conns))
	for c := range s.conns {
		left = append(left, c)
	}
	s.mu.Unlock()
	for _, c := range left {
		c.report()
	}
}
