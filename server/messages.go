package server

import (
	"encoding/hex"
	"fmt"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// LogPayloadMax is how much of a message's payload Options.LogMessages
// shows: the first 64 bytes, text quoted, binary in hex.
const LogPayloadMax = 64

// messageFlow is what a session does with each message it reads, besides
// the behaviour's echo: log it and answer it by a reply rule.
type messageFlow struct {
	log     bool
	replies map[string]string
}

// answer returns what to send back for a message of type mt and payload
// p: its reply if a rule matches (text messages only), else the message
// itself. It logs both ways when messages are logged.
func (f messageFlow) answer(mt websocket.MessageType, p []byte, log logFunc) (websocket.MessageType, []byte) {
	if f.log {
		log("received %s", describeMessage(mt, p))
	}
	if mt != websocket.MessageText {
		return mt, p
	}
	r, ok := f.replies[string(p)]
	if !ok {
		return mt, p
	}
	if f.log {
		log("replied %s", describeMessage(mt, []byte(r)))
	}
	return mt, []byte(r)
}

// describeMessage shows a message for the log: its type, size and at most
// LogPayloadMax bytes of payload, text quoted (cut at a character
// boundary), binary in hex.
func describeMessage(mt websocket.MessageType, p []byte) string {
	shown := p
	if len(shown) > LogPayloadMax {
		shown = shown[:LogPayloadMax]
		// A character cut in two would show as escaped bytes.
		for i := 1; mt == websocket.MessageText && i < utf8.UTFMax && !utf8.Valid(shown); i++ {
			shown = shown[:len(shown)-1]
		}
	}
	var body string
	if mt == websocket.MessageText {
		body = fmt.Sprintf("%q", shown)
	} else {
		body = hex.EncodeToString(shown)
	}
	if len(shown) < len(p) {
		body += "…"
	}
	return fmt.Sprintf("%s, %d bytes: %s", typeName(mt), len(p), body)
}
