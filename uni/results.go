package uni

import (
	"net/http"
	"strings"
)

// GeneralCallbackResult is what success, fail and complete receive.
// ErrMsg is "<api>:ok" on success and "<api>:fail <cause>" on failure,
// byte for byte as uni-app (Vue 3) writes it.
type GeneralCallbackResult struct {
	ErrMsg string
	// ErrCode is the number uni-h5 puts beside errMsg on some failures
	// (ErrCodeNotOpen), on profiles with SendErrCode; 0 when there is none.
	ErrCode int
}

// ErrCodeNotOpen is uni-h5's errCode for SocketTask.send on a socket that
// is not open (uni-app x's "webSocket is not connected").
const ErrCodeNotOpen = 10002

// OK reports whether the result is a success ("<api>:ok").
func (r GeneralCallbackResult) OK() bool { return strings.HasSuffix(r.ErrMsg, ":ok") }

// OnOpenResult is the payload of an open event.
type OnOpenResult struct {
	// Header holds the handshake response's headers. It is nil on
	// profiles whose open payload is empty (h5, app).
	Header http.Header
}

// OnCloseResult is the payload of a close event.
type OnCloseResult struct {
	// Code is the close code: the server's when it closed the connection,
	// ours when we did, 1005 when the server's close frame had no code,
	// 1006 when the connection ended without a close handshake.
	Code int
	// Reason is the close reason that came with Code.
	Reason string
}

// OnErrorResult is the payload of an error event.
type OnErrorResult struct {
	// ErrMsg names the cause. It is empty on profiles whose error payload
	// is empty (h5, app).
	ErrMsg string
}

// OnMessageResult is the payload of a message event.
type OnMessageResult struct {
	// Data is a string for a text message and a []byte for a binary one.
	Data any
}

// The API names that prefix errMsg.
const (
	apiConnectSocket     = "connectSocket"
	apiSendSocketMessage = "sendSocketMessage"
	apiCloseSocket       = "closeSocket"
)

// Causes that uni-app reports word for word, after "<api>:fail ", or as
// an error event's errMsg. Bindings that decide a failure themselves (the
// JavaScript runtime, from the state the script has seen) use them.
const (
	// CauseNotConnected: the global API has no open target, or a profile
	// refuses to close a socket still connecting.
	CauseNotConnected = "WebSocket is not connected"
	// CauseTaskNotOpen: SocketTask.send on a socket that is not open.
	CauseTaskNotOpen = "SocketTask.readyState is not OPEN"
	// CauseClosedEarly: the error event of a handshake abandoned by close.
	CauseClosedEarly = "WebSocket is closed before the connection is established."
)

const (
	causeNotConnected   = CauseNotConnected
	causeTaskNotOpen    = CauseTaskNotOpen
	causeClosedEarly    = CauseClosedEarly
	causeAborted        = "WebSocket connection aborted by the client"
	causeNoGlobalAPI    = "this platform has no global socket API; use the SocketTask returned by connectSocket"
	causeBadSendPayload = "data must be a string or []byte"
)

func okResult(api string) GeneralCallbackResult {
	return GeneralCallbackResult{ErrMsg: api + ":ok"}
}

// failResult formats a failure the way uni-app's invokeFail does: an empty
// cause gives "<api>:fail", anything else "<api>:fail <cause>".
func failResult(api, cause string) GeneralCallbackResult {
	if cause == "" {
		return GeneralCallbackResult{ErrMsg: api + ":fail"}
	}
	if strings.HasPrefix(cause, api+":fail") {
		return GeneralCallbackResult{ErrMsg: cause}
	}
	return GeneralCallbackResult{ErrMsg: api + ":fail " + cause}
}

// Callbacks are the success, fail and complete functions of one call.
// Exactly one of Success and Fail runs, then Complete; nil ones are skipped.
type Callbacks struct {
	Success  func(GeneralCallbackResult)
	Fail     func(GeneralCallbackResult)
	Complete func(GeneralCallbackResult)
}

// HasAny reports whether any callback is set. uni-app returns a
// SocketTask from connectSocket only when one is.
func (c Callbacks) HasAny() bool { return c.Success != nil || c.Fail != nil || c.Complete != nil }

// callResult runs the callbacks of one call: Success or Fail, then
// Complete. Each is protected on its own, so a panicking Success or Fail
// does not keep Complete from running.
func (a *App) callResult(c Callbacks, res GeneralCallbackResult) {
	if !c.HasAny() {
		return
	}
	first := c.Fail
	if res.OK() {
		first = c.Success
	}
	if first != nil {
		a.protect(whereResult, func() { first(res) })
	}
	if c.Complete != nil {
		a.protect(whereResult, func() { c.Complete(res) })
	}
}
