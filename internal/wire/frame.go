package wire

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// The opcodes of RFC 6455 5.2.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa

	maxControlPayload   = 125
	maxCloseReasonBytes = maxControlPayload - 2
	maxHeaderSize       = 14
)

// frameHeader is a parsed frame header.
type frameHeader struct {
	fin, rsv1, rsv2, rsv3, masked bool
	opcode                        byte
	length                        uint64
	size                          int // bytes of the header itself
	mask                          [4]byte
}

// parseFrameHeader parses the header at the start of b; ok is false when b
// holds only part of it.
func parseFrameHeader(b []byte) (h frameHeader, ok bool) {
	if len(b) < 2 {
		return h, false
	}
	h.fin = b[0]&0x80 != 0
	h.rsv1 = b[0]&0x40 != 0
	h.rsv2 = b[0]&0x20 != 0
	h.rsv3 = b[0]&0x10 != 0
	h.opcode = b[0] & 0x0f
	h.masked = b[1]&0x80 != 0
	h.size = 2
	switch n := b[1] & 0x7f; n {
	case 126:
		if len(b) < 4 {
			return h, false
		}
		h.length = uint64(binary.BigEndian.Uint16(b[2:]))
		h.size = 4
	case 127:
		if len(b) < 10 {
			return h, false
		}
		h.length = binary.BigEndian.Uint64(b[2:])
		h.size = 10
	default:
		h.length = uint64(n)
	}
	if h.masked {
		if len(b) < h.size+4 {
			return h, false
		}
		copy(h.mask[:], b[h.size:])
		h.size += 4
	}
	return h, true
}

// appendClientHeader appends the header of a masked client frame.
func appendClientHeader(b []byte, fin, rsv1 bool, op byte, length int, key [4]byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	if rsv1 {
		b0 |= 0x40
	}
	switch {
	case length <= 125:
		b = append(b, b0, 0x80|byte(length))
	case length <= 0xffff:
		b = append(b, b0, 0x80|126)
		b = binary.BigEndian.AppendUint16(b, uint16(length))
	default:
		b = append(b, b0, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(length))
	}
	return append(b, key[:]...)
}

// maskBytes XORs b with key, starting at key offset pos (RFC 6455 5.3), and
// returns the offset for the bytes that follow.
func maskBytes(key [4]byte, pos int, b []byte) int {
	if len(b) >= 16 {
		// Eight bytes at a time: the key rotated to the current offset,
		// repeated twice.
		var k [8]byte
		for i := range k {
			k[i] = key[(pos+i)&3]
		}
		k64 := binary.LittleEndian.Uint64(k[:])
		for len(b) >= 8 {
			binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
			b = b[8:]
		}
	}
	for i := range b {
		b[i] ^= key[pos&3]
		pos++
	}
	return pos & 3
}

// ProtocolViolation is the cause of a connection failed because the server
// broke RFC 6455 (or RFC 7692). Code is the close code the client sent in
// answer.
type ProtocolViolation struct {
	Code   int
	Reason string
}

func (v *ProtocolViolation) Error() string {
	return fmt.Sprintf("server broke the WebSocket protocol (%s); closed the connection with %d", v.Reason, v.Code)
}

func violation(format string, args ...any) *ProtocolViolation {
	return &ProtocolViolation{Code: CodeProtocolError, Reason: fmt.Sprintf(format, args...)}
}

// frameRules follows the fragmentation state of the server's data frames
// and applies RFC 6455's frame rules to each header.
type frameRules struct {
	allowRSV1  bool // permessage-deflate was negotiated
	fragmented bool // a data message's first frame had FIN clear
}

// check returns the violation h is, if any, and tracks fragmentation.
func (r *frameRules) check(h *frameHeader) *ProtocolViolation {
	switch {
	case h.masked:
		return violation("the server sent a masked frame")
	case h.rsv2 || h.rsv3:
		return violation("the server set reserved bits RSV2/RSV3 that no extension defines")
	case h.length>>63 != 0:
		return violation("the server sent a frame length with the most significant bit set")
	}
	switch h.opcode {
	case opContinuation, opText, opBinary:
	case opClose, opPing, opPong:
		switch {
		case h.length > maxControlPayload:
			return violation("the server sent a control frame of %d bytes (at most 125 allowed)", h.length)
		case !h.fin:
			return violation("the server sent a fragmented control frame")
		case h.rsv1:
			return violation("the server set RSV1 on a control frame")
		}
		return nil
	default:
		return violation("the server used reserved opcode %#x", h.opcode)
	}
	if h.rsv1 && (!r.allowRSV1 || h.opcode == opContinuation) {
		return violation("the server set RSV1 without a negotiated extension that defines it")
	}
	if h.opcode == opContinuation {
		if !r.fragmented {
			return violation("the server sent a continuation frame outside a fragmented message")
		}
	} else if r.fragmented {
		return violation("the server started a new message inside a fragmented one")
	}
	r.fragmented = !h.fin
	return nil
}

