package wire

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"time"
)

// Kind says why a handshake failed.
type Kind int

// The kinds of handshake failure.
const (
	KindNetwork     Kind = iota // the TCP connection failed or broke
	KindRefused                 // nothing listens at the address
	KindDNS                     // the host name did not resolve
	KindTLS                     // the TLS handshake failed
	KindStatus                  // the server answered with a status other than 101
	KindRedirect                // the server answered with a redirect, which is not followed
	KindSubprotocol             // a requested subprotocol was not confirmed
	KindProtocol                // the 101 answer broke RFC 6455
	KindTimeout                 // the handshake ran out of time
	KindAborted                 // the caller cancelled the handshake
)

var kindNames = [...]string{
	KindNetwork:     "network error",
	KindRefused:     "connection refused",
	KindDNS:         "host not found",
	KindTLS:         "TLS handshake failed",
	KindStatus:      "unexpected HTTP status",
	KindRedirect:    "redirect not followed",
	KindSubprotocol: "subprotocol not confirmed",
	KindProtocol:    "invalid handshake response",
	KindTimeout:     "handshake timed out",
	KindAborted:     "handshake aborted",
}

// String names the kind in a few words.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// HandshakeError reports a failed opening handshake.
type HandshakeError struct {
	Kind     Kind
	URL      string
	Status   int    // the HTTP status, for KindStatus, KindRedirect and KindProtocol
	Location string // the redirect target, for KindRedirect
	Err      error  // the underlying error
}

// Error names the URL and the cause.
func (e *HandshakeError) Error() string {
	switch e.Kind {
	case KindStatus:
		return fmt.Sprintf("WebSocket handshake with %s failed: server answered HTTP %d %s instead of 101",
			e.URL, e.Status, http.StatusText(e.Status))
	case KindRedirect:
		return fmt.Sprintf("WebSocket handshake with %s failed: server answered HTTP %d redirect to %q, which is not followed",
			e.URL, e.Status, e.Location)
	case KindAborted:
		return fmt.Sprintf("WebSocket handshake with %s aborted: the socket was closed before it opened", e.URL)
	}
	return fmt.Sprintf("WebSocket handshake with %s failed: %s: %v", e.URL, e.Kind, e.Err)
}

// Unwrap returns the underlying error.
func (e *HandshakeError) Unwrap() error { return e.Err }

// ClosedError reports how a connection ended. Read returns it once the
// connection is over.
type ClosedError struct {
	// Code and Reason are what the application is told: the peer's close
	// frame, ours when we started the close, 1005 for an empty close frame,
	// 1006 when the connection ended without a close handshake.
	Code   int
	Reason string
	// Clean is true when a close frame was received.
	Clean bool
	// Err is the cause of an unclean end.
	Err error
}

// Error describes how the connection ended.
func (e *ClosedError) Error() string {
	if e.Clean {
		return fmt.Sprintf("WebSocket closed with code %d and reason %q", e.Code, e.Reason)
	}
	return fmt.Sprintf("WebSocket connection lost: %v", e.Err)
}

// Unwrap returns the cause of an unclean end.
func (e *ClosedError) Unwrap() error { return e.Err }

// CloseTimeoutError is the cause of a connection cut because the peer did
// not answer our close frame in time.
type CloseTimeoutError struct{ Timeout time.Duration }

// Error says how long the close handshake was given.
func (e *CloseTimeoutError) Error() string {
	return fmt.Sprintf("the server did not answer the close frame within %v; the connection was cut", e.Timeout)
}

// MessageTooBigError is the cause of a connection failed because the
// server sent a message over the read limit.
type MessageTooBigError struct{ Limit int64 }

// Error names the limit.
func (e *MessageTooBigError) Error() string {
	return fmt.Sprintf("received a message over the read limit; closed the connection with 1009 (the limit is %d bytes)", e.Limit)
}

// ControlPayloadError reports a ping or pong payload longer than the 125
// bytes a control frame holds (RFC 6455 5.5); nothing was sent.
type ControlPayloadError struct {
	Frame string // "ping" or "pong"
	Len   int
}

// Error names the frame and both lengths.
func (e *ControlPayloadError) Error() string {
	return fmt.Sprintf("a %s's payload is at most %d bytes; this one is %d", e.Frame, maxControlPayload, e.Len)
}

// DroppedError is the cause of a connection that ended without a close
// frame: the server closed or reset the TCP connection, or it broke.
type DroppedError struct{ Err error }

// Error names what happened to the connection.
func (e *DroppedError) Error() string {
	if errors.Is(e.Err, io.EOF) || errors.Is(e.Err, io.ErrUnexpectedEOF) {
		return "the server closed the connection without a close frame"
	}
	return e.Err.Error()
}

// Unwrap returns the network error.
func (e *DroppedError) Unwrap() error { return e.Err }

var (
	// ErrInvalidUTF8 is the cause of a connection failed because a text
	// message was not valid UTF-8.
	ErrInvalidUTF8 = errors.New("received a text message that is not valid UTF-8; closed the connection with 1007")
	// ErrNotConnected is what Write and Ping return once the connection
	// is over or closing.
	ErrNotConnected = errors.New("WebSocket is not connected")
	// ErrAborted is the cause of a connection ended by Abort.
	ErrAborted = errors.New("the connection was aborted")
)

func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}
