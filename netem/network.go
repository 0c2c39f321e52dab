package netem

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// DialFunc opens a network connection, as net.Dialer.DialContext does; it
// is the type of uni.Config.DialContext.
type DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// A Network applies one set of conditions to the connections it dials or
// wraps, and can change them while they are open. Its methods are safe
// for concurrent use. Give each App (each simulated phone) its own.
type Network struct {
	mu     sync.Mutex
	cond   Conditions
	conns  map[*Conn]struct{}
	nextID uint64
	stalls atomic.Int64
}

// New returns a Network with conditions c, or an error naming the
// condition that no network can have.
func New(c Conditions) (*Network, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	return &Network{cond: c, conns: map[*Conn]struct{}{}}, nil
}

// Conditions returns the current conditions.
func (n *Network) Conditions() Conditions {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cond
}

// Set changes the conditions. Bytes sent from then on are shaped by the
// new ones; bytes in flight keep their schedule. Going offline cuts every
// open connection at once: their Reads and Writes fail with an
// *OfflineError and nothing in flight arrives.
func (n *Network) Set(c Conditions) error {
	if err := c.check(); err != nil {
		return err
	}
	n.mu.Lock()
	n.cond = c
	var cut []*Conn
	if c.Offline {
		for conn := range n.conns {
			cut = append(cut, conn)
		}
		clear(n.conns)
	}
	n.mu.Unlock()
	for _, conn := range cut {
		conn.cut(&OfflineError{Op: "read", Addr: conn.RemoteAddr().String()})
	}
	return nil
}

// Stats are counts over a Network's life.
type Stats struct {
	// Open is how many of its connections are open.
	Open int
	// Stalls is how many segments were lost, each stalling its link for
	// a retransmission timeout, on every connection so far.
	Stalls int64
}

// Stats returns the Network's counts.
func (n *Network) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return Stats{Open: len(n.conns), Stalls: n.stalls.Load()}
}

// DialContext dials addr with a net.Dialer and shapes the connection. It
// has the signature of uni.Config.DialContext. While the network is
// offline it fails at once with an *OfflineError.
func (n *Network) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return n.Dialer(nil)(ctx, network, addr)
}

// Dialer returns a dial function that dials with dial (nil means a
// net.Dialer) and shapes the connection, for wrapping a dial function of
// one's own (a resolver, a proxy). The network's latency is added to
// the TCP handshake: a connection is returned one round trip late.
func (n *Network) Dialer(dial DialFunc) DialFunc {
	if dial == nil {
		dial = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if n.Conditions().Offline {
			return nil, &OfflineError{Op: "dial", Addr: addr}
		}
		raw, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		// SYN and SYN-ACK cross the link before the connection is up.
		if rtt := n.Conditions().Latency; rtt > 0 {
			t := time.NewTimer(rtt)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				_ = raw.Close()
				return nil, ctx.Err()
			}
		}
		c, err := n.Wrap(raw)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// Wrap shapes an open connection, such as one a listener accepted; the
// Conn owns raw from then on. While the network is offline it closes raw
// and fails with an *OfflineError.
func (n *Network) Wrap(raw net.Conn) (*Conn, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cond.Offline {
		_ = raw.Close()
		return nil, &OfflineError{Op: "dial", Addr: raw.RemoteAddr().String()}
	}
	n.nextID++
	c := newConn(raw, n, n.cond.Seed, n.nextID)
	n.conns[c] = struct{}{}
	return c, nil
}

// forget drops a closed connection.
func (n *Network) forget(c *Conn) {
	n.mu.Lock()
	delete(n.conns, c)
	n.mu.Unlock()
}

// OfflineError reports that the network is offline: a dial refused, or a
// connection cut when the network went offline.
type OfflineError struct {
	// Op is "dial", or "read" for a connection that was cut.
	Op string
	// Addr is the address dialled, or the connection's remote address.
	Addr string
}

func (e *OfflineError) Error() string {
	if e.Op == "dial" {
		return "cannot connect to " + e.Addr + ": the network is offline"
	}
	return "connection to " + e.Addr + " lost: the network went offline"
}

// Timeout reports false: waiting does not bring the network back.
func (e *OfflineError) Timeout() bool { return false }

// Temporary reports false.
func (e *OfflineError) Temporary() bool { return false }
