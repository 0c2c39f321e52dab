package wire

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// endKind is one way a connection ends; run drives both ends of one
// connection to that end and returns once both are over.
type endKind struct {
	name string
	opts DialOptions
	// server runs on the server's end after the handshake.
	server func(p *peer)
	// client runs after Dial, with the reader's result channel; it returns
	// once the reader ended.
	client func(c *Conn, ended <-chan error) error
	// status, when set, makes the server refuse the handshake with it.
	status int
}

func waitReader(ended <-chan error) error {
	select {
	case err := <-ended:
		var ce *ClosedError
		if !errors.As(err, &ce) {
			return fmt.Errorf("reader ended with %v", err)
		}
		return nil
	case <-time.After(safety):
		return errors.New("the reader did not end")
	}
}

// drain reads what the client sends until it closes the connection.
func drain(p *peer) { _, _ = io.Copy(io.Discard, p.br) }

var endKinds = []endKind{
	{name: "clean-server-close", server: func(p *peer) {
		_, _ = p.c.Write(closeFrame(1000, "bye"))
		drain(p)
	}, client: func(c *Conn, ended <-chan error) error { return waitReader(ended) }},
	{name: "clean-client-close", server: func(p *peer) {
		for i := 0; i < 100; i++ {
			f, err := p.read()
			if err != nil {
				return
			}
			if f.op == opClose {
				_, _ = p.c.Write(frame(true, 0, opClose, f.payload))
				break
			}
		}
		drain(p)
	}, client: func(c *Conn, ended <-chan error) error {
		if err := c.Close(1000, "done"); err != nil {
			return err
		}
		return waitReader(ended)
	}},
	{name: "drop", server: func(p *peer) {
		_, _ = p.c.Write(text("last"))
	}, client: func(c *Conn, ended <-chan error) error { return waitReader(ended) }},
	{name: "reset", server: func(p *peer) {
		if tc, ok := p.c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	}, client: func(c *Conn, ended <-chan error) error { return waitReader(ended) }},
	{name: "over-limit", opts: DialOptions{ReadLimit: 64}, server: func(p *peer) {
		_, _ = p.c.Write(binFrame(make([]byte, 1000)))
		drain(p)
	}, client: func(c *Conn, ended <-chan error) error { return waitReader(ended) }},
	{name: "close-timeout", opts: DialOptions{CloseTimeout: 20 * time.Millisecond}, server: drain,
		client: func(c *Conn, ended <-chan error) error {
			_ = c.Close(1000, "")
			return waitReader(ended)
		}},
	{name: "abort", server: drain, client: func(c *Conn, ended <-chan error) error {
		c.Abort()
		return waitReader(ended)
	}},
	{name: "handshake-failure", status: http.StatusNotFound},
}

// serveKind accepts connections for kind until the listener closes. The
// client counts each connection in wg before dialling; the server marks it
// done once its end is over.
func serveKind(ln net.Listener, kind endKind, wg *sync.WaitGroup) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(safety))
			if kind.status != 0 {
				br := bufio.NewReader(c)
				if _, err := http.ReadRequest(br); err == nil {
					fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", kind.status, http.StatusText(kind.status))
				}
				return
			}
			s := &rawServer{ln: singleConnListener{c}}
			p, err := s.handshake("", nil)
			if err != nil {
				return
			}
			kind.server(p)
		}()
	}
}

// singleConnListener hands rawServer.handshake one accepted connection.
type singleConnListener struct{ c net.Conn }

func (l singleConnListener) Accept() (net.Conn, error) { return l.c, nil }
func (l singleConnListener) Close() error              { return nil }
func (l singleConnListener) Addr() net.Addr            { return l.c.LocalAddr() }

// runConns makes n connections of kind, conc at a time.
func runConns(t *testing.T, url string, tr *Transport, kind endKind, n, conc int, srvWG *sync.WaitGroup) {
	var (
		failures atomic.Int32
		first    atomic.Value
		sem      = make(chan struct{}, conc)
		wg       sync.WaitGroup
	)
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		srvWG.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := oneConn(url, tr, kind)
			if err != nil && failures.Add(1) == 1 {
				first.Store(err)
			}
		}()
	}
	wg.Wait()
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d connections went wrong; the first: %v", n, first.Load())
	}
	done := make(chan struct{})
	go func() { srvWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(safety):
		t.Fatal("the server's ends of the connections did not finish")
	}
}

func oneConn(url string, tr *Transport, kind endKind) error {
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	opts := kind.opts
	opts.URL, opts.Transport = url, tr
	c, _, err := Dial(ctx, opts)
	if kind.status != 0 {
		var he *HandshakeError
		if !errors.As(err, &he) || he.Kind != KindStatus {
			return fmt.Errorf("Dial = %v, want a status failure", err)
		}
		return nil
	}
	if err != nil {
		return err
	}
	ended := make(chan error, 1)
	go func() {
		for i := 0; i < 100; i++ {
			if _, err := c.Read(); err != nil {
				ended <- err
				return
			}
		}
		ended <- errors.New("no end after 100 messages")
	}()
	return kind.client(c, ended)
}

