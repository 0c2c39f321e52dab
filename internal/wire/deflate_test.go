package wire

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestParseDeflate(t *testing.T) {
	for _, tc := range []struct {
		header  string
		offered bool
		want    *deflate // nil with ok: not negotiated
		ok      bool
	}{
		{"", true, nil, true},
		{"permessage-deflate", true, &deflate{clientWindow: 1 << 15}, true},
		{"permessage-deflate", false, nil, false},
		{" Permessage-Deflate ; server_no_context_takeover; client_no_context_takeover", true,
			&deflate{serverNoTakeover: true, clientNoTakeover: true, clientWindow: 1 << 15}, true},
		{"permessage-deflate; client_max_window_bits=10; server_max_window_bits=9", true,
			&deflate{clientWindow: 1 << 10}, true},
		{`permessage-deflate; client_max_window_bits="12"`, true, &deflate{clientWindow: 1 << 12}, true},
		{"permessage-deflate; client_max_window_bits", true, nil, false},
		{"permessage-deflate; server_max_window_bits=7", true, nil, false},
		{"permessage-deflate; client_no_context_takeover=1", true, nil, false},
		{"permessage-deflate; server_no_context_takeover; server_no_context_takeover", true, nil, false},
		{"permessage-deflate; foo", true, nil, false},
		{"permessage-deflate, permessage-deflate", true, nil, false},
		{"x-webkit-deflate-frame", true, nil, false},
	} {
		h := http.Header{}
		if tc.header != "" {
			h.Set("Sec-WebSocket-Extensions", tc.header)
		}
		got, err := parseDeflate(h, tc.offered)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v, want ok = %v", tc.header, err, tc.ok)
			continue
		}
		if tc.ok && (got == nil) != (tc.want == nil) || got != nil && tc.want != nil &&
			(got.serverNoTakeover != tc.want.serverNoTakeover || got.clientNoTakeover != tc.want.clientNoTakeover || got.clientWindow != tc.want.clientWindow) {
			t.Errorf("%q: got %+v, want %+v", tc.header, got, tc.want)
		}
	}
}

// TestDeflateRoundTrip: messages compressed both ways against
// coder/websocket's server, in each context takeover mode, several in a
// row so that a context carried over is used.
func TestDeflateRoundTrip(t *testing.T) {
	for _, mode := range []websocket.CompressionMode{websocket.CompressionContextTakeover, websocket.CompressionNoContextTakeover} {
		t.Run(map[websocket.CompressionMode]string{
			websocket.CompressionContextTakeover:   "context-takeover",
			websocket.CompressionNoContextTakeover: "no-context-takeover",
		}[mode], func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: mode, CompressionThreshold: 1})
				if err != nil {
					return
				}
				defer c.CloseNow()
				c.SetReadLimit(1 << 22)
				for {
					typ, p, err := c.Read(context.Background())
					if err != nil {
						return
					}
					if err := c.Write(context.Background(), typ, p); err != nil {
						return
					}
				}
			}))
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), safety)
			defer cancel()
			c, hs, err := Dial(ctx, DialOptions{URL: "ws" + strings.TrimPrefix(srv.URL, "http"), Compression: true})
			if err != nil {
				t.Fatal(err)
			}
			if c.deflate == nil {
				t.Fatalf("permessage-deflate not negotiated: %q", hs.Extensions)
			}
			defer c.Abort()
			msgs := []string{
				strings.Repeat("hello, compressed world ", 20),
				strings.Repeat("hello, compressed world ", 21),
				"short",
				strings.Repeat("0123456789abcdef", 1<<14), // 256 KiB, past the 32 KiB window
				strings.Repeat("hello, compressed world ", 22),
			}
			for i, m := range msgs {
				binary := i%2 == 1
				var err error
				if binary {
					err = c.Write(true, []byte(m))
				} else {
					err = c.WriteText(m)
				}
				if err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
				got, err := c.Read()
				if err != nil {
					t.Fatalf("read %d: %v", i, err)
				}
				if got.Binary != binary || (binary && !bytes.Equal(got.Data, []byte(m))) || (!binary && got.Text != m) {
					t.Fatalf("echo %d differs (%d bytes sent)", i, len(m))
				}
			}
			done := make(chan error, 1)
			go func() { done <- c.Close(CodeNormal, "") }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(safety):
				t.Fatal("Close did not return")
			}
		})
	}
}

// TestDeflateInflateLimit: a compressed message that inflates past the
// read limit fails the connection with 1009.
func TestDeflateInflateLimit(t *testing.T) {
	d := &deflate{clientWindow: 1 << 15}
	big := d.compress(nil, make([]byte, 100000))
	in := frame(true, 4, opBinary, big)
	c, mc := memClient(in, 1, true, 1000)
	_, ce := readAllMessages(t, c)
	var tooBig *MessageTooBigError
	if ce.Clean || !errors.As(ce.Err, &tooBig) {
		t.Fatalf("end = %+v, want the read limit", ce)
	}
	frames := parseClientFrames(t, mc.written())
	if len(frames) != 1 || frames[0].op != opClose || frames[0].payload[1] != byte(CodeMessageTooBig&0xff) {
		t.Fatalf("client wrote %v", frames)
	}
}

// TestDeflateSmallClientWindow: with a client window under 32 KiB, a
// message that fits is compressed on its own, one that does not is sent
// uncompressed.
func TestDeflateSmallClientWindow(t *testing.T) {
	d := &deflate{clientWindow: 512}
	if out := d.compress(nil, bytes.Repeat([]byte("abc"), 400)); out != nil {
		t.Fatalf("a 1200-byte message was compressed for a 512-byte window")
	}
	msg := bytes.Repeat([]byte("abc"), 100)
	for i := 0; i < 2; i++ {
		out := d.compress(nil, msg)
		if out == nil {
			t.Fatal("a 300-byte message was not compressed")
		}
		// Each message inflates on its own, without the previous one.
		got, err := (&deflate{serverNoTakeover: true}).inflate(out, -1)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("message %d does not inflate on its own: %v", i, err)
		}
	}
}
