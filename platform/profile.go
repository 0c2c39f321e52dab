package platform

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
)

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

// String names the behaviour as the profile table does.
func (c CloseBeforeOpen) String() string {
	switch c {
	case AbortHandshake:
		return "abort handshake"
	case FailNotConnected:
		return "fail: not connected"
	}
	return "CloseBeforeOpen(" + strconv.Itoa(int(c)) + ")"
}

// HandshakeFailure says which events a failed handshake produces.
type HandshakeFailure int

const (
	// ErrorThenClose fires onError, then onClose with code 1006.
	ErrorThenClose HandshakeFailure = iota
	// ErrorOnly fires onError and nothing else (uni-app's App platform).
	ErrorOnly
)

// String names the behaviour as the profile table does.
func (h HandshakeFailure) String() string {
	switch h {
	case ErrorThenClose:
		return "error, close 1006"
	case ErrorOnly:
		return "error only"
	}
	return "HandshakeFailure(" + strconv.Itoa(int(h)) + ")"
}

// ListenerOrder says whether a task's own listeners run before or after the
// global onSocket* listeners for the same event.
type ListenerOrder int

const (
	// TaskFirst runs the task's listeners, then the global ones (uni-app H5).
	TaskFirst ListenerOrder = iota
	// GlobalFirst runs the global listeners, then the task's (uni-app App).
	GlobalFirst
)

// String names the order as the profile table does.
func (o ListenerOrder) String() string {
	switch o {
	case TaskFirst:
		return "task, then global"
	case GlobalFirst:
		return "global, then task"
	}
	return "ListenerOrder(" + strconv.Itoa(int(o)) + ")"
}

// DropEvents says which events an open connection produces when it ends
// without a close frame (the server closed or reset the TCP connection).
// A connection failed for a protocol error (invalid UTF-8, RSV bits, a
// masked frame) reports an error and a close on every profile.
type DropEvents int

const (
	// DropErrorThenClose fires onError, then onClose with code 1006.
	DropErrorThenClose DropEvents = iota
	// DropCloseOnly fires onClose with code 1006 alone, as Chromium and
	// Node's ws do: the socket stays the global target until its close
	// event, so the global onSocketClose listeners run.
	DropCloseOnly
)

// String names the behaviour as the profile table does.
func (d DropEvents) String() string {
	switch d {
	case DropErrorThenClose:
		return "error, close 1006"
	case DropCloseOnly:
		return "close 1006 only"
	}
	return "DropEvents(" + strconv.Itoa(int(d)) + ")"
}

// ResultTiming says when the success, fail and complete callbacks of
// send and close (on a task, or through sendSocketMessage and
// closeSocket) run.
type ResultTiming int

const (
	// ResultWhenWritten runs them on the Executor: a send's once its
	// message was written to the connection (or could not be), a close's
	// once the close is started. A send's result is always delivered
	// before a message read after the write began (docs/architecture.md).
	ResultWhenWritten ResultTiming = iota
	// ResultAtCall runs them before the call returns, on the calling
	// goroutine, as uni-app H5 does around the browser's synchronous
	// WebSocket.send and close: a send succeeds once its message is in the
	// send queue, and a later failure to write it is not reported.
	ResultAtCall
)

// String names the behaviour as the profile table does.
func (r ResultTiming) String() string {
	switch r {
	case ResultWhenWritten:
		return "later: send once written"
	case ResultAtCall:
		return "before the call returns: send once queued"
	}
	return "ResultTiming(" + strconv.Itoa(int(r)) + ")"
}

// CloseTexts says which browser's words a refused close code or reason is
// reported in, after "closeSocket:fail ".
type CloseTexts int

const (
	// CloseTextsClassic is the wording of earlier Chromium releases, which
	// unisocket used before the measurement: "The code must be either
	// 1000, or between 3000 and 4999. 1001 is neither." and "The message
	// must not be greater than 123 bytes."
	CloseTextsClassic CloseTexts = iota
	// CloseTextsChromium156 is Chromium 156's wording, measured by the
	// fidelity harness: "The close code must be either 1000, or between
	// 3000 and 4999. 1001 is neither." and "The close reason must not be
	// greater than 123 UTF-8 bytes."
	CloseTextsChromium156
)

