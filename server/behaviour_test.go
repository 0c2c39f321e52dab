package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/unisocket/unisocket/server"
)

func TestEcho(t *testing.T) {
	srv, _ := start(t, server.Options{})
	c := dial(t, srv.URL()+"/echo", nil)

	write(t, c, websocket.MessageText, "hello")
	if typ, got := read(t, c); typ != websocket.MessageText || got != "hello" {
		t.Errorf("text echo = %v %q", typ, got)
	}
	write(t, c, websocket.MessageBinary, "\x00\xff")
	if typ, got := read(t, c); typ != websocket.MessageBinary || got != "\x00\xff" {
		t.Errorf("binary echo = %v %q", typ, got)
	}
	write(t, c, websocket.MessageText, "")
	if typ, got := read(t, c); typ != websocket.MessageText || got != "" {
		t.Errorf("empty echo = %v %q", typ, got)
	}
	// Far above coder/websocket's 32 KiB default read limit.
	big := strings.Repeat("x", 5<<20)
	write(t, c, websocket.MessageBinary, big)
	if typ, got := read(t, c); typ != websocket.MessageBinary || got != big {
		t.Errorf("5 MiB echo: %v of %d bytes", typ, len(got))
	}
	if err := c.Close(websocket.StatusNormalClosure, "done"); err != nil {
		t.Errorf("close: %v", err)
	}
}

func TestEchoLogsClientClose(t *testing.T) {
	srv, logs := start(t, server.Options{})
	c := dial(t, srv.URL(), nil)
	write(t, c, websocket.MessageText, "one")
	read(t, c)
	if err := c.Close(4001, "client bye"); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(`closed by the client with 4001 "client bye" after 1 echoed messages`)
}

func TestStatus(t *testing.T) {
	srv, logs := start(t, server.Options{})
	for _, code := range []int{200, 400, 403, 404, 500, 503} {
		_, resp, err := dialErr(t, srv.URL()+"/x?status="+strconv.Itoa(code), nil)
		if err == nil {
			t.Fatalf("status=%d: the handshake succeeded", code)
		}
		if resp == nil || resp.StatusCode != code {
			t.Fatalf("status=%d: response %v, err %v", code, resp, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if want := "status=" + strconv.Itoa(code); !strings.Contains(string(body), want) {
			t.Errorf("status=%d: body %q does not name the behaviour", code, body)
		}
	}
	logs.waitFor("status=404: rejected the handshake")
}

func TestRedirectIsNotFollowed(t *testing.T) {
	srv, logs := start(t, server.Options{})
	target := "ws://elsewhere.invalid/chat"
	for _, tc := range []struct {
		query string
		code  int
	}{
		{"redirect=" + target, http.StatusFound},
		{"redirect=" + target + "&status=307", http.StatusTemporaryRedirect},
	} {
		client := httpClient(t, nil)
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		_, resp, err := dialErr(t, srv.URL()+"/?"+tc.query, &websocket.DialOptions{HTTPClient: client})
		if err == nil {
			t.Fatalf("%s: the handshake succeeded", tc.query)
		}
		if resp == nil || resp.StatusCode != tc.code || resp.Header.Get("Location") != target {
			t.Fatalf("%s: response %v, err %v; want %d to %s", tc.query, resp, err, tc.code, target)
		}
	}
	logs.waitFor("redirect=" + target + ": answered 302")
}

func TestDelay(t *testing.T) {
	srv, logs := start(t, server.Options{})
	t.Run("then open", func(t *testing.T) {
		for _, d := range []string{"20ms", "20"} {
			c := dial(t, srv.URL()+"/?delay="+d, nil)
			write(t, c, websocket.MessageText, "late")
			if _, got := read(t, c); got != "late" {
				t.Errorf("delay=%s: echo = %q", d, got)
			}
		}
		logs.waitFor("delay=20ms: waiting")
	})
	t.Run("client gives up", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, _, err := websocket.Dial(ctx, srv.URL()+"/?delay=1h", &websocket.DialOptions{HTTPClient: httpClient(t, nil)})
			done <- err
		}()
		logs.waitFor("delay=1h0m0s: waiting")
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("dial during delay: err = %v, want context.Canceled", err)
		}
		logs.waitFor("delay=1h0m0s: cut short")
	})
}

