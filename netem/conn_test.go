package netem_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/unisocket/unisocket/netem"
)

func dial(t *testing.T, n *netem.Network, addr string) net.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safetyNet)
	defer cancel()
	c, err := n.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(safetyNet))
	return c
}

func newNetwork(t *testing.T, c netem.Conditions) *netem.Network {
	t.Helper()
	n, err := netem.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIntegrityAndOrder sends 2 MB through an echo over a link with
// jitter larger than its latency, limited bandwidth and loss: every byte
// comes back, in order.
func TestIntegrityAndOrder(t *testing.T) {
	p := startPeer(t, echo)
	n := newNetwork(t, netem.Conditions{
		Latency: 4 * time.Millisecond, Jitter: 20 * time.Millisecond,
		Down: 8 << 20, Up: 8 << 20, Loss: 0.002, Seed: 42,
	})
	c := dial(t, n, p.addr())

	want := make([]byte, 2<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range want {
		want[i] = byte(r.Uint32())
	}
	werr := make(chan error, 1)
	go func() {
		// Writes of uneven sizes, so segments straddle writes.
		var err error
		for off := 0; off < len(want) && err == nil; {
			k := min(len(want)-off, 1+r.IntN(40000))
			_, err = c.Write(want[off : off+k])
			off += k
		}
		werr <- err
	}()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read back: %v", err)
	}
	if err := <-werr; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for got[i] == want[i] {
			i++
		}
		t.Fatalf("the bytes came back changed or out of order from byte %d", i)
	}
}

// TestLossStallsBySeed: which segments a seed loses is decided by the
// seed alone: the Network's count equals the draws of the documented
// source (PCG seeded with Seed and the connection's number, from 1).
func TestLossStallsBySeed(t *testing.T) {
	const (
		segments = 300
		loss     = 0.05
		seed     = 7
	)
	sink := make(chan int64, 1)
	p := startPeer(t, func(c net.Conn) {
		n, _ := io.Copy(io.Discard, c)
		sink <- n
	})
	n := newNetwork(t, netem.Conditions{Loss: loss, Seed: seed})
	c := dial(t, n, p.addr())
	if _, err := c.Write(make([]byte, segments*netem.SegmentSize)); err != nil {
		t.Fatal(err)
	}
	// Close lets the bytes in flight arrive, then the peer sees the end.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-sink:
		if got != segments*netem.SegmentSize {
			t.Fatalf("the peer received %d bytes, want %d", got, segments*netem.SegmentSize)
		}
	case <-time.After(safetyNet):
		t.Fatal("the peer never saw the end of the stream")
	}

	want := 0
	r := rand.New(rand.NewPCG(seed, 1))
	for range segments {
		if r.Float64() < loss {
			want++
		}
	}
	if want == 0 {
		t.Fatal("the test's seed loses nothing; pick another")
	}
	if got := n.Stats().Stalls; got != int64(want) {
		t.Errorf("Stats().Stalls = %d, want %d for seed %d", got, want, seed)
	}
	if got := c.(*netem.Conn).Stalls(); got != want {
		t.Errorf("Conn.Stalls() = %d, want %d", got, want)
	}
}

func TestOfflineDial(t *testing.T) {
	p := startPeer(t, echo)
	off, _ := netem.Preset("offline")
	n := newNetwork(t, off)
	_, err := n.DialContext(context.Background(), "tcp", p.addr())
	var oe *netem.OfflineError
	if !errors.As(err, &oe) || err.Error() != "cannot connect to "+p.addr()+": the network is offline" {
		t.Fatalf("dial offline: %v", err)
	}
}

