package wire

// RFC 6455 client conformance, in the spirit of the Autobahn|Testsuite
// fuzzing server's client cases: a deliberately misbehaving server written
// with raw TCP, a hand-written handshake and hand-built frames (no
// WebSocket library), and assertions on the bytes the client sends back
// and on what Conn.Read returns. CONFORMANCE.md maps the cases to
// Autobahn's sections.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// safety bounds every wait so a broken client fails the test instead of
// hanging it. It is never an assertion on speed.
const safety = 10 * time.Second

// ---- frames ----

// frame builds a server frame: first byte flags|opcode, unmasked.
func frame(fin bool, rsv byte, op byte, payload []byte) []byte {
	b0 := rsv<<4 | op
	if fin {
		b0 |= 0x80
	}
	return appendLength([]byte{b0}, 0, payload)
}

// maskedFrame builds a frame with the mask bit set, as servers must not.
func maskedFrame(op byte, payload []byte) []byte {
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	b := appendLength([]byte{0x80 | op}, 0x80, payload)
	b = append(b[:len(b)-len(payload)], key[:]...) // header, then the key
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}

func appendLength(b []byte, maskBit byte, payload []byte) []byte {
	switch n := len(payload); {
	case n < 126:
		b = append(b, maskBit|byte(n))
	case n <= 0xffff:
		b = append(b, maskBit|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, maskBit|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

func text(s string) []byte     { return frame(true, 0, opText, []byte(s)) }
func binFrame(p []byte) []byte { return frame(true, 0, opBinary, p) }
func ping(p string) []byte     { return frame(true, 0, opPing, []byte(p)) }
func closeFrame(code int, reason string) []byte {
	return frame(true, 0, opClose, closePayload(code, reason))
}

func closePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// clientFrame is a frame the client sent, unmasked.
type clientFrame struct {
	fin     bool
	rsv     byte
	op      byte
	payload []byte
}

func (f clientFrame) String() string {
	if f.op == opClose && len(f.payload) >= 2 {
		return fmt.Sprintf("close(%d, %q)", binary.BigEndian.Uint16(f.payload), f.payload[2:])
	}
	return fmt.Sprintf("op=%#x fin=%v rsv=%d payload=%q", f.op, f.fin, f.rsv, f.payload)
}

// ---- the misbehaving server ----

type rawServer struct {
	ln  net.Listener
	url string
}

// newRawServer listens on a free loopback port; with cfg it speaks TLS.
func newRawServer(t testing.TB, cfg *tls.Config) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	scheme := "ws"
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
		scheme = "wss"
	}
	t.Cleanup(func() { _ = ln.Close() })
	return &rawServer{ln: ln, url: fmt.Sprintf("%s://%s/", scheme, ln.Addr())}
}

// peer is the server's end of one connection.
type peer struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

// serve accepts one connection on its own goroutine (Dial waits for the
// handshake) and answers its handshake with 101 plus the extra header
// lines, then writes early (frames sent along with the 101). The peer, or
// the error, arrives on the channel.
func (s *rawServer) serve(extra string, early []byte) <-chan peerOrErr {
	ch := make(chan peerOrErr, 1)
	go func() {
		p, err := s.handshake(extra, early)
		ch <- peerOrErr{p, err}
	}()
	return ch
}

type peerOrErr struct {
	p   *peer
	err error
}

func (s *rawServer) handshake(extra string, early []byte) (*peer, error) {
	c, err := s.ln.Accept()
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(safety))
	p := &peer{c: c, br: bufio.NewReader(c)}
	req, err := http.ReadRequest(p.br)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("reading the handshake request: %v", err)
	}
	if req.Method != http.MethodGet || !strings.EqualFold(req.Header.Get("Upgrade"), "websocket") ||
		req.Header.Get("Sec-WebSocket-Version") != "13" {
		c.Close()
		return nil, fmt.Errorf("not a WebSocket handshake: %s %v", req.Method, req.Header)
	}
	h := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(h[:]) + "\r\n" + extra + "\r\n"
	if _, err := c.Write(append([]byte(resp), early...)); err != nil {
		c.Close()
		return nil, fmt.Errorf("writing the handshake response: %v", err)
	}
	return p, nil
}

