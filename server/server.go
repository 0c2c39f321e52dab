package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configures Start.
type Options struct {
	// Addr is the TCP address to listen on; "" means "127.0.0.1:0", a free
	// port on the loopback interface.
	Addr string
	// TLS makes the server speak wss:// with a fresh self-signed ECDSA
	// certificate valid for 127.0.0.1, ::1, localhost, the listening IP
	// address and Hosts.
	TLS bool
	// Hosts lists extra names for the certificate, e.g. "www.example.com"
	// (a client may dial 127.0.0.1 and name that host for TLS). IP
	// addresses are accepted too.
	Hosts []string
	// Logf receives one line per connection and per behaviour, and the
	// errors of the underlying http.Server. It may be called concurrently.
	// nil means silent.
	Logf func(format string, args ...any)
	// LogMessages logs each message a client sends, and each scripted
	// reply, with its type, size and first LogPayloadMax bytes (text
	// quoted, binary in hex). It needs Logf.
	LogMessages bool
	// Replies are scripted answers: a text message equal to a key is
	// answered with the key's value, as a text message, instead of its
	// echo. Other messages are echoed as usual. Behaviours that send
	// (send=, inspect=1) or end the session are unchanged.
	Replies map[string]string
}

// A Server is a running test server. Its methods are safe for concurrent
// use.
type Server struct {
	url     string
	addr    string
	certPEM []byte
	roots   *x509.CertPool

	srv    *http.Server
	h      *handler
	served chan struct{} // closed when srv.Serve has returned

	// live holds the connections net/http is serving, so that Close can
	// cut even one accepted as it shut down, and wait for their
	// goroutines. taken holds the connections a handler took over and is
	// still serving; with live it makes Active.
	mu       sync.Mutex
	live     map[net.Conn]struct{}
	taken    map[net.Conn]struct{}
	liveDone sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	ln        *restartListener
	restartMu sync.Mutex
	logf      func(format string, args ...any)
}

// Start listens on opts.Addr and serves the behaviours of the package
// documentation until Close.
func Start(opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("server: listen on %s: %w", addr, err)
	}
	tcpAddr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		_ = ln.Close()
		return nil, fmt.Errorf("server: listen on %s: got a %T address, want TCP", addr, ln.Addr())
	}

	rl := newRestartListener(ln)
	ln = rl
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	s := &Server{
		ln:     rl,
		logf:   logf,
		h:      newHandler(opts.Logf, messageFlow{log: opts.LogMessages, replies: maps.Clone(opts.Replies)}),
		served: make(chan struct{}),
		live:   map[net.Conn]struct{}{},
		taken:  map[net.Conn]struct{}{},
	}
	s.addr = net.JoinHostPort(dialHost(tcpAddr.IP), strconv.Itoa(tcpAddr.Port))
	scheme := "ws"
	if opts.TLS {
		names := opts.Hosts
		if !tcpAddr.IP.IsUnspecified() {
			names = append([]string{tcpAddr.IP.String()}, names...)
		}
		cert, certPEM, err := newCertificate(names)
		if err != nil {
			_ = ln.Close()
			return nil, fmt.Errorf("server: %w", err)
		}
		s.certPEM = certPEM
		s.roots = x509.NewCertPool()
		s.roots.AddCert(cert.Leaf)
		ln = tls.NewListener(ln, &tls.Config{
			Certificates: []tls.Certificate{cert},
			// WebSocket over HTTP/2 (RFC 8441) is not what clients test
			// here, and coder/websocket's Accept needs HTTP/1.1.
			NextProtos: []string{"http/1.1"},
			MinVersion: tls.VersionTLS12,
		})
		scheme = "wss"
	}
	s.url = scheme + "://" + s.addr

	errorLog := log.New(io.Discard, "", 0)
	if opts.Logf != nil {
		errorLog = log.New(logfWriter(opts.Logf), "", 0)
	}
	s.srv = &http.Server{
		Handler: http.HandlerFunc(s.serveHTTP),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
		// Bounds a client that connects and never sends a request; hang=1
		// holds connections only after the request is read.
		ReadHeaderTimeout: time.Minute,
		ErrorLog:          errorLog,
		ConnState:         s.connState,
	}
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(ln); err != http.ErrServerClosed && opts.Logf != nil {
			opts.Logf("server stopped serving: %v", err)
		}
	}()
	return s, nil
}

// dialHost is the address clients dial to reach a listener on ip: the
// loopback address when the listener is on every interface (a dual-stack
// listener on "::" accepts IPv4 too).
func dialHost(ip net.IP) string {
	if ip == nil || ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return ip.String()
}

func (s *Server) connState(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch state {
	case http.StateNew:
		s.live[c] = struct{}{}
		s.liveDone.Add(1)
	case http.StateHijacked, http.StateClosed:
		// net/http reports exactly one of these for each new connection;
		// a hijacked one is then the handler's to cut.
		if _, ok := s.live[c]; ok {
			delete(s.live, c)
			s.liveDone.Done()
			if state == http.StateHijacked {
				s.taken[c] = struct{}{}
			}
		}
	}
}

// connKey is the request context key under which ConnContext stores the
// request's connection.
type connKey struct{}

// serveHTTP serves one request and then forgets its connection if the
// handler took it over: the handler is done with it.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.h.ServeHTTP(w, r)
	if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
		s.mu.Lock()
		delete(s.taken, c)
		s.mu.Unlock()
	}
}

// Active returns how many client connections the server holds now:
// connections net/http is reading requests from or answering (handshakes
// in progress, rejected handshakes kept alive for another request) plus
// those taken over whose session has not ended (open WebSockets, hang=1).
// Once every client has gone, it drops to 0 when the server's last
// goroutine for them is returning; tests wait for that before measuring
// memory or goroutines.
func (s *Server) Active() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live) + len(s.taken)
}

// URL returns the server's base URL, "ws://127.0.0.1:PORT" or
// "wss://127.0.0.1:PORT", without a trailing slash. Append a path and a
// query to choose a behaviour.
func (s *Server) URL() string { return s.url }

// Addr returns the address clients dial, "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.addr }

// CertPEM returns the PEM encoding of the server's certificate, or nil
// without TLS.
func (s *Server) CertPEM() []byte { return bytes.Clone(s.certPEM) }

// ClientTLSConfig returns a new TLS client configuration that trusts the
// server's certificate, or nil without TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.roots == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.roots}
}

// Close stops listening, cuts every connection (upgraded, delayed or held
// by hang=1) without a close handshake, and waits until every goroutine the
// server started has returned. Calls after the first return the first
// call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if err := s.srv.Close(); err != nil {
			s.closeErr = fmt.Errorf("server: close %s: %w", s.addr, err)
		}
		<-s.served
		_ = s.h.Close()
		s.mu.Lock()
		for c := range s.live {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.liveDone.Wait()
	})
	return s.closeErr
}

// logfWriter turns the http.Server's log output into Logf lines.
type logfWriter func(format string, args ...any)

func (w logfWriter) Write(p []byte) (int, error) {
	w("%s", strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
