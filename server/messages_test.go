package server_test

import (
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/unisocket/unisocket/server"
)

// TestReplies: a text message that matches a rule gets the rule's reply;
// others, and binary messages with the same bytes, are echoed.
func TestReplies(t *testing.T) {
	srv, logs := start(t, server.Options{Replies: map[string]string{"ping": "pong", `{"op":"hi"}`: `{"op":"hello"}`}})
	c := dial(t, srv.URL()+"/", nil)
	for _, tc := range []struct {
		typ        websocket.MessageType
		send, want string
	}{
		{websocket.MessageText, "ping", "pong"},
		{websocket.MessageText, `{"op":"hi"}`, `{"op":"hello"}`},
		{websocket.MessageText, "ping ", "ping "},
		{websocket.MessageBinary, "ping", "ping"},
	} {
		write(t, c, tc.typ, tc.send)
		if typ, got := read(t, c); typ != tc.typ || got != tc.want {
			t.Errorf("sent %v %q, got %v %q; want %q", tc.typ, tc.send, typ, got, tc.want)
		}
	}
	_ = c.Close(websocket.StatusNormalClosure, "")
	logs.waitFor("closed by the client")
	for _, line := range logs.snapshot() {
		if strings.Contains(line, "received ") || strings.Contains(line, "replied ") {
			t.Errorf("logged %q without LogMessages", line)
		}
	}
}

// TestLogMessages: each message is logged with its type, size and at most
// LogPayloadMax bytes of payload; replies are logged too.
func TestLogMessages(t *testing.T) {
	srv, logs := start(t, server.Options{LogMessages: true, Replies: map[string]string{"ping": "pong"}})
	c := dial(t, srv.URL()+"/", nil)
	long := strings.Repeat("é", 40) // 80 bytes: cut at 64, between characters
	for _, m := range []struct {
		typ websocket.MessageType
		p   string
	}{
		{websocket.MessageText, "ping"},
		{websocket.MessageText, "a \"quote\"\n"},
		{websocket.MessageText, long},
		{websocket.MessageBinary, "\x00\x01\xff"},
		{websocket.MessageBinary, strings.Repeat("\xab", 100)},
	} {
		write(t, c, m.typ, m.p)
		read(t, c)
	}
	for _, want := range []string{
		`received text, 4 bytes: "ping"`,
		`replied text, 4 bytes: "pong"`,
		`received text, 10 bytes: "a \"quote\"\n"`,
		`received text, 80 bytes: "` + strings.Repeat("é", 32) + `"…`,
		`received binary, 3 bytes: 0001ff`,
		`received binary, 100 bytes: ` + strings.Repeat("ab", 64) + `…`,
	} {
		logs.waitFor(want)
	}
	_ = c.Close(websocket.StatusNormalClosure, "")
}
