package uni

import (
	"context"
	"errors"

	"github.com/unisocket/unisocket/internal/wire"
)

// ConnectSocket starts a WebSocket connection and returns its task.
//
// Success means the attempt was issued, not that the socket is open; it,
// or Fail, and then Complete run on the caller's goroutine before
// ConnectSocket returns. The socket
// reports its outcome through the task's and the App's listeners: open,
// or error then close (code 1006) when the handshake fails.
//
// When the options are invalid, Fail runs with
// "connectSocket:fail <cause>" and the returned task is CLOSED, never
// registered, and emits no events.
//
// uni-app returns a Promise instead of the task when no callback is given;
// Go code that wants to wait for the socket to open uses Dial instead.
func (a *App) ConnectSocket(opts ConnectSocketOptions) *SocketTask {
	t, _ := a.connectSocket(&opts, false)
	return t
}

// connectSocket creates, registers and starts a task. keep turns on the
// inbox before any message can arrive.
func (a *App) connectSocket(opts *ConnectSocketOptions, keep bool) (*SocketTask, error) {
	cb := opts.callbacks()
	t := newTask(a, opts.URL)
	if keep {
		t.inbox.Store(newInbox(t.rx))
	}
	p, timeout, err := a.plan(opts)
	var ctx context.Context
	if err == nil {
		// The handshake's context exists before admit publishes the task
		// in the registry, where a concurrent closeSocket may abort it.
		ctx, t.cancel = context.WithTimeout(context.Background(), timeout)
		if err = a.admit(t, opts.Multiple); err != nil {
			t.cancel()
		}
	}
	if err != nil {
		t.state = StateClosed
		t.failure = err
		close(t.opened)
		close(t.done)
		res := failResult(apiConnectSocket, err.Error())
		a.callResult(cb, res)
		return t, &Error{ErrMsg: res.ErrMsg, Err: err}
	}
	a.callResult(cb, okResult(apiConnectSocket))
	p.OnPing = t.pingReceived // ping.go
	go t.connect(ctx, p)
	return t, nil
}

// Error is a failed call's error: ErrMsg is the errMsg uni-app would
// report, Err the underlying cause.
type Error struct {
	ErrMsg string
	Err    error
}

// Error returns ErrMsg.
func (e *Error) Error() string { return e.ErrMsg }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// describe returns the errMsg of an error event for a failed handshake.
func describe(err error) string {
	var he *wire.HandshakeError
	if errors.As(err, &he) && he.Kind == wire.KindAborted {
		return causeClosedEarly
	}
	return err.Error()
}