// checkClosePayload parses a close frame's payload (RFC 6455 5.5.1, 7.4):
// empty (no code: 1005), or a 2-byte code that may be sent on the wire
// followed by a UTF-8 reason. It returns the violation the payload is, if
// any: 1002 for a malformed payload or a code that may not be sent, 1007
// for a reason that is not UTF-8.
func checkClosePayload(p []byte) (code int, reason string, v *ProtocolViolation) {
	switch {
	case len(p) == 0:
		return CodeNoStatus, "", nil
	case len(p) == 1:
		return 0, "", violation("the server sent a 1-byte close payload")
	case len(p) > maxControlPayload:
		return 0, "", violation("the server sent a close payload over 125 bytes")
	}
	code = int(binary.BigEndian.Uint16(p))
	if !ValidWireCloseCode(code) {
		return 0, "", violation("the server sent close code %d, which may not be sent", code)
	}
	if !utf8.Valid(p[2:]) {
		return 0, "", &ProtocolViolation{Code: CodeInvalidPayload, Reason: "the server sent a close reason that is not UTF-8"}
	}
	return code, string(p[2:]), nil
}

// ValidWireCloseCode reports whether code may appear in a close frame
// (RFC 6455 7.4 and the IANA registry): 1000–1003 and 1007–1014 (1004 is
// reserved, 1005, 1006 and 1015 are for reports only), and 3000–4999.
func ValidWireCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// encodeClose builds a close frame's payload: the code, then the reason
// cut to fit a control frame on a UTF-8 boundary. CodeNoStatus gives an
// empty payload.
func encodeClose(code int, reason string) []byte {
	if code == CodeNoStatus {
		return nil
	}
	if len(reason) > maxCloseReasonBytes {
		reason = reason[:maxCloseReasonBytes]
		for !utf8.ValidString(reason) {
			reason = reason[:len(reason)-1]
		}
	}
	b := make([]byte, 2, 2+len(reason))
	binary.BigEndian.PutUint16(b, uint16(code))
	return append(b, reason...)
}

// validUTF8Prefix checks b, a part of a text message that may end inside a
// code point, and returns how many of its bytes form whole code points
// (the rest is checked with the bytes that follow), or -1 when b is
// already invalid whatever follows.
func validUTF8Prefix(b []byte) int {
	end := len(b)
	// Leave out an incomplete code point at the end: at most 3 bytes.
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			break // ASCII: everything before ends on a boundary
		}
		if c >= 0xc0 { // a lead byte
			if !utf8.FullRune(b[len(b)-i:]) {
				end = len(b) - i
			}
			break
		}
	}
	if !utf8.Valid(b[:end]) {
		return -1
	}
	if end < len(b) && !validUTF8Start(b[end:]) {
		return -1
	}
	return end
}

// validUTF8Start reports whether p, the start of a code point that has
// not arrived whole, can still become valid UTF-8 (RFC 3629 section 4: the
// second byte's range rules out overlong forms, surrogates and code points
// above U+10FFFF).
func validUTF8Start(p []byte) bool {
	lo, hi := byte(0x80), byte(0xbf)
	switch c := p[0]; {
	case c >= 0xc2 && c <= 0xdf, c >= 0xe1 && c <= 0xec, c == 0xee, c == 0xef, c >= 0xf1 && c <= 0xf3:
	case c == 0xe0:
		lo = 0xa0
	case c == 0xed:
		hi = 0x9f
	case c == 0xf0:
		lo = 0x90
	case c == 0xf4:
		hi = 0x8f
	default:
		return false
	}
	for i, b := range p[1:] {
		if i == 0 && (b < lo || b > hi) || b < 0x80 || b > 0xbf {
			return false
		}
	}
	return true
}