// connect starts a client against s and returns both ends.
func (s *rawServer) connect(t *testing.T, extra string, early []byte, opts DialOptions) (*peer, *Conn, <-chan readResult) {
	t.Helper()
	ch := s.serve(extra, early)
	conn, results := client(t, s.url, opts)
	var r peerOrErr
	select {
	case r = <-ch:
	case <-time.After(safety):
		_ = s.ln.Close()
		r = <-ch
	}
	if r.err != nil {
		t.Fatalf("server: %v", r.err)
	}
	r.p.t = t
	t.Cleanup(func() { _ = r.p.c.Close() })
	return r.p, conn, results
}

func (p *peer) send(frames ...[]byte) {
	p.t.Helper()
	for _, f := range frames {
		if _, err := p.c.Write(f); err != nil {
			p.t.Fatalf("server write: %v", err)
		}
	}
}

// sendBytewise writes b one byte per write call, so the client's reads
// see frame headers split at every position.
func (p *peer) sendBytewise(b []byte) {
	p.t.Helper()
	for i := range b {
		if _, err := p.c.Write(b[i : i+1]); err != nil {
			// The client may fail the connection as soon as a header byte
			// breaks a rule, and cut it with the rest of the frame unread:
			// the bytes after that point have nowhere to go. What the
			// client did is checked from what it sent.
			p.t.Logf("server write stopped at byte %d of %d: %v", i, len(b), err)
			return
		}
	}
}

