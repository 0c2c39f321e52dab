package server

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// Behaviour describes one query parameter the server understands. The list
// returned by Behaviours is what the package documentation's table, the
// server's answer to a plain HTTP request and `unisocket serve` show.
type Behaviour struct {
	// Param is the query parameter's name, e.g. "close".
	Param string
	// Value is the syntax of its value, e.g. "CODE|empty".
	Value string
	// Summary says what the server does, in one line.
	Summary string
}

// Behaviours returns the query parameters that choose the server's
// behaviour, in the order of the package documentation. Each call returns a
// fresh slice.
func Behaviours() []Behaviour {
	return []Behaviour{
		{"status", "CODE", "reject the handshake with that HTTP status (200-599)"},
		{"redirect", "URL", "answer 302 (or status=3xx) with Location URL"},
		{"delay", "DURATION", "wait before answering the handshake (300ms, 2s; a bare number means ms)"},
		{"protocol", "NAME|none", "confirm subprotocol NAME even if not requested, or none (default: the first requested)"},
		{"send", "N", "right after opening, send N messages (\"message 1\"...)"},
		{"size", "BYTES", "make each sent message BYTES long"},
		{"binary", "1", "send and echo binary messages (text is echoed as binary)"},
		{"close", "CODE|empty", "close with CODE (empty: a close frame without payload, seen as 1005)"},
		{"reason", "TEXT", "the close reason, at most 123 bytes"},
		{"after", "N", "close, drop, reset or stall after echoing N messages (default 0: right after opening)"},
		{"drop", "1", "cut the TCP connection without a close frame"},
		{"reset", "1", "reset the TCP connection (RST) without a close frame"},
		{"stall", "1", "stop reading and answering; hold the connection until the client goes away"},
		{"slow", "DURATION", "wait DURATION before reading each client message (a slow reader)"},
		{"inspect", "1", "first send a JSON description of the handshake request, then echo"},
		{"hang", "1", "read the handshake request and never answer"},
		{"compress", "1", "accept permessage-deflate"},
		{"ping", "DATA", "right after opening, send a ping with payload DATA (the pong is logged)"},
		{"chaos", "seed:N,drop:P", "cut the TCP connection (no close frame) on each client message with probability P, seeded"},
		{"closemix", "seed:N", "like close=, with a valid code picked by the seed for each connection (after= counts)"},
		{"trickle", "DURATION", "write the 101 response's header one byte per DURATION"},
	}
}

// BehaviourTable returns Behaviours as aligned text, one indented line
// each, as the server's answer to a plain HTTP request and `unisocket serve`
// show them.
func BehaviourTable() string {
	var sb strings.Builder
	for _, b := range Behaviours() {
		fmt.Fprintf(&sb, "  %-20s %s\n", b.Param+"="+b.Value, b.Summary)
	}
	return sb.String()
}

// Limits on what a query can ask for, so that a typo cannot make the server
// allocate without bound.
const (
	// ReadLimit is the largest message the server accepts from a client.
	// It is far above coder/websocket's 32 KiB default so that clients can
	// be tested with large messages.
	ReadLimit = 64 << 20
	maxSend   = 1_000_000
	maxSize   = ReadLimit
	// maxControlPayload is RFC 6455's limit on a control frame's payload.
	maxControlPayload = 125
	// maxCloseReason leaves room for the 2-byte code in a close frame.
	maxCloseReason = maxControlPayload - 2
)

// protocolMode says which subprotocol the server confirms.
type protocolMode int

const (
	protocolFirstRequested protocolMode = iota // no protocol= parameter
	protocolNone                               // protocol=none
	protocolForced                             // protocol=NAME
)

// behaviour is the parsed form of a request's query parameters.
type behaviour struct {
	status   int // 0: no status= parameter
	redirect string
	delay    time.Duration

	protocolMode protocolMode
	protocol     string // with protocolForced

	send   int
	size   int // -1: the default "message K" text
	binary bool

	close  bool
	code   websocket.StatusCode // StatusNoStatusRcvd for close=empty
	reason string
	drop   bool
	reset  bool
	stall  bool
	after  int
	slow   time.Duration

	inspect  bool
	hang     bool
	compress bool

	ping    bool
	pingMsg string

	chaos     bool
	chaosSeed uint64
	chaosDrop float64 // probability of a drop per client message

	closemix     bool
	closemixSeed uint64

	trickle time.Duration
}

