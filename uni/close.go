package uni

import (
	"fmt"
	"unicode/utf8"

	"github.com/unisocket/unisocket/internal/wire"
	"github.com/unisocket/unisocket/platform"
)

// MaxCloseReasonBytes is the longest close reason, in UTF-8 bytes.
const MaxCloseReasonBytes = 123

// CloseSocketOptions are the options of SocketTask.Close and closeSocket.
type CloseSocketOptions struct {
	// Code is the close code: 1000 (the default; 0 also means 1000) or
	// 3000–4999.
	Code int
	// Reason is at most 123 bytes of UTF-8.
	Reason string

	Success  func(GeneralCallbackResult)
	Fail     func(GeneralCallbackResult)
	Complete func(GeneralCallbackResult)
}

func (o *CloseSocketOptions) callbacks() Callbacks {
	return Callbacks{Success: o.Success, Fail: o.Fail, Complete: o.Complete}
}

// ValidateClose applies the browser's rules to a close code and reason
// (code 0 is not special here: pass 1000). The error's text is the cause
// that follows "closeSocket:fail ": the DOMException a browser throws,
// which uni-app H5 reports as it is.
//
// The texts are the classic ones (platform.CloseTextsClassic); see
// ValidateCloseTexts for a profile's.
func ValidateClose(code int, reason string) error {
	return ValidateCloseTexts(code, reason, platform.CloseTextsClassic)
}

// ValidateCloseTexts is ValidateClose in the words of the browser texts
// names (a profile's CloseTexts).
func ValidateCloseTexts(code int, reason string, texts platform.CloseTexts) error {
	chromium156 := texts == platform.CloseTextsChromium156
	if code != 1000 && (code < 3000 || code > 4999) {
		if chromium156 {
			return fmt.Errorf("InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. %d is neither.", code)
		}
		return fmt.Errorf("InvalidAccessError: Failed to execute 'close' on 'WebSocket': The code must be either 1000, or between 3000 and 4999. %d is neither.", code)
	}
	if !utf8.ValidString(reason) {
		return fmt.Errorf("SyntaxError: Failed to execute 'close' on 'WebSocket': The message must be valid UTF-8.")
	}
	if len(reason) > MaxCloseReasonBytes {
		if chromium156 {
			return fmt.Errorf("SyntaxError: Failed to execute 'close' on 'WebSocket': The close reason must not be greater than %d UTF-8 bytes.", MaxCloseReasonBytes)
		}
		return fmt.Errorf("SyntaxError: Failed to execute 'close' on 'WebSocket': The message must not be greater than %d bytes.", MaxCloseReasonBytes)
	}
	return nil
}

// Close closes the socket with a close handshake. An invalid code or reason
// fails with "closeSocket:fail …" and leaves the socket as it was.
//
// While the socket is still connecting (its open event not delivered,
// even if the network just opened), the standard profile abandons the
// handshake: the call succeeds, then the task reports an error and a close
// with code 1006. Profiles emulating WeChat instead fail with
// "closeSocket:fail WebSocket is not connected" and the socket goes on to
// open. Closing a socket that is closing or closed succeeds and does
// nothing, as in a browser.
//
// The result callbacks run on the App's Executor, before the close event,
// or before Close returns on a profile that reports results at call time
// (platform.ResultAtCall).
func (t *SocketTask) Close(opts CloseSocketOptions) {
	a := t.app
	cb := opts.callbacks()
	code := opts.Code
	if code == 0 {
		code = wire.CodeNormal
	}
	if err := ValidateCloseTexts(code, opts.Reason, a.profile.CloseTexts); err != nil {
		a.result(cb, failResult(apiCloseSocket, err.Error()))
		return
	}
	t.mu.Lock()
	switch t.state {
	case StateConnecting:
		if a.profile.CloseBeforeOpen == platform.FailNotConnected {
			t.mu.Unlock()
			a.result(cb, failResult(apiCloseSocket, causeNotConnected))
			return
		}
		stop := t.abandon()
		t.mu.Unlock()
		a.result(cb, okResult(apiCloseSocket))
		stop()
	case StateOpen:
		atCall := a.profile.Results == platform.ResultAtCall
		if !atCall {
			// Queued before the close frame, so the server's answer
			// cannot overtake it.
			a.result(cb, okResult(apiCloseSocket))
		}
		t.startClose(code, opts.Reason)
		t.mu.Unlock()
		if atCall {
			// After close() started, as uni-h5 calls them: readyState
			// reads CLOSING inside them.
			a.result(cb, okResult(apiCloseSocket))
		}
	default:
		t.mu.Unlock()
		a.result(cb, okResult(apiCloseSocket))
	}
}

// startClose starts the close handshake on the open connection. t.mu must
// be held.
func (t *SocketTask) startClose(code int, reason string) {
	t.state = StateClosing
	t.stopReading()
	t.conn.StartCloseTimer()                                                            // counts from now, even behind a stalled write
	_ = t.enqueue(t.conn, writeOp{close: &wire.CloseFrame{Code: code, Reason: reason}}) // a close frame is never refused
}

// abandon gives up on the connection without a close handshake, the path
// shared by closing before open and Abort: the task moves to CLOSING, the
// handshake is cancelled and an established connection is cut, and the
// task then reports an error and a close with 1006. t.mu must be held;
// the returned function does the cutting and must be called after t.mu is
// released.
func (t *SocketTask) abandon() (stop func()) {
	t.aborted = true
	if t.state == StateConnecting {
		t.early = true
	}
	t.state = StateClosing
	t.stopReading()
	cancel, conn := t.cancel, t.conn
	return func() {
		if cancel != nil { // nil once the handshake is over
			cancel()
		}
		if conn != nil {
			conn.Abort()
		}
	}
}