// read returns the next frame the client sent. Client frames must be
// masked (RFC 6455 5.3).
func (p *peer) read() (clientFrame, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(p.br, hdr[:]); err != nil {
		return clientFrame{}, err
	}
	f := clientFrame{fin: hdr[0]&0x80 != 0, rsv: hdr[0] >> 4 & 7, op: hdr[0] & 0xf}
	if hdr[1]&0x80 == 0 {
		return f, errors.New("client frame is not masked")
	}
	n := uint64(hdr[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(p.br, b[:]); err != nil {
			return f, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(p.br, b[:]); err != nil {
			return f, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 64<<20 {
		return f, fmt.Errorf("client frame of %d bytes", n)
	}
	var key [4]byte
	if _, err := io.ReadFull(p.br, key[:]); err != nil {
		return f, err
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(p.br, f.payload); err != nil {
		return f, err
	}
	for i := range f.payload {
		f.payload[i] ^= key[i%4]
	}
	return f, nil
}

// untilClose reads the client's frames up to and including its close
// frame, returning the frames before it and the close frame.
func (p *peer) untilClose() (before []clientFrame, closing *clientFrame) {
	p.t.Helper()
	for i := 0; i < 1000; i++ {
		f, err := p.read()
		if err != nil {
			p.t.Errorf("waiting for the client's close frame: %v (frames so far: %v)", err, before)
			return before, nil
		}
		if f.op == opClose {
			return before, &f
		}
		before = append(before, f)
	}
	p.t.Fatal("client sent 1000 frames without closing")
	return nil, nil
}

// expectEOF asserts that the client closes the TCP connection.
func (p *peer) expectEOF() {
	p.t.Helper()
	f, err := p.read()
	if err == nil {
		p.t.Errorf("client sent %v after its close frame; want the connection closed", f)
		return
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		p.t.Errorf("client kept the TCP connection open after the close handshake")
	}
}

// ---- the client ----

type readResult struct {
	msgs []Message
	end  *ClosedError
}

// client dials url and reads until the connection ends; the result
// arrives on the returned channel.
func client(t *testing.T, url string, opts DialOptions) (*Conn, <-chan readResult) {
	t.Helper()
	opts.URL = url
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	c, _, err := Dial(ctx, opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	out := make(chan readResult, 1)
	go func() {
		var r readResult
		for i := 0; i < 10000; i++ {
			m, err := c.Read()
			if err != nil {
				ce, ok := err.(*ClosedError)
				if !ok {
					ce = &ClosedError{Code: -1, Err: err}
				}
				r.end = ce
				break
			}
			r.msgs = append(r.msgs, m)
		}
		out <- r
	}()
	t.Cleanup(func() { c.Abort() })
	return c, out
}

func waitEnd(t *testing.T, ch <-chan readResult) readResult {
	t.Helper()
	select {
	case r := <-ch:
		if r.end == nil {
			t.Fatal("client read 10000 messages without the connection ending")
		}
		return r
	case <-time.After(safety):
		t.Fatal("Read did not return after the connection ended")
	}
	return readResult{}
}

func msgString(m Message) string {
	if m.Binary {
		if len(m.Data) > 40 {
			return fmt.Sprintf("binary(%d bytes)", len(m.Data))
		}
		return fmt.Sprintf("binary(%x)", m.Data)
	}
	if len(m.Text) > 40 {
		return fmt.Sprintf("text(%d bytes)", len(m.Text))
	}
	return fmt.Sprintf("text(%q)", m.Text)
}

func sameMessages(got, want []Message) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Binary != want[i].Binary || got[i].Text != want[i].Text || !bytes.Equal(got[i].Data, want[i].Data) {
			return false
		}
	}
	return true
}

// ---- the cases ----

// conformanceCase is one server script and what the client must do.
type conformanceCase struct {
	name     string
	autobahn string // the Autobahn case(s) it corresponds to
	// send is what the server writes after the handshake.
	send [][]byte
	// bytewise writes send one byte per write.
	bytewise bool
	// early frames go out in the same write as the 101 response.
	early []byte

	wantMsgs  []Message
	wantPongs []string // payloads of the pongs the client must send, in order
	// wantClose is the code of the client's close frame.
	wantClose int
	// wantCloseReason, when set, is the reason the client's close frame must carry.
	wantCloseReason *string
	// wantEnd is the code Read reports at the end; clean says whether it
	// reports a close handshake.
	wantEnd   int
	wantClean bool
	wantCause error // for unclean ends: errors.Is or the violation's code
}

func ptr[T any](v T) *T { return &v }

var utf8Hello = "Hello-µ@ßöäüàá-UTF-8!!"

func conformanceCases() []conformanceCase {
	var cases []conformanceCase
	add := func(c conformanceCase) { cases = append(cases, c) }
	protoErr := &ProtocolViolation{Code: CodeProtocolError}
	endClose := closeFrame(1000, "")

	// 1.x framing: payload lengths around the 7/16/64-bit boundaries.
	for _, n := range []int{0, 125, 126, 127, 128, 65535, 65536} {
		p := bytes.Repeat([]byte("*"), n)
		add(conformanceCase{name: fmt.Sprintf("text-%d", n), autobahn: "1.1.1-1.1.8",
			send: [][]byte{text(string(p)), endClose}, wantMsgs: []Message{{Text: string(p)}},
			wantClose: 1000, wantEnd: 1000, wantClean: true})
		b := bytes.Repeat([]byte{0xfe}, n)
		want := Message{Binary: true}
		if n > 0 {
			want.Data = b
		}
		add(conformanceCase{name: fmt.Sprintf("binary-%d", n), autobahn: "1.2.1-1.2.8",
			send: [][]byte{binFrame(b), endClose}, wantMsgs: []Message{want},
			wantClose: 1000, wantEnd: 1000, wantClean: true})
	}

	// 2.x pings.
	add(conformanceCase{name: "ping-empty", autobahn: "2.1", send: [][]byte{ping(""), endClose},
		wantPongs: []string{""}, wantClose: 1000, wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "ping-text", autobahn: "2.2", send: [][]byte{ping("Hello, world!"), endClose},
		wantPongs: []string{"Hello, world!"}, wantClose: 1000, wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "ping-binary", autobahn: "2.3",
		send:      [][]byte{frame(true, 0, opPing, []byte{0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0, 0xff}), endClose},
		wantPongs: []string{"\x00\xff\xfe\xfd\xfc\xfb\x00\xff"}, wantClose: 1000, wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "ping-125", autobahn: "2.4", send: [][]byte{ping(strings.Repeat("\xfe", 125)), endClose},
		wantPongs: []string{strings.Repeat("\xfe", 125)}, wantClose: 1000, wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "ping-126", autobahn: "2.5", send: [][]byte{ping(strings.Repeat("\xfe", 126))},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	add(conformanceCase{name: "ping-125-bytewise", autobahn: "2.6", bytewise: true,
		send:      [][]byte{ping(strings.Repeat("\xfe", 125)), endClose},
		wantPongs: []string{strings.Repeat("\xfe", 125)}, wantClose: 1000, wantEnd: 1000, wantClean: true})
	tenPings := [][]byte{}
	tenPongs := []string{}
	for i := 0; i < 10; i++ {
		tenPings = append(tenPings, ping(fmt.Sprintf("payload-%d", i)))
		tenPongs = append(tenPongs, fmt.Sprintf("payload-%d", i))
	}
	add(conformanceCase{name: "ten-pings", autobahn: "2.10, 2.11", send: append(tenPings, endClose),
		wantPongs: tenPongs, wantClose: 1000, wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "unsolicited-pong", autobahn: "2.7, 2.8",
		send:     [][]byte{frame(true, 0, opPong, nil), frame(true, 0, opPong, []byte("unsolicited")), text("after"), endClose},
		wantMsgs: []Message{{Text: "after"}}, wantClose: 1000, wantEnd: 1000, wantClean: true})

	// 3.x reserved bits.
	for rsv := byte(1); rsv <= 7; rsv++ {
		op, name := byte(opText), "text"
		switch rsv {
		case 5:
			op, name = opBinary, "binary"
		case 6:
			op, name = opPing, "ping"
		case 7:
			op, name = opClose, "close"
		}
		payload := []byte("Hello")
		if op == opClose {
			payload = closePayload(1000, "")
		}
		add(conformanceCase{name: fmt.Sprintf("rsv%d-%s", rsv, name), autobahn: fmt.Sprintf("3.%d", rsv),
			send:     [][]byte{text("before"), frame(true, rsv, op, payload), ping("after")},
			wantMsgs: []Message{{Text: "before"}}, wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	}

	// 4.x reserved opcodes.
	for _, op := range []byte{3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf} {
		ab := fmt.Sprintf("4.1.%d", op-2)
		if op > 7 {
			ab = fmt.Sprintf("4.2.%d", op-10)
		}
		add(conformanceCase{name: fmt.Sprintf("opcode-%d", op), autobahn: ab,
			send:     [][]byte{text("before"), frame(true, 0, op, []byte("reserved")), ping("after")},
			wantMsgs: []Message{{Text: "before"}}, wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	}

	// 5.x fragmentation.
	add(conformanceCase{name: "fragmented-ping", autobahn: "5.1",
		send:      [][]byte{frame(false, 0, opPing, []byte("frag1")), frame(true, 0, opContinuation, []byte("frag2"))},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	add(conformanceCase{name: "fragmented-pong", autobahn: "5.2",
		send:      [][]byte{frame(false, 0, opPong, []byte("frag1")), frame(true, 0, opContinuation, []byte("frag2"))},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	add(conformanceCase{name: "text-in-two-fragments", autobahn: "5.3-5.5",
		send:     [][]byte{frame(false, 0, opText, []byte("frag1")), frame(true, 0, opContinuation, []byte("frag2")), endClose},
		wantMsgs: []Message{{Text: "frag1frag2"}}, wantClose: 1000, wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "ping-between-fragments", autobahn: "5.6-5.8",
		send: [][]byte{frame(false, 0, opText, []byte("frag1")), ping("pongme!"),
			frame(true, 0, opContinuation, []byte("frag2")), endClose},
		wantMsgs: []Message{{Text: "frag1frag2"}}, wantPongs: []string{"pongme!"},
		wantClose: 1000, wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "ping-between-fragments-bytewise", autobahn: "5.8", bytewise: true,
		send: [][]byte{frame(false, 0, opBinary, []byte{1, 2}), ping("pongme!"),
			frame(false, 0, opContinuation, []byte{3}), ping("again"), frame(true, 0, opContinuation, []byte{4}), endClose},
		wantMsgs: []Message{{Binary: true, Data: []byte{1, 2, 3, 4}}}, wantPongs: []string{"pongme!", "again"},
		wantClose: 1000, wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "continuation-without-start", autobahn: "5.9, 5.12, 5.15",
		send:      [][]byte{frame(true, 0, opContinuation, []byte("non-continuation payload")), text("Hello, world!")},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	add(conformanceCase{name: "unfinished-continuation-without-start", autobahn: "5.10, 5.13",
		send:      [][]byte{frame(false, 0, opContinuation, []byte("non-continuation payload")), text("Hello, world!")},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	add(conformanceCase{name: "new-message-inside-fragmented", autobahn: "5.18",
		send:      [][]byte{frame(false, 0, opText, []byte("fragment1")), frame(true, 0, opText, []byte("fragment2"))},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	add(conformanceCase{name: "fragments-with-pings", autobahn: "5.19, 5.20",
		send: [][]byte{frame(false, 0, opText, []byte("f1")), frame(false, 0, opContinuation, []byte("f2")),
			ping("p1"), frame(false, 0, opContinuation, []byte("f3")), frame(false, 0, opContinuation, []byte("f4")),
			ping("p2"), frame(true, 0, opContinuation, []byte("f5")), endClose},
		wantMsgs: []Message{{Text: "f1f2f3f4f5"}}, wantPongs: []string{"p1", "p2"},
		wantClose: 1000, wantEnd: 1000, wantClean: true})

	// 6.x UTF-8.
	add(conformanceCase{name: "utf8-valid", autobahn: "6.2.1", send: [][]byte{text(utf8Hello), endClose},
		wantMsgs: []Message{{Text: utf8Hello}}, wantClose: 1000, wantEnd: 1000, wantClean: true})
	split := []byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5") // κόσμε
	add(conformanceCase{name: "utf8-split-inside-codepoint", autobahn: "6.2.3, 6.2.4",
		send: [][]byte{frame(false, 0, opText, split[:1]), frame(false, 0, opContinuation, split[1:4]),
			frame(true, 0, opContinuation, split[4:]), endClose},
		wantMsgs: []Message{{Text: string(split)}}, wantClose: 1000, wantEnd: 1000, wantClean: true})
	for i, bad := range []string{"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64", "\xff", "\xc0\xaf", "\xf4\x90\x80\x80", "\xed\xa0\x80"} {
		add(conformanceCase{name: fmt.Sprintf("utf8-invalid-%d", i), autobahn: "6.3-6.21 (e.g. 6.3.1, 6.6.x)",
			send: [][]byte{text(bad)}, wantClose: 1007, wantEnd: 1006, wantCause: ErrInvalidUTF8})
	}
	add(conformanceCase{name: "utf8-invalid-fragmented", autobahn: "6.4.1-6.4.4",
		send:      [][]byte{frame(false, 0, opText, []byte("\xce\xba\xe1\xbd\xb9")), frame(true, 0, opContinuation, []byte("\xf4\x90\x80\x80edited"))},
		wantClose: 1007, wantEnd: 1006, wantCause: ErrInvalidUTF8})

	// 7.x close.
	add(conformanceCase{name: "close-then-data-ignored", autobahn: "7.1.1-7.1.5",
		send:      [][]byte{text("Hello World!"), closeFrame(1000, ""), text("after close"), ping("after close")},
		wantMsgs:  []Message{{Text: "Hello World!"}},
		wantClose: 1000, wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "close-empty", autobahn: "7.3.1", send: [][]byte{frame(true, 0, opClose, nil)},
		wantClose: -1, wantEnd: 1005, wantClean: true})
	add(conformanceCase{name: "close-1-byte", autobahn: "7.3.2", send: [][]byte{frame(true, 0, opClose, []byte{0x03})},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	add(conformanceCase{name: "close-code-only", autobahn: "7.3.3", send: [][]byte{closeFrame(1000, "")},
		wantClose: 1000, wantCloseReason: ptr(""), wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "close-with-reason", autobahn: "7.3.4", send: [][]byte{closeFrame(1000, "Hello World!")},
		wantClose: 1000, wantCloseReason: ptr("Hello World!"), wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "close-reason-123", autobahn: "7.3.5", send: [][]byte{closeFrame(1000, strings.Repeat("*", 123))},
		wantClose: 1000, wantCloseReason: ptr(strings.Repeat("*", 123)), wantEnd: 1000, wantClean: true})
	add(conformanceCase{name: "close-reason-124", autobahn: "7.3.6", send: [][]byte{closeFrame(1000, strings.Repeat("*", 124))},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	add(conformanceCase{name: "close-reason-invalid-utf8", autobahn: "7.5.1",
		send:      [][]byte{closeFrame(1000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64")},
		wantClose: 1007, wantEnd: 1006, wantCause: &ProtocolViolation{Code: CodeInvalidPayload}})
	for _, code := range []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999} {
		add(conformanceCase{name: fmt.Sprintf("close-valid-%d", code), autobahn: "7.7.1-7.7.13",
			send:      [][]byte{closeFrame(code, "")},
			wantClose: code, wantEnd: code, wantClean: true})
	}
	for _, code := range []int{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535} {
		add(conformanceCase{name: fmt.Sprintf("close-invalid-%d", code), autobahn: "7.9.1-7.9.13, 7.13.1-7.13.2",
			send:      [][]byte{closeFrame(code, "")},
			wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	}

	// Masked server frames (RFC 6455 5.1), which coder/websocket accepts.
	for _, m := range []struct {
		name string
		f    []byte
	}{
		{"text", maskedFrame(opText, []byte("Hello"))},
		{"binary", maskedFrame(opBinary, []byte{1, 2, 3})},
		{"ping", maskedFrame(opPing, []byte("ping"))},
		{"close", maskedFrame(opClose, closePayload(1000, ""))},
	} {
		add(conformanceCase{name: "masked-" + m.name, autobahn: "(RFC 6455 5.1; not in Autobahn)",
			send:     [][]byte{text("before"), m.f, ping("after")},
			wantMsgs: []Message{{Text: "before"}}, wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	}
	add(conformanceCase{name: "masked-continuation", autobahn: "(RFC 6455 5.1)",
		send:      [][]byte{frame(false, 0, opText, []byte("frag1")), maskedFrame(opContinuation, []byte("frag2"))},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	add(conformanceCase{name: "masked-with-handshake", autobahn: "(RFC 6455 5.1)",
		early:     append(text("early"), maskedFrame(opText, []byte("masked"))...),
		wantMsgs:  []Message{{Text: "early"}},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	add(conformanceCase{name: "masked-bytewise", autobahn: "(RFC 6455 5.1)", bytewise: true,
		send:     [][]byte{text("before"), maskedFrame(opText, []byte("Hello"))},
		wantMsgs: []Message{{Text: "before"}}, wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	huge := []byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}
	add(conformanceCase{name: "length-msb-set", autobahn: "(RFC 6455 5.2)", send: [][]byte{huge},
		wantClose: 1002, wantEnd: 1006, wantCause: protoErr})
	return cases
}

func TestConformance(t *testing.T) {
	for _, tc := range conformanceCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runCase(t, tc, nil, DialOptions{})
		})
	}
}

// runCase plays tc's server script against a client and checks both ends.
func runCase(t *testing.T, tc conformanceCase, srvTLS *tls.Config, opts DialOptions) {
	srv := newRawServer(t, srvTLS)
	p, _, results := srv.connect(t, "", tc.early, opts)
	serverClosed := false
	for _, f := range tc.send {
		if tc.bytewise {
			p.sendBytewise(f)
		} else if _, err := p.c.Write(f); err != nil {
			// The client may already have ended the connection (it
			// answered a close frame or failed on a bad one), and the
			// script's later frames have nowhere to go. What the client
			// did is checked below from what it received and sent.
			t.Logf("server write stopped: %v", err)
			break
		}
		if len(f) > 0 && f[0]&0x0f == opClose {
			serverClosed = true
		}
	}
	before, closing := p.untilClose()
	var pongs []string
	for _, f := range before {
		if f.op != opPong {
			t.Errorf("client sent %v; want only pongs before its close frame", f)
			continue
		}
		pongs = append(pongs, string(f.payload))
	}
	if fmt.Sprint(pongs) != fmt.Sprint(tc.wantPongs) || len(pongs) != len(tc.wantPongs) {
		t.Errorf("client's pongs = %q, want %q", pongs, tc.wantPongs)
	}
	if closing != nil {
		gotCode := -1 // an empty close frame
		var gotReason string
		if len(closing.payload) >= 2 {
			gotCode = int(binary.BigEndian.Uint16(closing.payload))
			gotReason = string(closing.payload[2:])
		}
		if gotCode != tc.wantClose {
			t.Errorf("client's close frame = %v, want code %d", closing, tc.wantClose)
		}
		if tc.wantCloseReason != nil && gotReason != *tc.wantCloseReason {
			t.Errorf("client's close reason = %q, want %q", gotReason, *tc.wantCloseReason)
		}
		if !closing.fin {
			t.Errorf("client's close frame is fragmented")
		}
		if !serverClosed {
			// The client started the close: answer it, as a server does.
			_, _ = p.c.Write(frame(true, 0, opClose, closing.payload))
		}
		p.expectEOF()
	}
	r := waitEnd(t, results)
	if !sameMessages(r.msgs, tc.wantMsgs) {
		var got, want []string
		for _, m := range r.msgs {
			got = append(got, msgString(m))
		}
		for _, m := range tc.wantMsgs {
			want = append(want, msgString(m))
		}
		t.Errorf("Read returned messages %v, want %v", got, want)
	}
	if r.end.Code != tc.wantEnd || r.end.Clean != tc.wantClean {
		t.Errorf("Read ended with code %d clean=%v (%v), want code %d clean=%v", r.end.Code, r.end.Clean, r.end, tc.wantEnd, tc.wantClean)
	}
	switch cause := tc.wantCause.(type) {
	case nil:
	case *ProtocolViolation:
		var v *ProtocolViolation
		if !errors.As(r.end.Err, &v) || v.Code != cause.Code {
			t.Errorf("Read's cause = %v, want a ProtocolViolation with code %d", r.end.Err, cause.Code)
		}
	default:
		if !errors.Is(r.end.Err, cause) {
			t.Errorf("Read's cause = %v, want %v", r.end.Err, cause)
		}
	}
}

// TestConformanceTLS runs violations over wss://: the guard must sit on
// the plaintext stream above TLS.
func TestConformanceTLS(t *testing.T) {
	srvCfg, cliCfg := testTLS(t)
	tr := NewTransport(TransportOptions{TLSConfig: cliCfg})
	for _, tc := range conformanceCases() {
		switch tc.name {
		case "masked-text", "masked-with-handshake", "close-reason-invalid-utf8", "ping-between-fragments", "text-65536", "rsv2-text":
		default:
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			runCase(t, tc, srvCfg, DialOptions{Transport: tr})
		})
	}
}

// TestConformanceDeflate checks that RSV1 is accepted on the first frame
// of a message once permessage-deflate is negotiated, and still refused on
// continuation and control frames.
func TestConformanceDeflate(t *testing.T) {
	// "Hello" compressed with raw DEFLATE, final block and sync tail
	// removed, as permessage-deflate sends it (RFC 7692 7.2.3.1).
	hello := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	ext := "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"
	t.Run("compressed-message", func(t *testing.T) {
		srv := newRawServer(t, nil)
		p, conn, results := srv.connect(t, ext, nil, DialOptions{Compression: true})
		p.send(frame(true, 4, opText, hello), closeFrame(1000, ""))
		_, closing := p.untilClose()
		if closing == nil || binary.BigEndian.Uint16(closing.payload) != 1000 {
			t.Errorf("client's close = %v, want 1000", closing)
		}
		p.expectEOF()
		_ = conn
		r := waitEnd(t, results)
		if !sameMessages(r.msgs, []Message{{Text: "Hello"}}) || !r.end.Clean || r.end.Code != 1000 {
			t.Errorf("got %v, end %v; want text Hello and a clean 1000", r.msgs, r.end)
		}
	})
	for _, bad := range []struct {
		name string
		send [][]byte
	}{
		{"rsv1-on-continuation", [][]byte{frame(false, 4, opText, hello[:3]), frame(true, 4, opContinuation, hello[3:])}},
		{"rsv1-on-ping", [][]byte{frame(true, 4, opPing, nil)}},
	} {
		t.Run(bad.name, func(t *testing.T) {
			srv := newRawServer(t, nil)
			p, _, results := srv.connect(t, ext, nil, DialOptions{Compression: true})
			p.send(bad.send...)
			_, closing := p.untilClose()
			if closing == nil || binary.BigEndian.Uint16(closing.payload) != 1002 {
				t.Errorf("client's close = %v, want 1002", closing)
			}
			p.expectEOF()
			r := waitEnd(t, results)
			if r.end.Clean || r.end.Code != 1006 {
				t.Errorf("end = %+v, want unclean 1006", r.end)
			}
		})
	}
}

// TestConformanceClientClose: a close the client starts is answered and
// reported with the client's code; the client closes TCP after the reply.
func TestConformanceClientClose(t *testing.T) {
	srv := newRawServer(t, nil)
	p, conn, results := srv.connect(t, "", nil, DialOptions{})
	closed := make(chan error, 1)
	go func() { closed <- conn.Close(3001, "ciao") }()
	_, closing := p.untilClose()
	if closing == nil {
		t.Fatal("no close frame")
	}
	if got := closing.String(); got != `close(3001, "ciao")` {
		t.Errorf("client's close frame = %s, want close(3001, \"ciao\")", got)
	}
	p.send(closeFrame(3001, "ciao"))
	p.expectEOF()
	if err := <-closed; err != nil {
		t.Errorf("Close = %v", err)
	}
	r := waitEnd(t, results)
	if !r.end.Clean || r.end.Code != 3001 || r.end.Reason != "ciao" {
		t.Errorf("end = %+v, want clean 3001 ciao", r.end)
	}
}

// TestConformanceServerDropsTCP: a connection lost without a close
// handshake is reported as 1006, not clean.
func TestConformanceServerDropsTCP(t *testing.T) {
	srv := newRawServer(t, nil)
	p, _, results := srv.connect(t, "", nil, DialOptions{})
	p.send(text("last words"))
	_ = p.c.Close()
	r := waitEnd(t, results)
	if !sameMessages(r.msgs, []Message{{Text: "last words"}}) {
		t.Errorf("messages = %v", r.msgs)
	}
	if r.end.Clean || r.end.Code != 1006 {
		t.Errorf("end = %+v, want unclean 1006", r.end)
	}
}

// TestConformanceReadLimit: a message over the read limit fails the
// connection with 1009, and the client then closes TCP itself instead of
// waiting for the server (coder/websocket only sends the close frame).
func TestConformanceReadLimit(t *testing.T) {
	srv := newRawServer(t, nil)
	p, _, results := srv.connect(t, "", nil, DialOptions{ReadLimit: 1000})
	p.send(binFrame(make([]byte, 2000)))
	_, closing := p.untilClose()
	if closing == nil || binary.BigEndian.Uint16(closing.payload) != CodeMessageTooBig {
		t.Errorf("client's close = %v, want 1009", closing)
	}
	// The server does not answer: the client must not wait for it.
	p.expectEOF()
	r := waitEnd(t, results)
	if r.end.Clean || r.end.Code != 1006 {
		t.Errorf("end = %+v, want unclean 1006", r.end)
	}
}

// testTLS returns a server config with a fresh self-signed certificate for
// 127.0.0.1 and a client config that trusts it.
func testTLS(t *testing.T) (srv, cli *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "unisocket conformance"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

// TestConformanceUTF8FailFast (Autobahn 6.4.1–6.4.4): invalid UTF-8 fails
// the connection as soon as it arrives, while the server still holds the
// rest of the message: in a later fragment, and inside one frame whose
// announced payload is not all sent.
func TestConformanceUTF8FailFast(t *testing.T) {
	for _, tc := range []struct {
		name string
		send []byte
	}{
		{"later-fragment", append(frame(false, 0, opText, []byte("\xce\xba\xe1\xbd\xb9")),
			frame(false, 0, opContinuation, []byte("\xf4\x90\x80\x80"))...)},
		{"inside-a-frame", []byte{0x81, 20, 0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xf4, 0x90, 0x80, 0x80}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRawServer(t, nil)
			p, _, results := srv.connect(t, "", nil, DialOptions{})
			p.send(tc.send) // and nothing more: the message is never finished
			_, closing := p.untilClose()
			if closing == nil || binary.BigEndian.Uint16(closing.payload) != CodeInvalidPayload {
				t.Errorf("client's close = %v, want 1007", closing)
			}
			p.expectEOF()
			r := waitEnd(t, results)
			if r.end.Clean || r.end.Code != 1006 || !errors.Is(r.end.Err, ErrInvalidUTF8) {
				t.Errorf("end = %+v, want unclean 1006 with ErrInvalidUTF8", r.end)
			}
		})
	}
}
