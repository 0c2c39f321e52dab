package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Close codes the client reports or sends.
const (
	CodeNormal         = 1000
	CodeProtocolError  = 1002
	CodeNoStatus       = 1005
	CodeAbnormal       = 1006
	CodeInvalidPayload = 1007
	CodeMessageTooBig  = 1009
	CodeInternalError  = 1011
)

// Message is one received data message. Text holds a text message's
// payload; Data holds a binary message's payload, owned by the caller.
type Message struct {
	Binary bool
	Text   string
	Data   []byte
}

// CloseFrame is a close code and reason.
type CloseFrame struct {
	Code   int
	Reason string
}

// Conn is an open WebSocket connection. Read must be called from one
// goroutine at a time; every other method is safe for concurrent use.
type Conn struct {
	// body is the upgraded stream net/http handed over (the 101 response's
	// body): plaintext, above TLS for wss://. raw is the TCP connection
	// beneath it (or the proxy tunnel), closed to cut the connection
	// without blocking. For ws:// without a proxy buffer in between, plain
	// is raw as well: reads and writes go to it directly once net/http's
	// read buffer is empty (see upgradeConn).
	body  io.ReadWriteCloser
	raw   net.Conn
	plain *upgradeConn
	w     io.Writer // where frames are written: plain's conn or body

	closeTimeout time.Duration
	readLimit    int64    // the largest message accepted; negative: no limit
	deflate      *deflate // nil unless permessage-deflate was negotiated

	// readMu is held while frames are read: by Read, or by Close waiting
	// for the answer to its close frame when nobody reads.
	readMu sync.Mutex
	r      frameReader // under readMu

	// writeMu serialises frames; werr is the first write error, after which
	// the stream is broken (a frame may be half written).
	writeMu sync.Mutex
	werr    error

	closing atomic.Bool // our close frame is sent (or being sent)
	over    atomic.Bool // reading ended; end is set

	mu            sync.Mutex
	end           *ClosedError // how the connection ended, once it did
	sent          *CloseFrame  // the close frame we sent, once we sent one
	cut           *time.Timer  // the close timeout, once started
	closeTimedOut bool
	aborted       bool
	pings         map[string][]chan struct{} // waiting pings, by payload
	pingSeq       uint64

	onPing func(p []byte) // DialOptions.OnPing
}

// Read returns the next data message. Control frames are handled inside.
// Once the connection is over it returns a *ClosedError.
func (c *Conn) Read() (Message, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	if c.over.Load() {
		return Message{}, c.endError()
	}
	m, err := c.readMessage()
	if err != nil {
		return Message{}, err
	}
	return m, nil
}

func (c *Conn) endError() *ClosedError {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.end
}

// finish records how the connection ended and releases everything it
// held: the TCP connection is closed whatever the end (RFC 6455 7.1.1:
// the client closes it once the close handshake is over; at once after a
// failure, 7.1.7), and so are the close timer and the buffers. It returns
// the end to report. Called with readMu held.
func (c *Conn) finish(ce *ClosedError) *ClosedError {
	_ = c.raw.Close()
	_ = c.body.Close()
	c.r.release()
	c.mu.Lock()
	if c.cut != nil {
		c.cut.Stop()
	}
	// A read that failed because Abort or the close timer cut the
	// connection reports that cause, not the read error it caused.
	var dropped *DroppedError
	switch {
	case !errors.As(ce.Err, &dropped):
	case c.aborted:
		ce = &ClosedError{Code: CodeAbnormal, Err: ErrAborted}
	case c.closeTimedOut:
		ce = &ClosedError{Code: CodeAbnormal, Err: &CloseTimeoutError{Timeout: c.closeTimeout}}
	}
	c.end = ce
	for key, ws := range c.pings {
		for _, ch := range ws {
			close(ch)
		}
		delete(c.pings, key)
	}
	c.mu.Unlock()
	if c.deflate != nil {
		c.writeMu.Lock() // the compressor is the writers'
		c.deflate.release()
		c.writeMu.Unlock()
	}
	c.over.Store(true)
	return ce
}

// failed ends the connection after the server broke the protocol, sent
// invalid UTF-8 or a message over the limit: the close frame with code
// goes out (unless ours already did), then the TCP connection is closed
// without waiting for an answer. Called with readMu held.
func (c *Conn) failed(code int, reason string, cause error) *ClosedError {
	if c.closing.CompareAndSwap(false, true) {
		c.mu.Lock()
		c.sent = &CloseFrame{Code: code, Reason: reason}
		c.mu.Unlock()
		// The timer bounds a write the server does not read.
		c.StartCloseTimer()
		_ = c.writeControl(opClose, encodeClose(code, reason))
	}
	return c.finish(&ClosedError{Code: CodeAbnormal, Err: cause})
}

// dropped ends the connection after reading from it failed.
func (c *Conn) dropped(err error) *ClosedError {
	return c.finish(&ClosedError{Code: CodeAbnormal, Err: &DroppedError{Err: err}})
}

// closeReceived handles the server's close frame: it is echoed unless we
// started the close, and the connection ends cleanly.
func (c *Conn) closeReceived(p []byte) *ClosedError {
	code, reason, v := checkClosePayload(p)
	if v != nil {
		return c.failed(v.Code, v.Reason, v)
	}
	ce := &ClosedError{Code: code, Reason: reason, Clean: true}
	if c.closing.CompareAndSwap(false, true) {
		c.mu.Lock()
		c.sent = &CloseFrame{Code: code, Reason: reason}
		c.mu.Unlock()
		c.StartCloseTimer()
		_ = c.writeControl(opClose, encodeClose(code, reason))
	} else {
		c.mu.Lock()
		if c.sent != nil {
			// We started the close; the answer only confirms it.
			ce.Code, ce.Reason = c.sent.Code, c.sent.Reason
		}
		c.mu.Unlock()
	}
	return c.finish(ce)
}