func heapAlloc() uint64 {
	var ms runtime.MemStats
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestNoMemoryRetainedAfterEnd: whatever way a connection ends, nothing
// of it stays in memory. For each kind of end, 3,000 connections against
// a loopback server; once they are over, the live heap is back within 100
// bytes per connection of where it was. (coder/websocket kept about 10 KB
// of every connection that ended without a close frame.)
func TestNoMemoryRetainedAfterEnd(t *testing.T) {
	const (
		conc     = 16
		perConn  = 100
		warmRuns = 300
	)
	n := 3000
	if raceEnabled {
		n = 1000
	}
	for _, kind := range endKinds {
		t.Run(kind.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var srvWG sync.WaitGroup
			go serveKind(ln, kind, &srvWG)
			defer func() { _ = ln.Close() }()
			url := "ws://" + ln.Addr().String() + "/"
			tr := NewTransport(TransportOptions{})
			// Warm up: goroutines, pools and the runtime's tables reach the
			// size this concurrency needs, and stay there.
			runConns(t, url, tr, kind, warmRuns, conc, &srvWG)
			before := heapAlloc()
			runConns(t, url, tr, kind, n, conc, &srvWG)
			after := heapAlloc()
			grown := int64(after) - int64(before)
			t.Logf("%s: heap %d -> %d bytes over %d connections (%+.1f B per connection)",
				kind.name, before, after, n, float64(grown)/float64(n))
			if grown > int64(n*perConn) {
				t.Errorf("%s: the heap grew by %d bytes over %d connections (%.1f B per connection), want at most %d per connection",
					kind.name, grown, n, float64(grown)/float64(n), perConn)
			}
			runtime.KeepAlive(tr)
		})
	}
}

// countingConn reports each Read call made once at least after bytes
// were read from it.
type countingConn struct {
	net.Conn
	read  atomic.Int64
	after atomic.Int64
	calls chan struct{}
}

func (c *countingConn) Read(p []byte) (int, error) {
	if c.read.Load() >= c.after.Load() {
		select {
		case c.calls <- struct{}{}:
		default:
		}
	}
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// TestHeaderDoesNotDecideAllocation: a server announcing a 16 MiB frame
// and sending one byte of it costs the client at most the pre-size cap,
// not 16 MiB.
func TestHeaderDoesNotDecideAllocation(t *testing.T) {
	srv := newRawServer(t, nil)
	ch := srv.serve("", nil)
	var cc *countingConn
	tr := NewTransport(TransportOptions{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cc = &countingConn{Conn: c, calls: make(chan struct{}, 1)}
		cc.after.Store(1 << 62)
		return cc, nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	c, _, err := Dial(ctx, DialOptions{URL: srv.url, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.p.c.Close()
	// 10 bytes of header, 1 of payload: once the client has read them and
	// comes back for more, it has made its buffer for the message.
	cc.after.Store(cc.read.Load() + 11)
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	ended := make(chan error, 1)
	go func() {
		_, err := c.Read()
		ended <- err
	}()
	hdr := []byte{0x82, 127, 0, 0, 0, 0, 0x01, 0, 0, 0} // 16 MiB
	if _, err := r.p.c.Write(append(hdr, 'x')); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cc.calls: // a Read call after the 11 bytes: the message buffer exists
	case <-time.After(safety):
		t.Fatal("the client did not come back for the rest of the frame")
	}
	runtime.ReadMemStats(&ms1)
	allocated := ms1.TotalAlloc - ms0.TotalAlloc
	t.Logf("allocated %d bytes after a 16 MiB frame header and 1 byte", allocated)
	if allocated > 1<<20 {
		t.Errorf("the client allocated %d bytes for a frame that announced 16 MiB and sent 1 byte; want the allocation to follow the bytes received", allocated)
	}
	c.Abort()
	select {
	case <-ended:
	case <-time.After(safety):
		t.Fatal("Read did not end after Abort")
	}
}

// TestIdleConnHoldsNoReadBuffer: between messages a ws:// connection
// keeps no read buffer: the reader waits for the next frame without one.
func TestIdleConnHoldsNoReadBuffer(t *testing.T) {
	srv := newRawServer(t, nil)
	ch := srv.serve("", text("early"))
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	c, _, err := Dial(ctx, DialOptions{URL: srv.url, Transport: NewTransport(TransportOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Abort()
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.p.c.Close()
	r.p.t = t
	// The first message came with the 101 answer, from net/http's buffer;
	// the second from the connection itself.
	for _, want := range []string{"early", "later"} {
		if want == "later" {
			r.p.send(text(want))
		}
		m, err := c.Read()
		if err != nil || m.Text != want {
			t.Fatalf("Read = %v, %v; want %q", m, err, want)
		}
		if want == "later" && c.r.buf != nil {
			t.Errorf("the connection keeps a %d-byte read buffer while idle", len(*c.r.buf))
		}
	}
}
