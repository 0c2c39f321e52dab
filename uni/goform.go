package uni

import (
	"context"
	"fmt"

	"github.com/unisocket/unisocket/internal/wire"
)

// Dial connects like ConnectSocket and waits until the socket is open. It
// is the Go form of uni-app's Promise form: instead of a Promise that
// resolves when the attempt is issued, it returns the open task, or an
// *Error whose ErrMsg is the errMsg the error event carried. If ctx ends
// first, the handshake is abandoned (as closing before open does) and
// ctx's error is returned.
//
// Dial waits for the network, not for the App's Executor, so it may be
// called inside Run to add listeners in the same turn. The task it returns
// is OPEN: the caller has seen it open, so its readyState moves when Dial
// returns rather than when the open event is delivered; listeners still
// receive the open event.
//
// The task is registered like any other, so the global API and listeners
// see it. Messages are kept for Receive from the moment the task exists,
// so none is missed; a program that never calls Receive should use
// ConnectSocket and OnMessage instead.
func (a *App) Dial(ctx context.Context, opts ConnectSocketOptions) (*SocketTask, error) {
	t, err := a.connectSocket(&opts, true)
	if err != nil {
		return nil, err
	}
	select {
	case <-t.opened:
	case <-ctx.Done():
		t.Abort()
		<-t.done
		return nil, ctx.Err()
	}
	t.mu.Lock()
	failure, early := t.failure, t.early
	open := t.handshake != nil
	if open && t.state == StateConnecting {
		t.state = StateOpen
	}
	t.mu.Unlock()
	if !open {
		errMsg := describe(failure)
		if early {
			errMsg = causeClosedEarly
		}
		return nil, &Error{ErrMsg: errMsg, Err: failure}
	}
	return t, nil
}

// Abort ends the socket without a close handshake, whatever the profile's
// rules: a handshake in progress is abandoned, an open connection is cut.
// The task then reports an error and a close with code 1006, as a browser
// does when it fails a connection. It does nothing once the task is
// CLOSED.
func (t *SocketTask) Abort() {
	t.mu.Lock()
	if t.state == StateClosed {
		t.mu.Unlock()
		return
	}
	stop := t.abandon()
	t.mu.Unlock()
	stop()
}

// Receive returns the next message: Data is a string for a text message
// and a []byte for a binary one. Once the socket is closed and every kept
// message was returned, it returns a *CloseError. Messages are kept from
// the task's creation when it came from Dial, and from the first call to
// Receive otherwise. Receive is safe for concurrent use; each message goes
// to one caller.
func (t *SocketTask) Receive(ctx context.Context) (OnMessageResult, error) {
	in := t.inbox.Load()
	if in == nil {
		t.inbox.CompareAndSwap(nil, newInbox(t.rx))
		in = t.inbox.Load()
		t.mu.Lock()
		closed := t.closed
		failure := t.failure
		t.mu.Unlock()
		if closed != nil {
			in.end(&CloseError{Code: closed.Code, Reason: closed.Reason, Err: failure})
		}
	}
	return in.pop(ctx)
}

// Write sends a message and waits until it was written to the connection.
// data is a string (text message) or a []byte (binary message); the slice
// is not kept after Write returns. When no other write is pending, Write
// writes on the calling goroutine.
//
// If ctx ends while the message waits behind others, Write returns ctx's
// error and the message is still sent in its turn.
func (t *SocketTask) Write(ctx context.Context, data any) error {
	binary, payload, text, err := encodeData(data, false)
	if err != nil {
		return err
	}
	conn, err := t.openConn()
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	op := writeOp{binary: binary, data: payload, text: text, done: func(err error) { done <- err }}
	err, queued := t.writeNow(conn, op)
	if !queued {
		return wrapWriteErr(err)
	}
	select {
	case err := <-done:
		return wrapWriteErr(err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func wrapWriteErr(err error) error {
	if err == nil {
		return nil
	}
	if writeCause(err) == causeNotConnected {
		return fmt.Errorf("unisocket: write failed: %s (%w)", causeNotConnected, err)
	}
	return fmt.Errorf("unisocket: write failed: %w", err)
}

// Shutdown closes the socket with code and reason (the rules of Close;
// code 0 means 1000) and waits until the connection is over or ctx ends.
// A socket still connecting is abandoned, whatever the profile. It returns nil when
// the socket closed with the code and reason asked for, and otherwise a
// *CloseError with the close event's payload.
func (t *SocketTask) Shutdown(ctx context.Context, code int, reason string) error {
	if code == 0 {
		code = 1000
	}
	if err := ValidateCloseTexts(code, reason, t.app.profile.CloseTexts); err != nil {
		return &Error{ErrMsg: failResult(apiCloseSocket, err.Error()).ErrMsg, Err: err}
	}
	// By the network's state, not the one callbacks see: a connection
	// open with its open event still queued gets a close handshake.
	t.mu.Lock()
	switch {
	case t.state == StateClosing || t.state == StateClosed:
		t.mu.Unlock()
	case t.conn != nil:
		t.startClose(code, reason)
		t.mu.Unlock()
	default:
		stop := t.abandon()
		t.mu.Unlock()
		stop()
	}
	select {
	case <-t.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	t.mu.Lock()
	closed, failure := t.closed, t.failure
	t.mu.Unlock()
	if closed != nil && (closed.Code != code || closed.Reason != reason) {
		return &CloseError{Code: closed.Code, Reason: closed.Reason, Err: failure}
	}
	return nil
}

// Ping sends a ping and waits for the server's pong or ctx's end. uni-app
// has no ping API (hosts keep connections alive themselves); it is here
// for Go programs and the CLI. The socket must be open.
func (t *SocketTask) Ping(ctx context.Context) error {
	conn, err := t.openConn()
	if err != nil {
		return err
	}
	return conn.Ping(ctx)
}

// openConn returns the connection if the task is OPEN, by the same rule
// as Send.
func (t *SocketTask) openConn() (*wire.Conn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != StateOpen {
		return nil, fmt.Errorf("%s: the socket is %s", causeTaskNotOpen, t.state)
	}
	return t.conn, nil
}