// TestGoingOfflineCutsConnections: Set(offline) fails the open
// connection's blocked Read and the peer sees the connection end; going
// online again lets new dials through.
func TestGoingOfflineCutsConnections(t *testing.T) {
	ended := make(chan error, 1)
	p := startPeer(t, func(c net.Conn) {
		_, err := io.Copy(io.Discard, c)
		ended <- err
	})
	n := newNetwork(t, netem.Conditions{Latency: 10 * time.Millisecond})
	c := dial(t, n, p.addr())
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	readErr := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 10))
		readErr <- err
	}()
	if err := n.Set(netem.Conditions{Offline: true}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-readErr:
		var oe *netem.OfflineError
		if !errors.As(err, &oe) || !strings.Contains(err.Error(), "the network went offline") {
			t.Fatalf("Read after going offline: %v", err)
		}
	case <-time.After(safetyNet):
		t.Fatal("Read still blocked after the network went offline")
	}
	if _, err := c.Write([]byte("x")); !errors.As(err, new(*netem.OfflineError)) {
		t.Errorf("Write after going offline: %v", err)
	}
	select {
	case <-ended:
	case <-time.After(safetyNet):
		t.Fatal("the peer's connection did not end")
	}
	if got := n.Stats().Open; got != 0 {
		t.Errorf("Stats().Open = %d after going offline, want 0", got)
	}
	if err := n.Set(netem.Conditions{}); err != nil {
		t.Fatal(err)
	}
	dial(t, n, p.addr())
}

// TestCloseDeliversInFlight: bytes written just before Close still reach
// the peer, then the end of the stream.
func TestCloseDeliversInFlight(t *testing.T) {
	got := make(chan []byte, 1)
	p := startPeer(t, func(c net.Conn) {
		b, _ := io.ReadAll(c)
		got <- b
	})
	n := newNetwork(t, netem.Conditions{Latency: 100 * time.Millisecond, Up: 10_000})
	c := dial(t, n, p.addr())
	want := bytes.Repeat([]byte("bye "), 1000)
	if _, err := c.Write(want); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read after Close: %v, want net.ErrClosed", err)
	}
	select {
	case b := <-got:
		if !bytes.Equal(b, want) {
			t.Fatalf("the peer got %d bytes, want the %d written before Close", len(b), len(want))
		}
	case <-time.After(safetyNet):
		t.Fatal("the peer never saw the end of the stream")
	}
}

// TestReadDeadline: a Read waiting for bytes that the link holds back
// ends at its deadline with a timeout, and the bytes still arrive later.
func TestReadDeadline(t *testing.T) {
	p := startPeer(t, echo)
	n := newNetwork(t, netem.Conditions{Latency: 400 * time.Millisecond})
	c := dial(t, n, p.addr())
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
	_, err := c.Read(make([]byte, 4))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read past its deadline: %v, want a timeout", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(safetyNet))
	b := make([]byte, 4)
	if _, err := io.ReadFull(c, b); err != nil || string(b) != "ping" {
		t.Fatalf("read %q, %v; want the echo", b, err)
	}
}

// TestWrapAndPeerEOF: Wrap shapes an accepted connection too, and the
// peer's close reaches the reader as io.EOF after the last bytes.
func TestWrapAndPeerEOF(t *testing.T) {
	a, b := tcpPair(t)
	n := newNetwork(t, netem.Conditions{Latency: 20 * time.Millisecond, Down: 1 << 20})
	sc, err := n.Wrap(a)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	_ = sc.SetDeadline(time.Now().Add(safetyNet))
	if _, err := b.Write([]byte("last words")); err != nil {
		t.Fatal(err)
	}
	_ = b.Close()
	got, err := io.ReadAll(sc)
	if err != nil || string(got) != "last words" {
		t.Fatalf("ReadAll = %q, %v; want the bytes then io.EOF", got, err)
	}
}

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := <-accepted
	if b == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { _ = b.Close() })
	return a, b
}

// TestWriteBoundedByQueueLimit: on a link slower than the writer, Write
// queues at most QueueLimit bytes and then waits; its deadline ends the
// wait with a timeout and says how much was queued.
func TestWriteBoundedByQueueLimit(t *testing.T) {
	p := startPeer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	n := newNetwork(t, netem.Conditions{Up: 1000}) // a kilobyte a second
	c := dial(t, n, p.addr())
	_ = c.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	written, err := c.Write(make([]byte, 3*netem.QueueLimit))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Write on a full link: %v, want its deadline to end it", err)
	}
	if written <= 0 || written > netem.QueueLimit {
		t.Errorf("Write queued %d bytes, want some and at most QueueLimit (%d)", written, netem.QueueLimit)
	}
	// What is queued would take 17 minutes: going offline drops it.
	if err := n.Set(netem.Conditions{Offline: true}); err != nil {
		t.Fatal(err)
	}
}
