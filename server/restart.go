package server

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// Restart plays a server restart: it stops listening, so that new
// connections are refused (clients see "connection refused"), cuts every
// connection without a close frame (clients report 1006), waits
// refuseFor, then listens again on the same address. It returns once the
// server accepts again, or early if Close is called; the error says why
// the address could not be taken again.
func (s *Server) Restart(refuseFor time.Duration) error {
	s.restartMu.Lock() // one restart at a time
	defer s.restartMu.Unlock()
	if err := s.ln.pause(); err != nil {
		return err
	}
	s.logf("restart: refusing connections for %v and cutting every open one", refuseFor)
	s.cutAll()
	t := time.NewTimer(refuseFor)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.ln.closedCh():
		return fmt.Errorf("server: restart of %s: the server was closed", s.addr)
	}
	if err := s.ln.resume(); err != nil {
		return fmt.Errorf("server: restart of %s: %w", s.addr, err)
	}
	s.logf("restart: accepting connections again")
	return nil
}

// cutAll closes every client connection, those net/http serves and those
// the handler took over.
func (s *Server) cutAll() {
	s.mu.Lock()
	live := make([]net.Conn, 0, len(s.live))
	for c := range s.live {
		live = append(live, c)
	}
	s.mu.Unlock()
	for _, c := range live {
		_ = c.Close()
	}
	s.h.cutAll()
}

// cutAll closes every connection the handler has taken over; their
// sessions end as the client's would on a lost connection.
func (h *handler) cutAll() {
	h.mu.Lock()
	conns := make([]net.Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// restartListener is the server's TCP listener, which Restart closes
// and opens again on the same address while http.Server goes on
// serving it: Accept waits through the gap.
type restartListener struct {
	addr net.Addr

	mu      sync.Mutex
	ln      net.Listener  // nil while paused
	resumed chan struct{} // closed when ln is set again
	closed  chan struct{} // closed by Close
}

func newRestartListener(ln net.Listener) *restartListener {
	return &restartListener{addr: ln.Addr(), ln: ln, resumed: make(chan struct{}), closed: make(chan struct{})}
}

func (l *restartListener) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		ln, resumed := l.ln, l.resumed
		l.mu.Unlock()
		if ln == nil {
			select {
			case <-resumed:
				continue
			case <-l.closed:
				return nil, net.ErrClosed
			}
		}
		c, err := ln.Accept()
		if err == nil {
			return c, nil
		}
		l.mu.Lock()
		paused := l.ln != ln
		l.mu.Unlock()
		select {
		case <-l.closed:
			return nil, err
		default:
		}
		if !paused {
			return nil, err
		}
	}
}

// pause closes the listener: connections are refused until resume.
func (l *restartListener) pause() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.closed:
		return net.ErrClosed
	default:
	}
	if l.ln == nil {
		return nil
	}
	err := l.ln.Close()
	l.ln = nil
	return err
}

// resume listens again on the address.
func (l *restartListener) resume() error {
	ln, err := net.Listen(l.addr.Network(), l.addr.String())
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.closed:
		_ = ln.Close()
		return net.ErrClosed
	default:
	}
	l.ln = ln
	close(l.resumed)
	l.resumed = make(chan struct{})
	return nil
}

func (l *restartListener) closedCh() <-chan struct{} { return l.closed }

func (l *restartListener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.closed:
		return nil
	default:
	}
	close(l.closed)
	if l.ln != nil {
		err := l.ln.Close()
		l.ln = nil
		return err
	}
	return nil
}

func (l *restartListener) Addr() net.Addr { return l.addr }