// parseBehaviour reads the behaviour parameters from q. Unknown parameters
// are ignored so that clients can add their own. The error names the
// offending parameter and what was expected.
func parseBehaviour(q url.Values) (behaviour, error) {
	b := behaviour{size: -1}
	var err error
	if q.Has("status") {
		if b.status, err = intParam(q, "status", 200, 599); err != nil {
			return b, err
		}
	}
	if q.Has("redirect") {
		b.redirect = q.Get("redirect")
		if b.redirect == "" {
			return b, fmt.Errorf("bad redirect=: want a URL")
		}
	}
	if b.delay, err = durationParam(q, "delay"); err != nil {
		return b, err
	}
	if q.Has("protocol") {
		switch v := q.Get("protocol"); v {
		case "":
			return b, fmt.Errorf("bad protocol=: want a subprotocol name or none")
		case "none":
			b.protocolMode = protocolNone
		default:
			b.protocolMode, b.protocol = protocolForced, v
		}
	}
	if q.Has("send") {
		if b.send, err = intParam(q, "send", 0, maxSend); err != nil {
			return b, err
		}
	}
	if q.Has("size") {
		if b.size, err = intParam(q, "size", 0, maxSize); err != nil {
			return b, err
		}
	}
	if b.binary, err = boolParam(q, "binary"); err != nil {
		return b, err
	}
	if q.Has("close") {
		b.close = true
		if v := q.Get("close"); v == "empty" {
			b.code = websocket.StatusNoStatusRcvd
		} else {
			code, err := strconv.Atoi(v)
			if err != nil || !validCloseCode(code) {
				return b, fmt.Errorf("bad close=%q: want empty or a close code that may be sent (1000-1003, 1007-1014, 3000-4999)", v)
			}
			b.code = websocket.StatusCode(code)
		}
		b.reason = q.Get("reason")
		if len(b.reason) > maxCloseReason {
			return b, fmt.Errorf("bad reason= of %d bytes: a close reason holds at most %d bytes", len(b.reason), maxCloseReason)
		}
		if b.reason != "" && b.code == websocket.StatusNoStatusRcvd {
			return b, fmt.Errorf("bad reason=%q with close=empty: an empty close frame has no reason", b.reason)
		}
	}
	if b.drop, err = boolParam(q, "drop"); err != nil {
		return b, err
	}
	if b.reset, err = boolParam(q, "reset"); err != nil {
		return b, err
	}
	if b.stall, err = boolParam(q, "stall"); err != nil {
		return b, err
	}
	if b.slow, err = durationParam(q, "slow"); err != nil {
		return b, err
	}
	if q.Has("after") {
		if b.after, err = intParam(q, "after", 0, maxSend); err != nil {
			return b, err
		}
	}
	if b.inspect, err = boolParam(q, "inspect"); err != nil {
		return b, err
	}
	if b.hang, err = boolParam(q, "hang"); err != nil {
		return b, err
	}
	if b.compress, err = boolParam(q, "compress"); err != nil {
		return b, err
	}
	if q.Has("chaos") {
		b.chaos = true
		if b.chaosSeed, b.chaosDrop, err = chaosParam(q.Get("chaos")); err != nil {
			return b, err
		}
	}
	if q.Has("closemix") {
		b.closemix = true
		v := q.Get("closemix")
		seed, ok := strings.CutPrefix(v, "seed:")
		if b.closemixSeed, err = strconv.ParseUint(seed, 10, 64); !ok || err != nil {
			return b, fmt.Errorf("bad closemix=%q: want seed:N, N a whole number", v)
		}
	}
	if err := oneEnd(b); err != nil {
		return b, err
	}
	if b.trickle, err = durationParam(q, "trickle"); err != nil {
		return b, err
	}
	if q.Has("trickle") && b.trickle == 0 {
		return b, fmt.Errorf("bad trickle=%q: want a duration above 0 such as 1s", q.Get("trickle"))
	}
	if q.Has("ping") {
		b.ping, b.pingMsg = true, q.Get("ping")
		if len(b.pingMsg) > maxControlPayload {
			return b, fmt.Errorf("bad ping= of %d bytes: a ping holds at most %d bytes", len(b.pingMsg), maxControlPayload)
		}
	}
	return b, nil
}