// Close starts the close handshake with code and reason and waits for it,
// at most the close timeout; then the connection is cut. The caller
// validates code and reason. Only the first call sends a frame.
func (c *Conn) Close(code int, reason string) error {
	if !c.closing.CompareAndSwap(false, true) {
		return nil
	}
	c.mu.Lock()
	c.sent = &CloseFrame{Code: code, Reason: reason}
	c.mu.Unlock()
	c.StartCloseTimer()
	err := c.writeControl(opClose, encodeClose(code, reason))
	// Wait for the answer: the reader, if one is running, takes it and
	// ends the connection; otherwise it is read here.
	c.readMu.Lock()
	for !c.over.Load() {
		if err != nil {
			c.dropped(err)
			break
		}
		_, _ = c.readMessage() // data after our close frame is dropped
	}
	c.readMu.Unlock()
	if err != nil && c.endError().Clean {
		err = nil
	}
	if err != nil {
		return ErrNotConnected
	}
	return nil
}

// StartCloseTimer starts the close timeout now: if the close handshake is
// not over by then, the connection is cut and Read reports a
// *CloseTimeoutError. Close starts it too; a caller that queues the close
// frame behind other writes starts it when the close is asked for, so a
// write the peer never reads cannot hold the close up for ever. Only the
// first call starts a timer.
func (c *Conn) StartCloseTimer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cut == nil && c.end == nil {
		c.cut = time.AfterFunc(c.closeTimeout, func() {
			c.mu.Lock()
			c.closeTimedOut = c.end == nil
			c.mu.Unlock()
			_ = c.raw.Close()
		})
	}
}

// Abort cuts the connection without a close handshake.
func (c *Conn) Abort() {
	c.mu.Lock()
	c.aborted = c.end == nil
	c.mu.Unlock()
	_ = c.raw.Close()
}

// Ping sends a ping with a payload of its own choosing and waits for its
// pong. A reader must be running.
func (c *Conn) Ping(ctx context.Context) error {
	c.mu.Lock()
	c.pingSeq++
	var p [8]byte
	binary.BigEndian.PutUint64(p[:], c.pingSeq)
	c.mu.Unlock()
	return c.ping(ctx, p[:])
}

// PingPayload sends a ping carrying p, at most 125 bytes, and waits for a
// pong carrying the same bytes. A reader must be running. Pings sent at
// the same time with the same payload are all answered by the first pong
// that carries it: the protocol cannot tell them apart.
func (c *Conn) PingPayload(ctx context.Context, p []byte) error {
	if len(p) > maxControlPayload {
		return &ControlPayloadError{Frame: "ping", Len: len(p)}
	}
	return c.ping(ctx, p)
}

func (c *Conn) ping(ctx context.Context, p []byte) error {
	ch := make(chan struct{})
	key := string(p)
	c.mu.Lock()
	if c.end != nil {
		c.mu.Unlock()
		return ErrNotConnected
	}
	if c.pings == nil {
		c.pings = make(map[string][]chan struct{})
	}
	c.pings[key] = append(c.pings[key], ch)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		if rest := slices.DeleteFunc(c.pings[key], func(w chan struct{}) bool { return w == ch }); len(rest) > 0 {
			c.pings[key] = rest
		} else {
			delete(c.pings, key)
		}
		c.mu.Unlock()
	}()
	if c.closing.Load() {
		return ErrNotConnected
	}
	if err := c.writeControl(opPing, p); err != nil {
		return err
	}
	select {
	case <-ch:
		if c.over.Load() {
			return ErrNotConnected
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pong sends an unsolicited pong carrying p, at most 125 bytes: a
// heartbeat that expects no answer (RFC 6455 5.5.3). Pings are answered
// without it.
func (c *Conn) Pong(p []byte) error {
	if len(p) > maxControlPayload {
		return &ControlPayloadError{Frame: "pong", Len: len(p)}
	}
	if c.closing.Load() || c.over.Load() {
		return ErrNotConnected
	}
	return c.writeControl(opPong, p)
}

// pongReceived wakes the pings that carried payload p. A pong nobody
// waits for is allowed and ignored.
func (c *Conn) pongReceived(p []byte) {
	c.mu.Lock()
	if ws, ok := c.pings[string(p)]; ok {
		for _, ch := range ws {
			close(ch)
		}
		delete(c.pings, string(p))
	}
	c.mu.Unlock()
}

// upgradeConn is the TCP connection (or proxy tunnel) of a ws://
// handshake. net/http reads the 101 response through a buffer of its own
// and hands the bytes after it on through the response body; the body
// reads the connection itself once that buffer is empty. A Read here
// after the handshake therefore means net/http holds nothing more, and
// the Conn can read the connection directly.
type upgradeConn struct {
	net.Conn
	upgraded atomic.Bool // the 101 response arrived
	direct   atomic.Bool // the body read the connection after it
	rc       syscall.RawConn
}

func (u *upgradeConn) Read(p []byte) (int, error) {
	if u.upgraded.Load() {
		u.direct.Store(true)
	}
	return u.Conn.Read(p)
}
