package netem_test

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// safetyNet bounds every wait so a broken build fails instead of hanging.
// It is never an assertion about speed.
const safetyNet = 20 * time.Second

// peer is a loopback TCP server that runs serve on each connection it
// accepts, and waits for them on Close.
type peer struct {
	ln net.Listener
	wg sync.WaitGroup
}

func startPeer(t testing.TB, serve func(net.Conn)) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{ln: ln}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(safetyNet))
				serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		p.wg.Wait()
	})
	return p
}

func (p *peer) addr() string { return p.ln.Addr().String() }

// echo sends back what it reads.
func echo(c net.Conn) { _, _ = io.Copy(c, c) }