// validCloseCode reports whether code may appear in a close frame
// (RFC 6455 section 7.4): 1004, 1005, 1006 and 1015 are reserved for local
// use, and codes outside the registered and private ranges are invalid.
func validCloseCode(code int) bool {
	switch {
	case code == 1004, code == 1005, code == 1006:
		return false
	case code >= 1000 && code <= 1014:
		return true
	default:
		return code >= 3000 && code <= 4999
	}
}

// oneEnd checks that at most one way to end the connection was asked for.
func oneEnd(b behaviour) error {
	var ends []string
	if b.close {
		ends = append(ends, "close=")
	}
	if b.closemix {
		ends = append(ends, "closemix=")
	}
	for _, e := range []struct {
		on   bool
		name string
	}{{b.drop, "drop=1"}, {b.reset, "reset=1"}, {b.stall, "stall=1"}} {
		if e.on {
			ends = append(ends, e.name)
		}
	}
	if len(ends) > 1 {
		return fmt.Errorf("bad %s: choose one way to end the connection", strings.Join(ends, " with "))
	}
	return nil
}

// ends reports whether the behaviour ends the session after b.after
// echoed messages.
func (b *behaviour) ends() bool { return b.close || b.closemix || b.drop || b.reset || b.stall }

// chaosParam reads chaos=seed:N,drop:P: P a probability from 0 to 1,
// N a whole number (default 1).
func chaosParam(v string) (seed uint64, drop float64, err error) {
	bad := func(why string) (uint64, float64, error) {
		return 0, 0, fmt.Errorf("bad chaos=%q: %s (want seed:N,drop:P, e.g. seed:42,drop:0.1)", v, why)
	}
	seed, hasDrop := uint64(1), false
	for _, part := range strings.Split(v, ",") {
		key, val, _ := strings.Cut(part, ":")
		switch key {
		case "seed":
			if seed, err = strconv.ParseUint(val, 10, 64); err != nil {
				return bad("the seed is not a whole number")
			}
		case "drop":
			var perr error
			if drop, perr = strconv.ParseFloat(val, 64); perr != nil || !(drop >= 0 && drop <= 1) {
				return bad("drop is a probability from 0 to 1")
			}
			hasDrop = true
		default:
			return bad("unknown part " + strconv.Quote(part))
		}
	}
	if !hasDrop {
		return bad("no drop:P")
	}
	return seed, drop, nil
}

// closeMix lists the codes closemix= picks from: every code a server may
// send (RFC 6455 section 7.4 and the IANA registry) that clients meet in
// practice, and two of the private range.
func closeMix() []websocket.StatusCode {
	return []websocket.StatusCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 1012, 1013, 1014, 3000, 4000, 4999}
}

// durationParam reads a duration in Go's syntax, or a bare number of
// milliseconds; an absent parameter is 0.
func durationParam(q url.Values, name string) (time.Duration, error) {
	if !q.Has(name) {
		return 0, nil
	}
	v := q.Get(name)
	d, err := time.ParseDuration(v)
	if ms, perr := strconv.Atoi(v); perr == nil {
		d, err = time.Duration(ms)*time.Millisecond, nil
	}
	if err != nil {
		return 0, fmt.Errorf("bad %s=%q: want a duration such as 300ms or 2s", name, v)
	}
	if d < 0 {
		return 0, fmt.Errorf("bad %s=%q: want a duration of 0 or more", name, v)
	}
	return d, nil
}

func intParam(q url.Values, name string, lo, hi int) (int, error) {
	v := q.Get(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("bad %s=%q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// boolParam accepts what strconv.ParseBool does (1, true, 0, false...);
// an absent parameter is false.
func boolParam(q url.Values, name string) (bool, error) {
	if !q.Has(name) {
		return false, nil
	}
	v := q.Get(name)
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("bad %s=%q: want 1 or 0", name, v)
	}
	return on, nil
}

// message returns the k-th message (from 1) that send=N sends: the text
// "message k", or with size= that text and a space repeated and cut to
// size bytes, which keeps it ASCII.
func (b *behaviour) message(k int) []byte {
	text := "message " + strconv.Itoa(k)
	if b.size < 0 {
		return []byte(text)
	}
	unit := text + " "
	return []byte(strings.Repeat(unit, b.size/len(unit)+1)[:b.size])
}