func TestProtocol(t *testing.T) {
	srv, _ := start(t, server.Options{})
	for _, tc := range []struct {
		name, query string
		requested   []string
		want        string // the negotiated subprotocol
		wantErr     string // the client refuses the handshake
	}{
		{name: "first requested", requested: []string{"chat", "superchat"}, want: "chat"},
		{name: "none requested", want: ""},
		{name: "none", query: "protocol=none", requested: []string{"chat"}, want: ""},
		{name: "forced, requested", query: "protocol=superchat", requested: []string{"chat", "superchat"}, want: "superchat"},
		{name: "forced, not requested", query: "protocol=mqtt", wantErr: `unexpected Sec-WebSocket-Protocol from server: "mqtt"`},
		{name: "forced, others requested", query: "protocol=mqtt", requested: []string{"chat"}, wantErr: `unexpected Sec-WebSocket-Protocol from server: "mqtt"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query := tc.query
			if tc.wantErr != "" {
				// coder/websocket's Dial reads up to 1 KiB of a refused
				// response's body, for up to 3 s; on a 101 the body is the
				// WebSocket stream, which drop=1 ends at once.
				query += "&drop=1"
			}
			c, resp, err := dialErr(t, srv.URL()+"/?"+query, &websocket.DialOptions{Subprotocols: tc.requested})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if resp == nil || resp.StatusCode != http.StatusSwitchingProtocols {
					t.Fatalf("response %v, want 101 with the forced subprotocol", resp)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Subprotocol(); got != tc.want {
				t.Errorf("subprotocol %q, want %q", got, tc.want)
			}
			if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != tc.want {
				t.Errorf("Sec-WebSocket-Protocol %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSend(t *testing.T) {
	srv, logs := start(t, server.Options{})
	t.Run("text", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?send=3", nil)
		for _, want := range []string{"message 1", "message 2", "message 3"} {
			if typ, got := read(t, c); typ != websocket.MessageText || got != want {
				t.Errorf("got %v %q, want text %q", typ, got, want)
			}
		}
		write(t, c, websocket.MessageText, "then echo")
		if _, got := read(t, c); got != "then echo" {
			t.Errorf("echo after send = %q", got)
		}
		logs.waitFor("send=3: sent 3 text messages")
	})
	t.Run("binary with size", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?send=2&size=25&binary=1", nil)
		for _, want := range []string{"message 1 message 1 messa", "message 2 message 2 messa"} {
			if typ, got := read(t, c); typ != websocket.MessageBinary || got != want {
				t.Errorf("got %v %q, want binary %q", typ, got, want)
			}
		}
	})
	t.Run("large and empty", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?send=1&size=1048576", nil)
		if typ, got := read(t, c); typ != websocket.MessageText || len(got) != 1<<20 || !strings.HasPrefix(got, "message 1 message 1") {
			t.Errorf("got %v of %d bytes", typ, len(got))
		}
		c = dial(t, srv.URL()+"/?send=1&size=0", nil)
		if _, got := read(t, c); got != "" {
			t.Errorf("size=0 sent %q", got)
		}
	})
}

func TestBinaryEcho(t *testing.T) {
	srv, _ := start(t, server.Options{})
	c := dial(t, srv.URL()+"/?binary=1", nil)
	write(t, c, websocket.MessageText, "text in")
	if typ, got := read(t, c); typ != websocket.MessageBinary || got != "text in" {
		t.Errorf("text echoed as %v %q, want binary", typ, got)
	}
	write(t, c, websocket.MessageBinary, "bin in")
	if typ, got := read(t, c); typ != websocket.MessageBinary || got != "bin in" {
		t.Errorf("binary echoed as %v %q", typ, got)
	}
}

func TestClose(t *testing.T) {
	srv, logs := start(t, server.Options{})
	t.Run("right after open", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?close=4000&reason=bye", nil)
		err := readClose(t, c)
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4000 || ce.Reason != "bye" {
			t.Errorf("err = %v, want close 4000 \"bye\"", err)
		}
		logs.waitFor(`close=4000: closed after 0 echoed messages, reason "bye"`)
	})
	t.Run("after send", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?send=2&close=1001", nil)
		read(t, c)
		read(t, c)
		err := readClose(t, c)
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway || ce.Reason != "" {
			t.Errorf("err = %v, want close 1001", err)
		}
	})
	t.Run("after N echoes", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?close=3001&reason=enough&after=2", nil)
		for _, m := range []string{"a", "b"} {
			write(t, c, websocket.MessageText, m)
			if _, got := read(t, c); got != m {
				t.Errorf("echo = %q, want %q", got, m)
			}
		}
		err := readClose(t, c)
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 3001 || ce.Reason != "enough" {
			t.Errorf("err = %v, want close 3001 \"enough\"", err)
		}
	})
	t.Run("empty close frame", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?close=empty", nil)
		err := readClose(t, c)
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.StatusNoStatusRcvd || ce.Reason != "" {
			t.Errorf("err = %v, want 1005 (a close frame without payload)", err)
		}
		logs.waitFor("close=empty: closed after 0 echoed messages")
	})
	t.Run("max reason", func(t *testing.T) {
		reason := strings.Repeat("r", 123)
		c := dial(t, srv.URL()+"/?close=1000&reason="+reason, nil)
		var ce websocket.CloseError
		if err := readClose(t, c); !errors.As(err, &ce) || ce.Reason != reason {
			t.Errorf("err = %v, want the 123-byte reason", err)
		}
	})
}

func TestDrop(t *testing.T) {
	srv, logs := start(t, server.Options{})
	t.Run("right after open", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?drop=1", nil)
		if err := readClose(t, c); websocket.CloseStatus(err) != -1 {
			t.Errorf("err = %v, want a connection cut without close frame", err)
		}
		logs.waitFor("drop=1: cut the TCP connection after 0 echoed messages")
	})
	t.Run("after N echoes", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?drop=true&after=1", nil)
		write(t, c, websocket.MessageText, "last")
		if _, got := read(t, c); got != "last" {
			t.Errorf("echo = %q", got)
		}
		err := readClose(t, c)
		if websocket.CloseStatus(err) != -1 || !errors.Is(err, io.EOF) {
			t.Errorf("err = %v, want EOF without close frame", err)
		}
	})
}

func TestReset(t *testing.T) {
	srv, logs := start(t, server.Options{})
	t.Run("right after open", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?reset=1", nil)
		if err := readClose(t, c); websocket.CloseStatus(err) != -1 || !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("err = %v, want a connection reset without close frame", err)
		}
		logs.waitFor("reset=1: reset the TCP connection after 0 echoed messages")
	})
	t.Run("after N echoes", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?reset=1&after=2", nil)
		for _, m := range []string{"a", "b"} {
			write(t, c, websocket.MessageText, m)
			if _, got := read(t, c); got != m {
				t.Errorf("echo = %q, want %q", got, m)
			}
		}
		if err := readClose(t, c); websocket.CloseStatus(err) != -1 || !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("err = %v, want a connection reset without close frame", err)
		}
		logs.waitFor("reset=1: reset the TCP connection after 2 echoed messages")
	})
	t.Run("tls", func(t *testing.T) {
		srv, logs := start(t, server.Options{TLS: true})
		c := dial(t, srv.URL()+"/?reset=1", &websocket.DialOptions{HTTPClient: httpClient(t, srv.ClientTLSConfig())})
		if err := readClose(t, c); websocket.CloseStatus(err) != -1 {
			t.Errorf("err = %v, want a connection cut without close frame", err)
		}
		logs.waitFor("reset=1: reset the TCP connection after 0 echoed messages")
	})
}

func TestStall(t *testing.T) {
	srv, logs := start(t, server.Options{})
	c := dial(t, srv.URL()+"/?stall=1&after=1", nil)
	write(t, c, websocket.MessageText, "answered")
	if _, got := read(t, c); got != "answered" {
		t.Errorf("echo = %q", got)
	}
	logs.waitFor("stall=1: stopped reading and answering after 1 echoed messages")
	// Far more than a TCP window: the server keeps reading, so writes
	// never block, and answers none of it.
	big := strings.Repeat("s", 1<<20)
	for range 8 {
		write(t, c, websocket.MessageBinary, big)
	}
	// A stalled server never answers; a short wait for an echo can only
	// pass, whatever the machine's speed, so it proves nothing alone: the
	// log line below says the server did not read the messages as
	// messages.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, p, err := c.Read(ctx); err == nil {
		t.Errorf("a stalled server answered %d bytes", len(p))
	}
	logs.waitFor("stall=1: the client went away")
	for _, l := range logs.snapshot() {
		if strings.Contains(l, "echoed messages") && !strings.Contains(l, "after 1 echoed") {
			t.Errorf("log line %q: the server went on echoing", l)
		}
	}
}

func TestSlow(t *testing.T) {
	srv, logs := start(t, server.Options{})
	c := dial(t, srv.URL()+"/?slow=5ms", nil)
	msgs := []string{"one", "two", "three"}
	for _, m := range msgs {
		write(t, c, websocket.MessageText, m)
	}
	for _, m := range msgs {
		if _, got := read(t, c); got != m {
			t.Errorf("echo = %q, want %q", got, m)
		}
	}
	logs.waitFor("slow=5ms: waiting before reading each message")
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Errorf("close: %v", err)
	}
	logs.waitFor(`closed by the client with 1000 "" after 3 echoed messages`)
}

// methodRoundTripper sends the handshake with another method, as the wire
// layer does for uni-app's method option.
type methodRoundTripper struct {
	method string
	next   http.RoundTripper
}

func (m methodRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Method = m.method
	return m.next.RoundTrip(req)
}

func TestInspect(t *testing.T) {
	srv, logs := start(t, server.Options{})
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
		t.Run(method, func(t *testing.T) {
			client := httpClient(t, nil)
			client.Transport = methodRoundTripper{method: method, next: client.Transport}
			c := dial(t, srv.URL()+"/room/a%2Fb?inspect=1&token=x%20y", &websocket.DialOptions{
				HTTPClient:   client,
				HTTPHeader:   http.Header{"X-Token": {"abc", "def"}, "Origin": {"https://servicewechat.com"}},
				Subprotocols: []string{"v1", "v2"},
			})
			typ, doc := read(t, c)
			if typ != websocket.MessageText {
				t.Errorf("inspect message is %v, want text", typ)
			}
			var got server.HandshakeRequest
			if err := json.Unmarshal([]byte(doc), &got); err != nil {
				t.Fatalf("inspect message %q: %v", doc, err)
			}
			if got.Method != method || got.Path != "/room/a%2Fb" || got.Query != "inspect=1&token=x%20y" || got.Host != srv.Addr() {
				t.Errorf("inspect = %+v", got)
			}
			if v := got.Header.Values("X-Token"); len(v) != 2 || v[0] != "abc" || v[1] != "def" {
				t.Errorf("header X-Token = %q", v)
			}
			if got.Header.Get("Origin") != "https://servicewechat.com" || got.Header.Get("Sec-Websocket-Key") == "" {
				t.Errorf("header = %v", got.Header)
			}
			if len(got.Subprotocols) != 2 || got.Subprotocols[0] != "v1" || got.Subprotocols[1] != "v2" {
				t.Errorf("subprotocols = %q", got.Subprotocols)
			}
			if c.Subprotocol() != "v1" {
				t.Errorf("negotiated %q, want v1", c.Subprotocol())
			}
			write(t, c, websocket.MessageText, "after inspect")
			if _, got := read(t, c); got != "after inspect" {
				t.Errorf("echo = %q", got)
			}
		})
	}
	logs.waitFor("POST /room/a%2Fb?inspect=1")

	t.Run("raw shape", func(t *testing.T) {
		c := dial(t, srv.URL()+"/?inspect=1", nil)
		_, doc := read(t, c)
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(doc), &raw); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"method", "path", "query", "host", "header", "subprotocols"} {
			if _, ok := raw[key]; !ok {
				t.Errorf("inspect JSON has no %q: %s", key, doc)
			}
		}
		if string(raw["subprotocols"]) != "[]" {
			t.Errorf("subprotocols = %s, want []", raw["subprotocols"])
		}
	})
}

func TestHang(t *testing.T) {
	srv, logs := start(t, server.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := websocket.Dial(ctx, srv.URL()+"/?hang=1&status=500", &websocket.DialOptions{HTTPClient: httpClient(t, nil)})
		done <- err
	}()
	logs.waitFor("hang=1: holding the connection without answering")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("dial of hang=1: err = %v, want context.Canceled", err)
	}
	logs.waitFor("hang=1: connection ended")
}

func TestHangClientTimeout(t *testing.T) {
	srv, _ := start(t, server.Options{})
	// A short timeout, as a client's own handshake timeout would be. The
	// test only requires that it fires; how soon is not asserted.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err := websocket.Dial(ctx, srv.URL()+"/?hang=1", &websocket.DialOptions{HTTPClient: httpClient(t, nil)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("dial of hang=1: err = %v, want context.DeadlineExceeded", err)
	}
	// Whether the request reached the server before the deadline depends on
	// the machine's load, so the server's side is checked by TestHang.
}

func TestCompress(t *testing.T) {
	srv, logs := start(t, server.Options{})
	msg := strings.Repeat("compressible ", 1000)
	for _, tc := range []struct {
		query string
		want  bool
	}{{"compress=1", true}, {"", false}} {
		t.Run(tc.query, func(t *testing.T) {
			c, resp, err := dialErr(t, srv.URL()+"/?"+tc.query, &websocket.DialOptions{CompressionMode: websocket.CompressionContextTakeover})
			if err != nil {
				t.Fatal(err)
			}
			ext := resp.Header.Get("Sec-WebSocket-Extensions")
			if got := strings.HasPrefix(ext, "permessage-deflate"); got != tc.want {
				t.Fatalf("Sec-WebSocket-Extensions = %q, want permessage-deflate: %v", ext, tc.want)
			}
			for range 3 {
				write(t, c, websocket.MessageText, msg)
				if _, got := read(t, c); got != msg {
					t.Fatalf("echo of %d bytes came back as %d bytes", len(msg), len(got))
				}
			}
		})
	}
	logs.waitFor(`extensions "permessage-deflate`)
}

func TestPing(t *testing.T) {
	srv, logs := start(t, server.Options{})
	pings := make(chan string, 1)
	c := dial(t, srv.URL()+"/?ping=hello%20there&send=1", &websocket.DialOptions{
		OnPingReceived: func(_ context.Context, p []byte) bool {
			pings <- string(p)
			return true // answer with a pong, as clients do
		},
	})
	// The ping comes before the first message, and reading processes it.
	if _, got := read(t, c); got != "message 1" {
		t.Errorf("first message %q", got)
	}
	if got := <-pings; got != "hello there" {
		t.Errorf("ping payload %q, want %q", got, "hello there")
	}
	// The pong was written before this message, so the server reads it first.
	write(t, c, websocket.MessageText, "after pong")
	read(t, c)
	logs.waitFor(`pong "hello there" received`)
}

func TestBadParameters(t *testing.T) {
	srv, logs := start(t, server.Options{})
	for query, names := range map[string]string{
		"status=abc":           "status=",
		"status=101":           "status=",
		"status=700":           "status=",
		"redirect=":            "redirect=",
		"delay=soon":           "delay=",
		"delay=-1s":            "delay=",
		"protocol=":            "protocol=",
		"send=-1":              "send=",
		"send=x":               "send=",
		"size=-2":              "size=",
		"binary=yes":           "binary=",
		"close=1005":           "close=",
		"close=1006":           "close=",
		"close=999":            "close=",
		"close=5000":           "close=",
		"close=empty&reason=x": "reason=",
		"close=1000&reason=" + strings.Repeat("r", 124): "reason=",
		"close=1000&drop=1":                             "drop=1",
		"drop=1&reset=1":                                "reset=1",
		"close=4000&stall=1":                            "stall=1",
		"reset=maybe":                                   "reset=",
		"stall=2":                                       "stall=",
		"slow=later":                                    "slow=",
		"slow=-3":                                       "slow=",
		"after=-1":                                      "after=",
		"drop=2":                                        "drop=",
		"inspect=maybe":                                 "inspect=",
		"ping=" + strings.Repeat("p", 126):              "ping=",
		"hang=please":                                   "hang=",
		"compress=on":                                   "compress=",
	} {
		_, resp, err := dialErr(t, srv.URL()+"/?"+query, nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%.40s: response %v, err %v; want 400", query, resp, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), "bad ") || !strings.Contains(string(body), names) {
			t.Errorf("%.40s: body %q does not name %s", query, body, names)
		}
	}
	logs.waitFor(`answered 400: bad status="abc"`)
}

func TestUnknownParametersAreIgnored(t *testing.T) {
	srv, _ := start(t, server.Options{})
	c := dial(t, srv.URL()+"/?token=abc&uid=7", nil)
	write(t, c, websocket.MessageText, "ok")
	if _, got := read(t, c); got != "ok" {
		t.Errorf("echo = %q", got)
	}
}

func TestPlainHTTPGetsTheBehaviourList(t *testing.T) {
	srv, _ := start(t, server.Options{})
	resp, err := httpClient(t, nil).Get("http://" + srv.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("status %d, want 426", resp.StatusCode)
	}
	for _, b := range server.Behaviours() {
		if !strings.Contains(string(body), b.Param+"="+b.Value) {
			t.Errorf("the answer to plain HTTP does not list %s=%s:\n%s", b.Param, b.Value, body)
		}
	}
}

// TestDocumentationListsEveryBehaviour keeps the package documentation's
// table and Behaviours in step.
func TestDocumentationListsEveryBehaviour(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range server.Behaviours() {
		if !strings.Contains(string(doc), "//\t"+b.Param+"=") {
			t.Errorf("doc.go's table has no line for %s=", b.Param)
		}
		if b.Value == "" || b.Summary == "" {
			t.Errorf("Behaviours: %s= has no value syntax or summary", b.Param)
		}
	}
	if len(server.Behaviours()) != 21 {
		t.Errorf("Behaviours lists %d parameters, want 21", len(server.Behaviours()))
	}
}
