package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
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
	pings         map[uint64]chan struct{} // Ping's waiters, by payload
	pingSeq       uint64
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
	for id, ch := range c.pings {
		close(ch)
		delete(c.pings, id)
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

// Ping sends a ping and waits for its pong. A reader must be running.
func (c *Conn) Ping(ctx context.Context) error {
	ch := make(chan struct{})
	c.mu.Lock()
	if c.end != nil {
		c.mu.Unlock()
		return ErrNotConnected
	}
	c.pingSeq++
	id := c.pingSeq
	if c.pings == nil {
		c.pings = make(map[uint64]chan struct{})
	}
	c.pings[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pings, id)
		c.mu.Unlock()
	}()
	if c.closing.Load() {
		return ErrNotConnected
	}
	var p [8]byte
	binary.BigEndian.PutUint64(p[:], id)
	if err := c.writeControl(opPing, p[:]); err != nil {
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

// pongReceived wakes the Ping that sent payload p.
func (c *Conn) pongReceived(p []byte) {
	if len(p) != 8 {
		return // not one of ours: unsolicited pongs are allowed
	}
	id := binary.BigEndian.Uint64(p)
	c.mu.Lock()
	if ch, ok := c.pings[id]; ok {
		close(ch)
		delete(c.pings, id)
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
