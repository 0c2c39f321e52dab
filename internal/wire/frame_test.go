package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// memConn is a connection whose server side is a fixed byte string, handed
// to the client in chunks of random size; what the client writes is kept.
type memConn struct {
	data []byte
	rng  *rand.Rand
	max  int

	mu     sync.Mutex
	out    bytes.Buffer
	closed bool
}

func (m *memConn) Read(p []byte) (int, error) {
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return 0, net.ErrClosed
	}
	if len(m.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(m.data), 1+m.rng.IntN(m.max))
	copy(p, m.data[:n])
	m.data = m.data[n:]
	return n, nil
}

func (m *memConn) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, net.ErrClosed
	}
	return m.out.Write(p)
}

func (m *memConn) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return nil
}

func (m *memConn) written() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.out.Bytes()...)
}

func (m *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (m *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{} }
func (m *memConn) SetDeadline(t time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(t time.Time) error { return nil }

// memClient returns a Conn reading input, cut at random.
func memClient(input []byte, seed uint64, deflated bool, limit int64) (*Conn, *memConn) {
	rng := rand.New(rand.NewPCG(seed, 3))
	mc := &memConn{data: input, rng: rng, max: 1 + rng.IntN(64)}
	c := &Conn{body: mc, raw: mc, w: mc, closeTimeout: time.Second, readLimit: limit}
	if deflated {
		c.deflate = &deflate{clientWindow: 1 << 15}
		c.r.rules.allowRSV1 = true
	}
	return c, mc
}

// readAllMessages reads until the connection ends.
func readAllMessages(t testing.TB, c *Conn) ([]Message, *ClosedError) {
	var msgs []Message
	for i := 0; i < 100000; i++ {
		m, err := c.Read()
		if err != nil {
			ce, ok := err.(*ClosedError)
			if !ok {
				t.Fatalf("Read returned %T %v, want a *ClosedError", err, err)
			}
			return msgs, ce
		}
		msgs = append(msgs, m)
	}
	t.Fatal("100000 messages without an end")
	return nil, nil
}

// parseClientFrames parses what the client wrote; every frame must be
// masked.
func parseClientFrames(t testing.TB, b []byte) []clientFrame {
	var out []clientFrame
	for len(b) > 0 {
		h, ok := parseFrameHeader(b)
		if !ok || !h.masked || uint64(len(b)-h.size) < h.length {
			t.Fatalf("client wrote a broken or unmasked frame: % x", b)
		}
		p := append([]byte(nil), b[h.size:h.size+int(h.length)]...)
		for i := range p {
			p[i] ^= h.mask[i%4]
		}
		out = append(out, clientFrame{fin: h.fin, op: h.opcode, payload: p})
		b = b[h.size+int(h.length):]
	}
	return out
}

// ---- an independent model of what a client must do with a byte stream ----

type oracleEnd struct {
	clean     bool
	code      int    // the close code received (clean) or sent (failed); 0: dropped
	reason    string // the reason received
	utf8      bool   // failed for invalid UTF-8 in a text message
	tooBig    bool   // failed for the read limit
	violation bool   // failed for a protocol violation
}

// canBeUTF8Prefix reports whether some bytes appended to p make it valid
// UTF-8, by brute force: every cut of an unfinished last sequence, every
// length it could have, every second byte.
func canBeUTF8Prefix(p []byte) bool {
	if utf8.Valid(p) {
		return true
	}
	for cut := 1; cut <= 3 && cut <= len(p); cut++ {
		head, tail := p[:len(p)-cut], p[len(p)-cut:]
		if !utf8.Valid(head) {
			continue
		}
		for n := cut + 1; n <= 4; n++ {
			for c := 0x80; c <= 0xbf; c++ {
				try := append(append([]byte(nil), tail...), byte(c))
				for len(try) < n {
					try = append(try, 0x80)
				}
				if _, size := utf8.DecodeRune(try); size == n {
					return true
				}
			}
		}
	}
	return false
}

// oracle runs the rules of RFC 6455 over an uncompressed server stream.
func oracle(input []byte, limit int64) (msgs []Message, pongs [][]byte, end oracleEnd) {
	var (
		msg        []byte
		inMsg      bool
		binaryMsg  bool
		fragmented bool
	)
	fail := func(code int) oracleEnd { return oracleEnd{code: code, violation: true} }
	for {
		if len(input) < 2 {
			if inMsg && !binaryMsg && !canBeUTF8Prefix(msg) {
				return msgs, pongs, oracleEnd{code: 1007, utf8: true}
			}
			return msgs, pongs, oracleEnd{}
		}
		b0, b1 := input[0], input[1]
		fin, rsv, op, masked := b0&0x80 != 0, b0&0x70, b0&0x0f, b1&0x80 != 0
		n := uint64(b1 & 0x7f)
		hl := 2
		switch n {
		case 126:
			if len(input) < 4 {
				return msgs, pongs, oracleEnd{}
			}
			n, hl = uint64(binary.BigEndian.Uint16(input[2:])), 4
		case 127:
			if len(input) < 10 {
				return msgs, pongs, oracleEnd{}
			}
			n, hl = binary.BigEndian.Uint64(input[2:]), 10
		}
		if masked {
			if len(input) < hl+4 {
				return msgs, pongs, oracleEnd{}
			}
			return msgs, pongs, fail(1002)
		}
		if rsv != 0 || n>>63 != 0 {
			return msgs, pongs, fail(1002)
		}
		control := op >= 8
		switch {
		case op >= 3 && op <= 7, op >= 0xb:
			return msgs, pongs, fail(1002)
		case control && (n > 125 || !fin):
			return msgs, pongs, fail(1002)
		case op == 0 && !fragmented, (op == 1 || op == 2) && fragmented:
			return msgs, pongs, fail(1002)
		}
		input = input[hl:]
		if control {
			if uint64(len(input)) < n {
				return msgs, pongs, oracleEnd{}
			}
			p := input[:n]
			input = input[n:]
			switch op {
			case opPing:
				pongs = append(pongs, append([]byte(nil), p...))
			case opClose:
				if len(p) == 0 {
					return msgs, pongs, oracleEnd{clean: true, code: 1005}
				}
				if len(p) == 1 {
					return msgs, pongs, fail(1002)
				}
				code := int(binary.BigEndian.Uint16(p))
				valid := code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999
				if !valid {
					return msgs, pongs, fail(1002)
				}
				if !utf8.Valid(p[2:]) {
					return msgs, pongs, fail(1007)
				}
				return msgs, pongs, oracleEnd{clean: true, code: code, reason: string(p[2:])}
			}
			continue
		}
		if op != 0 {
			inMsg, binaryMsg, msg = true, op == 2, nil
		}
		if uint64(len(msg))+n > uint64(limit) {
			return msgs, pongs, oracleEnd{code: 1009, tooBig: true}
		}
		k := min(n, uint64(len(input)))
		msg = append(msg, input[:k]...)
		input = input[k:]
		if !binaryMsg && !canBeUTF8Prefix(msg) {
			return msgs, pongs, oracleEnd{code: 1007, utf8: true}
		}
		if k < n {
			return msgs, pongs, oracleEnd{}
		}
		fragmented = !fin
		if fin {
			if !binaryMsg && !utf8.Valid(msg) {
				return msgs, pongs, oracleEnd{code: 1007, utf8: true}
			}
			if binaryMsg {
				msgs = append(msgs, Message{Binary: true, Data: msg})
			} else {
				msgs = append(msgs, Message{Text: string(msg)})
			}
			inMsg = false
		}
	}
}

// checkAgainstOracle reads input through a Conn and compares the messages,
// the pongs, the close frame sent and the end with the oracle's.
func checkAgainstOracle(t *testing.T, input []byte, seed uint64, limit int64) {
	t.Helper()
	c, mc := memClient(input, seed, false, limit)
	msgs, ce := readAllMessages(t, c)
	wantMsgs, wantPongs, want := oracle(input, limit)
	if !sameMessages(msgs, wantMsgs) {
		t.Fatalf("messages:\n got %v\nwant %v", msgs, wantMsgs)
	}
	frames := parseClientFrames(t, mc.written())
	var pongs [][]byte
	var closing *clientFrame
	for i, f := range frames {
		switch {
		case closing != nil:
			t.Fatalf("client wrote %v after its close frame", f)
		case f.op == opPong:
			pongs = append(pongs, f.payload)
		case f.op == opClose:
			closing = &frames[i]
		default:
			t.Fatalf("client wrote %v", f)
		}
	}
	if len(pongs) != len(wantPongs) {
		t.Fatalf("%d pongs, want %d", len(pongs), len(wantPongs))
	}
	for i := range pongs {
		if !bytes.Equal(pongs[i], wantPongs[i]) {
			t.Fatalf("pong %d = %q, want %q", i, pongs[i], wantPongs[i])
		}
	}
	switch {
	case want.clean:
		if !ce.Clean || ce.Code != want.code || ce.Reason != want.reason {
			t.Fatalf("end = %+v, want clean %d %q", ce, want.code, want.reason)
		}
		wantEcho := encodeClose(want.code, want.reason)
		if closing == nil || !bytes.Equal(closing.payload, wantEcho) {
			t.Fatalf("close echo = %v, want payload %q", closing, wantEcho)
		}
	case want.code == 0:
		var dropped *DroppedError
		if ce.Clean || ce.Code != CodeAbnormal || !errors.As(ce.Err, &dropped) || closing != nil {
			t.Fatalf("end = %+v (close frame %v), want dropped", ce, closing)
		}
	default:
		if ce.Clean || ce.Code != CodeAbnormal {
			t.Fatalf("end = %+v, want 1006 after failing with %d", ce, want.code)
		}
		var (
			v      *ProtocolViolation
			tooBig *MessageTooBigError
		)
		switch {
		case want.utf8 && !errors.Is(ce.Err, ErrInvalidUTF8),
			want.tooBig && !errors.As(ce.Err, &tooBig),
			want.violation && (!errors.As(ce.Err, &v) || v.Code != want.code):
			t.Fatalf("cause = %v, want code %d (%+v)", ce.Err, want.code, want)
		}
		if closing == nil || len(closing.payload) < 2 || int(binary.BigEndian.Uint16(closing.payload)) != want.code {
			t.Fatalf("close frame sent = %v, want code %d", closing, want.code)
		}
	}
	if !mc.closed {
		t.Fatal("the connection was not closed at the end")
	}
}

// validStream returns nframes valid server frames: data messages, some
// fragmented, with pings between.
func validStream(rng *rand.Rand, nframes int) []byte {
	var b []byte
	fragmented := false
	for i := 0; i < nframes; i++ {
		switch rng.IntN(4) {
		case 0:
			b = append(b, ping(string(randBytes(rng, rng.IntN(126))))...)
		default:
			op := byte(opBinary)
			if fragmented {
				op = opContinuation
			}
			fin := rng.IntN(3) > 0
			b = append(b, frame(fin, 0, op, randBytes(rng, []int{0, 1, 125, 126, 300, 70000}[rng.IntN(6)]))...)
			fragmented = !fin
		}
	}
	return b
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestFrameReaderValidStreams: valid streams, cut anywhere, are read
// whole, pings answered in order, the end reported as a drop.
func TestFrameReaderValidStreams(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100; i++ {
		stream := append(validStream(rng, 1+rng.IntN(20)), closeFrame(1000, "bye")...)
		checkAgainstOracle(t, stream, rng.Uint64(), DefaultReadLimit)
		// And the same stream cut short.
		checkAgainstOracle(t, stream[:rng.IntN(len(stream))], rng.Uint64(), DefaultReadLimit)
	}
}

// TestFrameReaderUTF8Prefix checks validUTF8Prefix against the oracle's
// brute force on every short byte string over a set of interesting bytes.
func TestFrameReaderUTF8Prefix(t *testing.T) {
	alphabet := []byte{'a', 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xf0, 0xf1, 0xf4, 0xf5, 0xff}
	var rec func(p []byte)
	rec = func(p []byte) {
		n := validUTF8Prefix(p)
		want := canBeUTF8Prefix(p)
		if (n >= 0) != want {
			t.Fatalf("validUTF8Prefix(% x) = %d, can be a prefix = %v", p, n, want)
		}
		if n >= 0 && (!utf8.Valid(p[:n]) || len(p)-n > 3) {
			t.Fatalf("validUTF8Prefix(% x) = %d", p, n)
		}
		if len(p) == 4 {
			return
		}
		for _, c := range alphabet {
			rec(append(append([]byte(nil), p...), c))
		}
	}
	rec(nil)
}

// TestFrameReaderSharesNothing: a binary message's Data is the caller's,
// not a view of a buffer the next message overwrites.
func TestFrameReaderSharesNothing(t *testing.T) {
	c, _ := memClient(append(binFrame([]byte("first")), binFrame([]byte("secnd"))...), 1, false, DefaultReadLimit)
	m1, err := c.Read()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(); err != nil {
		t.Fatal(err)
	}
	if string(m1.Data) != "first" {
		t.Fatalf("first message changed to %q", m1.Data)
	}
}

func TestCloseFrameEncoding(t *testing.T) {
	long := string(bytes.Repeat([]byte("é"), 100)) // 200 bytes
	p := encodeClose(1001, long)
	if len(p) > maxControlPayload || !utf8.Valid(p[2:]) || binary.BigEndian.Uint16(p) != 1001 {
		t.Fatalf("encodeClose cut the reason badly: %d bytes, % x", len(p), p[:4])
	}
	if encodeClose(CodeNoStatus, "") != nil {
		t.Fatal("1005 must give an empty close payload")
	}
}

// closeOracle is an independent reading of RFC 6455 5.5.1 and 7.4.
func closeOracle(p []byte) (violation int) {
	if len(p) == 0 {
		return 0
	}
	if len(p) == 1 || len(p) > 125 {
		return 1002
	}
	code := int(p[0])<<8 | int(p[1])
	switch {
	case code < 1000, code == 1004, code == 1005, code == 1006, code == 1015,
		code > 1015 && code < 3000, code > 4999:
		return 1002
	}
	if !utf8.Valid(p[2:]) {
		return 1007
	}
	return 0
}

func FuzzCheckClosePayload(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x03, 0xe8})
	f.Add([]byte{0x03, 0xe8, 0xff})
	f.Add([]byte{0x03, 0xec})
	f.Add([]byte{0x0b, 0xb8, 'h', 'i'})
	f.Fuzz(func(t *testing.T, p []byte) {
		code, reason, v := checkClosePayload(p)
		want := closeOracle(p)
		switch {
		case want == 0 && v != nil:
			t.Fatalf("% x: violation %v, want none", p, v)
		case want != 0 && (v == nil || v.Code != want):
			t.Fatalf("% x: violation %v, want code %d", p, v, want)
		case want == 0 && len(p) == 0 && code != CodeNoStatus:
			t.Fatalf("empty payload: code %d", code)
		case want == 0 && len(p) >= 2 && (code != int(p[0])<<8|int(p[1]) || reason != string(p[2:])):
			t.Fatalf("% x: code %d reason %q", p, code, reason)
		}
	})
}

// FuzzFrameReader: whatever the server sends, cut however, the client
// never panics and does what the oracle says: the messages, the pongs,
// then the end and the close frame it sends. With deflate on, compressed
// messages are allowed and only the end's shape is checked.
func FuzzFrameReader(f *testing.F) {
	f.Add([]byte("\x81\x05Hello"), uint64(1), false)
	f.Add(append(text("a"), maskedFrame(opText, []byte("b"))...), uint64(2), false)
	f.Add(append(frame(false, 0, opText, []byte("fr")), append(ping("p"), frame(true, 0, opContinuation, []byte("ag"))...)...), uint64(3), false)
	f.Add(closeFrame(1000, "\xff"), uint64(4), false)
	f.Add(frame(true, 4, opText, []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}), uint64(5), true)
	f.Add([]byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}, uint64(6), false)
	f.Add(frame(true, 0, opPing, make([]byte, 126)), uint64(7), false)
	f.Add(append(frame(false, 0, opText, []byte("a\xe0")), frame(true, 0, opContinuation, []byte("\x80"))...), uint64(8), false)
	f.Add([]byte{0x82, 0x7e, 0x10, 0x00, 1}, uint64(9), false)
	f.Fuzz(func(t *testing.T, input []byte, seed uint64, deflated bool) {
		if !deflated {
			checkAgainstOracle(t, input, seed, 4096)
			return
		}
		c, mc := memClient(input, seed, true, 4096)
		msgs, ce := readAllMessages(t, c)
		for _, m := range msgs {
			if !m.Binary && !utf8.ValidString(m.Text) {
				t.Fatalf("invalid UTF-8 delivered: %q", m.Text)
			}
			if len(m.Data) > 4096 || len(m.Text) > 4096 {
				t.Fatal("a message over the read limit was delivered")
			}
		}
		if ce.Clean != (ce.Err == nil) || (!ce.Clean && ce.Code != CodeAbnormal) {
			t.Fatalf("end = %+v", ce)
		}
		parseClientFrames(t, mc.written())
	})
}

// TestFrameReaderOverLimitAtHeader: a header announcing more than the
// limit fails the connection with 1009 before any payload arrives.
func TestFrameReaderOverLimitAtHeader(t *testing.T) {
	in := []byte{0x82, 0x7e, 0x10, 0x00} // 4096 bytes announced, none sent
	c, mc := memClient(in, 1, false, 100)
	_, ce := readAllMessages(t, c)
	var tooBig *MessageTooBigError
	if !errors.As(ce.Err, &tooBig) || tooBig.Limit != 100 {
		t.Fatalf("end = %+v", ce)
	}
	frames := parseClientFrames(t, mc.written())
	if len(frames) != 1 || frames[0].op != opClose || binary.BigEndian.Uint16(frames[0].payload) != CodeMessageTooBig {
		t.Fatalf("client wrote %v", frames)
	}
}
