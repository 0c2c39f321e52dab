package uni

import (
	"errors"
	"fmt"
	"net"

	"github.com/unisocket/unisocket/internal/wire"
	"github.com/unisocket/unisocket/platform"
)

// SendSocketMessageOptions are the options of SocketTask.Send and
// sendSocketMessage.
type SendSocketMessageOptions struct {
	// Data is the message: a string is sent as a text message, a []byte as
	// a binary one (it is copied, so the caller may reuse it).
	Data any

	// Success runs once the message was written to the connection; Fail
	// when it could not be, naming why. One of them always runs.
	Success  func(GeneralCallbackResult)
	Fail     func(GeneralCallbackResult)
	Complete func(GeneralCallbackResult)
}

func (o *SendSocketMessageOptions) callbacks() Callbacks {
	return Callbacks{Success: o.Success, Fail: o.Fail, Complete: o.Complete}
}

// Send sends a message. It returns at once; the result callbacks run on the
// App's Executor once the message was written, or failed to be, and before
// any message read after the write began. On a profile that reports
// results at call time (platform.ResultAtCall, h5) they run before Send
// returns, on the calling goroutine: success means the message is queued.
// Messages sent from one goroutine are written in the order given.
//
// Sending before the socket opens fails with
// "sendSocketMessage:fail SocketTask.readyState is not OPEN". Messages
// wait in the socket's queue until written; when the queue holds
// Config.MaxBufferedAmount bytes, Send fails with
// "sendSocketMessage:fail the send buffer is full: …" (see ErrBufferFull
// and BufferedAmount) and the message is not sent.
func (t *SocketTask) Send(opts SendSocketMessageOptions) {
	t.send(opts.callbacks(), opts.Data, false)
}

// send queues data. borrowed is true when the caller guarantees it keeps
// data unchanged (the Write path, which waits).
func (t *SocketTask) send(cb Callbacks, data any, borrowed bool) {
	a := t.app
	binary, payload, text, err := encodeData(data, !borrowed)
	if err != nil {
		a.result(cb, failResult(apiSendSocketMessage, err.Error()))
		return
	}
	t.mu.Lock()
	if t.state != StateOpen {
		t.mu.Unlock()
		res := failResult(apiSendSocketMessage, causeTaskNotOpen)
		if a.profile.SendErrCode {
			res.ErrCode = ErrCodeNotOpen
		}
		a.result(cb, res)
		return
	}
	conn := t.conn
	op := writeOp{binary: binary, data: payload, text: text}
	atCall := a.profile.Results == platform.ResultAtCall
	if cb.HasAny() && !atCall {
		op.ordered = true
		op.done = func(err error) {
			if err != nil {
				a.result(cb, failResult(apiSendSocketMessage, writeCause(err)))
			} else {
				a.result(cb, okResult(apiSendSocketMessage))
			}
		}
	}
	// Queued under t.mu so a concurrent Close cannot slip its close frame
	// in between the state check and the queue.
	err = t.enqueue(conn, op)
	t.mu.Unlock()
	switch {
	case err != nil:
		a.result(cb, failResult(apiSendSocketMessage, err.Error()))
	case atCall:
		// In the queue is sent, as for a browser's WebSocket.send.
		a.result(cb, okResult(apiSendSocketMessage))
	}
}

// writeCause names why a queued message was not written. A connection
// that ended while the message waited (the server's close frame was
// answered, or the connection dropped) is simply not connected any more.
func writeCause(err error) string {
	if errors.Is(err, wire.ErrNotConnected) || errors.Is(err, net.ErrClosed) {
		return causeNotConnected
	}
	return fmt.Sprintf("the message was not sent: %v", err)
}

var errBadData = errors.New(causeBadSendPayload)

// encodeData checks a message payload: a text message's string s, kept
// as it is (a string never changes, and wire masks it into its own frame
// buffer), or a binary message's bytes p, copied unless borrowed.
func encodeData(data any, copyBytes bool) (binary bool, p []byte, s string, err error) {
	switch d := data.(type) {
	case string:
		return false, nil, d, nil
	case []byte:
		if !copyBytes {
			return true, d, "", nil
		}
		return true, append([]byte(nil), d...), "", nil
	case nil:
		return false, nil, "", fmt.Errorf("%s, got nothing (data is required)", causeBadSendPayload)
	default:
		return false, nil, "", fmt.Errorf("%s, got %T", causeBadSendPayload, data)
	}
}

// result delivers the outcome of a send or close: on the Executor, after
// every event already queued, or at once on the calling goroutine where
// the profile reports results at call time. The caller holds no lock.
func (a *App) result(cb Callbacks, res GeneralCallbackResult) {
	if !cb.HasAny() {
		return
	}
	if a.profile.Results == platform.ResultAtCall {
		a.callResult(cb, res)
		return
	}
	a.exec.Execute(func() { a.callResult(cb, res) })
}
