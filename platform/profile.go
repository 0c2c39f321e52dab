package platform

// CloseBeforeOpen says what closing a socket that is still connecting does.
type CloseBeforeOpen int

const (
	// AbortHandshake abandons the handshake as a browser does: the close
	// call succeeds, then the socket reports an error and a close with code
	// 1006.
	AbortHandshake CloseBeforeOpen = iota
	// FailNotConnected refuses the close with "WebSocket is not connected"
	// and lets the connection go on and open, as WeChat and uni-app x do.
	FailNotConnected
)

// HandshakeFailure says which events a failed handshake produces.
type HandshakeFailure int

const (
	// ErrorThenClose fires onError, then onClose with code 1006.
	ErrorThenClose HandshakeFailure = iota
	// ErrorOnly fires onError and nothing else (uni-app's App platform).
	ErrorOnly
)

// ListenerOrder says whether a task's own listeners run before or after the
// global onSocket* listeners for the same event.
type ListenerOrder int

const (
	// TaskFirst runs the task's listeners, then the global ones (uni-app H5).
	TaskFirst ListenerOrder = iota
	// GlobalFirst runs the global listeners, then the task's (uni-app App).
	GlobalFirst
)

// Profile is one platform's behaviour. The zero value is not useful; start
// from Standard or look a profile up with Lookup.
type Profile struct {
	// Name is the profile's identifier, as given to --platform.
	Name string
	// Summary says in one line what the profile emulates.
	Summary string

	// SecureOnly accepts only wss:// URLs.
	SecureOnly bool
	// CheckDomain requires the URL's host to be on the configured domain
	// whitelist (unless the configuration turns the check off).
	CheckDomain bool
	// MaxSockets is the number of sockets that may be connecting, open or
	// closing at once; 0 means no limit.
	MaxSockets int

	// Header, Method and Protocols say whether those connectSocket options
	// reach the server. An option that is not honoured is dropped with a
	// warning.
	Header    bool
	Method    bool
	Protocols bool

	// OpenHeader puts the handshake response headers into the onOpen
	// payload; otherwise the payload is empty ({}).
	OpenHeader bool
	// ErrorMessage puts errMsg into the onError payload; otherwise the
	// payload is empty ({}).
	ErrorMessage bool

	// CloseBeforeOpen is what close does while the socket connects.
	CloseBeforeOpen CloseBeforeOpen
	// HandshakeFailure is which events a failed handshake produces.
	HandshakeFailure HandshakeFailure
	// ListenerOrder orders task listeners against global listeners.
	ListenerOrder ListenerOrder
	// GlobalAPI says whether the global onSocket*/sendSocketMessage/
	// closeSocket functions exist.
	GlobalAPI bool
}

// Standard is the default profile for Go programs: the browser's event
// model and close rules, plus what native code can do and a browser cannot
// (custom headers, method, onOpen({header}), onError({errMsg})). It has no
// scheme, whitelist or quota limit.
var standard = Profile{
	Name:             "standard",
	Summary:          "browser event model plus native headers and method; no host limits",
	Header:           true,
	Method:           true,
	Protocols:        true,
	OpenHeader:       true,
	ErrorMessage:     true,
	CloseBeforeOpen:  AbortHandshake,
	HandshakeFailure: ErrorThenClose,
	ListenerOrder:    TaskFirst,
	GlobalAPI:        true,
}

// Standard returns the standard profile.
func Standard() Profile { return standard }