// String names the wording as the profile table does.
func (c CloseTexts) String() string {
	switch c {
	case CloseTextsClassic:
		return "classic"
	case CloseTextsChromium156:
		return "Chromium 156"
	}
	return "CloseTexts(" + strconv.Itoa(int(c)) + ")"
}

// ListenerCheck says when a SocketTask.on* argument that is not a
// function is refused.
type ListenerCheck int

const (
	// CheckWhenAdded throws uni-app Vue 3's checkCallback error from the
	// on* call itself.
	CheckWhenAdded ListenerCheck = iota
	// CheckWhenFired accepts it, as uni-h5's SocketTask.on* do, and
	// reports the TypeError of calling it when the event fires.
	CheckWhenFired
)

// String names the behaviour as the profile table does.
func (c ListenerCheck) String() string {
	switch c {
	case CheckWhenAdded:
		return "throws when added"
	case CheckWhenFired:
		return "accepted; fails when fired"
	}
	return "ListenerCheck(" + strconv.Itoa(int(c)) + ")"
}

// DomainMatch says how a URL's host is matched against the domain
// whitelist.
type DomainMatch int

const (
	// ExactDomain admits a host only when it is listed itself: every
	// subdomain must be listed on its own, as on WeChat.
	ExactDomain DomainMatch = iota
	// RegistrableDomain admits a host whose registrable domain (its public
	// suffix and one label more, by the Public Suffix List) is that of a
	// listed domain: Alipay's "matched on the first-level domain". Listing
	// api.example.com admits example.com, chat.example.com and
	// a.b.example.com; listing a.github.io does not admit b.github.io.
	RegistrableDomain

	// WithSubdomains is the former name of RegistrableDomain.
	//
	// Deprecated: use RegistrableDomain.
	WithSubdomains = RegistrableDomain
)

// String names the rule as the profile table does.
func (m DomainMatch) String() string {
	switch m {
	case ExactDomain:
		return "exact host"
	case RegistrableDomain:
		return "same registrable domain"
	}
	return "DomainMatch(" + strconv.Itoa(int(m)) + ")"
}

// TaskIDPlaceholder stands, in Profile.QuotaErrMsg, for the number of the
// task that was refused.
const TaskIDPlaceholder = "{taskID}"

// ErrMsgNotInDomainList is the cause WeChat reports for a URL whose host is
// not a configured socket domain, observed as
// "createSocketTask:fail url not in domain list" [I6]. uni-app's Vue 3
// errMsg normalisation keeps what follows ":fail" and puts its own API name
// in front [S4 normalizeErrMsg], so the fail callback reads
// "connectSocket:fail url not in domain list". IP literals and localhost
// get the same text: they can never be on the list.
const ErrMsgNotInDomainList = "url not in domain list"

