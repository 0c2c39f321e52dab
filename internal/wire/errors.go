package wire

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"syscall"
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
	return fmt.Sprintf("WebSocket handshake with %s failed: %s: %v", e.URL, e.Kind, unwrapDial(e.Err))
}

// Unwrap returns the underlying error.
func (e *HandshakeError) Unwrap() error { return e.Err }

// unwrapDial drops coder/websocket's generic prefixes, keeping the cause.
func unwrapDial(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		// Keep the first error that is not one of the library's wrappers.
		msg := err.Error()
		if !strings.HasPrefix(msg, "failed to WebSocket dial") && !strings.HasPrefix(msg, "failed to send handshake request") {
			return err
		}
		err = u
	}
}

func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}
