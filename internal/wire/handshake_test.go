package wire

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// answerOnce accepts one connection, reads the upgrade request, hands it
// to answer and writes what answer returns. The request arrives on the
// returned channel.
func answerOnce(t *testing.T, answer func(req *http.Request, accept string) string) (url string, reqs <-chan *http.Request) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	ch := make(chan *http.Request, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(safety))
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		ch <- req
		sum := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		if resp := answer(req, base64.StdEncoding.EncodeToString(sum[:])); resp != "" {
			_, _ = c.Write([]byte(resp))
		}
		// Hold the connection until the client is done with it.
		_, _ = c.Read(make([]byte, 1))
	}()
	return "ws://" + ln.Addr().String() + "/path", ch
}

func upgradeAnswer(accept, extra string) string {
	return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + accept + "\r\n" + extra + "\r\n"
}

// TestHandshakeFailures: each way a server can refuse or botch the
// upgrade is reported as a *HandshakeError of the right kind.
func TestHandshakeFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   DialOptions
		answer func(req *http.Request, accept string) string
		kind   Kind
		want   string
	}{
		{"status", DialOptions{}, func(*http.Request, string) string {
			return "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
		}, KindStatus, "HTTP 500"},
		{"redirect", DialOptions{}, func(*http.Request, string) string {
			return "HTTP/1.1 302 Found\r\nLocation: ws://elsewhere.test/\r\nContent-Length: 0\r\n\r\n"
		}, KindRedirect, `redirect to "ws://elsewhere.test/"`},
		{"bad-accept", DialOptions{}, func(*http.Request, string) string {
			return upgradeAnswer("d3Jvbmc=", "")
		}, KindProtocol, "Sec-WebSocket-Accept"},
		{"no-upgrade-header", DialOptions{}, func(_ *http.Request, accept string) string {
			return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n"
		}, KindProtocol, "Upgrade header"},
		{"extension-not-offered", DialOptions{}, func(_ *http.Request, accept string) string {
			return upgradeAnswer(accept, "Sec-WebSocket-Extensions: permessage-deflate\r\n")
		}, KindProtocol, "not offered"},
		{"bad-deflate-parameter", DialOptions{Compression: true}, func(_ *http.Request, accept string) string {
			return upgradeAnswer(accept, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=20\r\n")
		}, KindProtocol, "server_max_window_bits"},
		{"subprotocol-not-requested", DialOptions{}, func(_ *http.Request, accept string) string {
			return upgradeAnswer(accept, "Sec-WebSocket-Protocol: chat\r\n")
		}, KindSubprotocol, `"chat", which was not requested`},
		{"subprotocol-not-confirmed", DialOptions{Protocols: []string{"a", "b"}}, func(_ *http.Request, accept string) string {
			return upgradeAnswer(accept, "")
		}, KindSubprotocol, "a, b"},
		{"timeout", DialOptions{}, func(*http.Request, string) string { return "" }, KindTimeout, "timed out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, _ := answerOnce(t, tc.answer)
			timeout := safety
			if tc.kind == KindTimeout {
				timeout = 100 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			opts := tc.opts
			opts.URL, opts.Transport = url, NewTransport(TransportOptions{})
			c, _, err := Dial(ctx, opts)
			if err == nil {
				c.Abort()
				t.Fatal("Dial succeeded")
			}
			var he *HandshakeError
			if !errors.As(err, &he) || he.Kind != tc.kind || he.URL != url {
				t.Fatalf("err = %v (%T), want a %v HandshakeError for %s", err, err, tc.kind, url)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestHandshakeRequest: the upgrade request carries the method, headers,
// subprotocols and extension offer asked for.
func TestHandshakeRequest(t *testing.T) {
	url, reqs := answerOnce(t, func(req *http.Request, accept string) string {
		return upgradeAnswer(accept, "Sec-WebSocket-Protocol: b\r\nSec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n")
	})
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	c, hs, err := Dial(ctx, DialOptions{URL: url, Method: "POST", Protocols: []string{"a", "b"}, Compression: true,
		Header: http.Header{"X-Token": {"t1"}}, Transport: NewTransport(TransportOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Abort()
	req := <-reqs
	got := fmt.Sprintf("%s %s token=%s protocols=%s ext=%s version=%s",
		req.Method, req.URL.Path, req.Header.Get("X-Token"), req.Header.Get("Sec-WebSocket-Protocol"),
		req.Header.Get("Sec-WebSocket-Extensions"), req.Header.Get("Sec-WebSocket-Version"))
	want := "POST /path token=t1 protocols=a, b ext=permessage-deflate; client_max_window_bits version=13"
	if got != want {
		t.Errorf("request: %s\nwant:    %s", got, want)
	}
	if hs.Subprotocol != "b" || c.deflate == nil || !c.deflate.clientNoTakeover {
		t.Errorf("handshake = %+v, deflate %+v", hs, c.deflate)
	}
}

// TestHandshakeRefusedAndTLS: nothing listening, and a certificate the
// client does not trust.
func TestHandshakeRefusedAndTLS(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	_, _, err = Dial(ctx, DialOptions{URL: "ws://" + addr + "/", Transport: NewTransport(TransportOptions{})})
	var he *HandshakeError
	if !errors.As(err, &he) || he.Kind != KindRefused {
		t.Errorf("closed port: err = %v, want KindRefused", err)
	}
	if err != nil && strings.Contains(err.Error(), `Get "`) {
		t.Errorf("closed port: %q names net/http's request; the user asked for a WebSocket", err)
	}
	srvTLS, _ := testTLS(t)
	srv := newRawServer(t, srvTLS)
	go func() { _, _ = srv.handshake("", nil) }()
	_, _, err = Dial(ctx, DialOptions{URL: srv.url, Transport: NewTransport(TransportOptions{})})
	if !errors.As(err, &he) || he.Kind != KindTLS {
		t.Errorf("untrusted certificate: err = %v, want KindTLS", err)
	}
}

// A TLS handshake the server never answers ends with the handshake's
// context: net/http dials on a context of its own, and the dial must not
// outlive the connect timeout (a goroutine and a socket per attempt).
func TestUnansweredTLSHandshakeEndsWithTheDial(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	cut := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			cut <- err
			return
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(safety))
		// Read the ClientHello and answer nothing; the read ends when
		// the client cuts the connection.
		_, err = io.Copy(io.Discard, c)
		cut <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err = Dial(ctx, DialOptions{URL: "wss://" + ln.Addr().String() + "/", Transport: NewTransport(TransportOptions{})})
	var he *HandshakeError
	if !errors.As(err, &he) {
		t.Fatalf("Dial = %v, want a *HandshakeError", err)
	}
	select {
	case err := <-cut:
		if err != nil {
			t.Fatalf("the server's read ended with %v; want the client to close the connection (EOF)", err)
		}
	case <-time.After(2 * safety):
		t.Fatal("the client never closed the connection")
	}
}