// Profile is one platform's behaviour. The zero value is not useful; start
// from Standard or look a profile up with Lookup.
//
// Every field is a rule the core (package uni) applies; Rules lists them
// with their documentation, and PROFILES.md shows them as a table.
type Profile struct {
	// Name is the profile's identifier, as given to --platform.
	Name string
	// Summary says in one line what the profile emulates.
	Summary string

	// SecureOnly accepts only wss:// URLs.
	SecureOnly bool
	// TestBuildWS lifts SecureOnly for a test build (the configuration's
	// TestBuild switch), as Douyin does.
	TestBuildWS bool
	// CheckDomain requires the URL's host to be on the configured domain
	// whitelist (unless the configuration turns the check off). IP
	// literals and localhost are never on it.
	CheckDomain bool
	// DomainMatch is how a host is matched against the whitelist.
	DomainMatch DomainMatch
	// LANIP lets the configuration's LAN switch admit private-network IP
	// literals (never loopback) despite CheckDomain.
	LANIP bool

	// MaxSockets is the number of sockets that may be connecting, open or
	// closing at once; 0 means no limit.
	MaxSockets int
	// MaxSocketsMultiple, when not 0, is the limit for a connectSocket
	// call with multiple: true (Alipay's multi-instance mode); MaxSockets
	// then applies to calls without it. 0 means the option is ignored.
	MaxSocketsMultiple int
	// QuotaErrMsg is the cause reported when the limit is reached, after
	// "connectSocket:fail ". TaskIDPlaceholder in it is replaced by the
	// refused task's number. "" means the generic "exceed max concurrent
	// count"; see QuotaCause for Alipay's multi-instance mode.
	QuotaErrMsg string

	// Header, Method and Protocols say whether those connectSocket options
	// reach the server. An option that is not honoured is dropped with a
	// warning.
	Header    bool
	Method    bool
	Protocols bool
	// Referer says whether the header option may set Referer. Mini-program
	// hosts set their own Referer, so a Referer given there is dropped
	// with a warning and never reaches the server.
	Referer bool
	// Timeout says whether a per-call timeout overrides the App's
	// networkTimeout.connectSocket. When it does not, the option is
	// ignored with a warning.
	Timeout bool

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
	// Drop is which events an open connection that ends without a close
	// frame produces.
	Drop DropEvents
	// ListenerOrder orders task listeners against global listeners.
	ListenerOrder ListenerOrder
	// Results is when the callbacks of send and close run.
	Results ResultTiming
	// CloseTexts is the wording of a refused close code or reason.
	CloseTexts CloseTexts
	// GlobalAPI says whether the global onSocket*/sendSocketMessage/
	// closeSocket functions exist.
	GlobalAPI bool
	// WXIsUni makes the JavaScript global wx the uni object itself, as a
	// uni-app H5 build registers it (window.wx = uni): wx.connectSocket
	// then has uni's Promise form. Otherwise wx is its own object, whose
	// connectSocket always returns the task (WeChat's rule).
	WXIsUni bool
	// TaskListenerCheck is when a task listener that is not a function
	// is refused.
	TaskListenerCheck ListenerCheck
	// SendErrCode puts uni-h5's errCode into SocketTask.send's fail
	// result: 10002 when the socket is not open.
	SendErrCode bool

	// Sources cites, for a rule (keyed by its Rule.Name), the reference
	// tags its value rests on, e.g. "W1, W2". PROFILES.md prints them.
	Sources map[string]string
}

// QuotaCause returns the cause to report when the quota refuses the task
// numbered taskID. A call with multiple: true on a profile that has a
// multi-instance quota gets the generic "exceed max concurrent count": the
// hosts document no text for it.
func (p Profile) QuotaCause(taskID uint64, multiple bool) string {
	msg := p.QuotaErrMsg
	if msg == "" || (multiple && p.MaxSocketsMultiple > 0) {
		msg = defaultQuotaErrMsg
	}
	return strings.ReplaceAll(msg, TaskIDPlaceholder, strconv.FormatUint(taskID, 10))
}

// Quota returns the socket limit for a connectSocket call, given its
// multiple option; 0 means no limit.
func (p Profile) Quota(multiple bool) int {
	if multiple && p.MaxSocketsMultiple > 0 {
		return p.MaxSocketsMultiple
	}
	return p.MaxSockets
}

// Standard returns the standard profile: the browser's event model and
// close rules, plus what native code can do and a browser cannot (custom
// headers, method, onOpen({header}), onError({errMsg})). It has no scheme,
// whitelist or quota limit.
func Standard() Profile { return standard.clone() }

// Lookup returns the profile called name (case does not matter). The error
// names the valid profiles.
func Lookup(name string) (Profile, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	for _, p := range table {
		if p.Name == key {
			return p.clone(), nil
		}
	}
	return Profile{}, fmt.Errorf("unknown platform %q: valid platforms are %s", name, strings.Join(Names(), ", "))
}

// Names returns the profiles' names in table order, standard first.
func Names() []string {
	names := make([]string, len(table))
	for i, p := range table {
		names[i] = p.Name
	}
	return names
}

// All returns every profile in table order.
func All() []Profile {
	ps := make([]Profile, len(table))
	for i, p := range table {
		ps[i] = p.clone()
	}
	return ps
}

// clone copies p so that a caller cannot change the table through Sources.
func (p Profile) clone() Profile {
	p.Sources = maps.Clone(p.Sources)
	return p
}
