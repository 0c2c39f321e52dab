package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// connectOutput writes what a session shows. Decorated output (the REPL)
// is for a person: direction marks as wscat's ("< " received, "> " sent),
// events ("* ") and errors ("! ") in one stream, colours on request,
// binary as a hex dump, JSON pretty-printed, control characters escaped so
// that a server cannot drive the terminal. Plain output (pipe and -x modes)
// is for a program: one line per received message on out, payload only;
// events and errors on diag.
type connectOutput struct {
	mu         sync.Mutex
	out        io.Writer // received messages; in the REPL everything
	diag       io.Writer // events and errors of plain output
	decorated  bool
	color      bool
	timestamps bool
	json       bool // pretty-print JSON text messages (decorated only)
	base64     bool // plain binary output in base64 instead of hex
	now        func() time.Time
}

// ANSI colours of the decorated output.
const (
	connectColorReceived = "\x1b[36m" // cyan
	connectColorSent     = "\x1b[32m" // green
	connectColorOK       = "\x1b[32m" // green: connected
	connectColorInfo     = "\x1b[2m"  // dim: -v, pongs
	connectColorClose    = "\x1b[33m" // yellow
	connectColorError    = "\x1b[31m" // red
	connectColorReset    = "\x1b[0m"
)

// connectDumpLimit caps a decorated hex dump: a 1 MiB message would be
// 65536 lines.
const connectDumpLimit = 4096

func (o *connectOutput) stamp() string {
	if !o.timestamps {
		return ""
	}
	return o.now().Format("15:04:05.000") + " "
}

// write sends one block of text to out (or diag) in one Write, so that
// the REPL's terminal can redraw the prompt below it.
func (o *connectOutput) write(toDiag bool, s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	w := o.out
	if toDiag {
		w = o.diag
	}
	_, _ = io.WriteString(w, s)
}

// setOut sends the output to w from now on; the REPL gives its terminal.
func (o *connectOutput) setOut(w io.Writer) {
	o.mu.Lock()
	o.out = w
	o.mu.Unlock()
}

// received shows a message from the server: data is a string (text) or a
// []byte (binary).
func (o *connectOutput) received(data any) {
	if !o.decorated {
		o.write(false, o.stamp()+o.plain(data)+"\n")
		return
	}
	o.write(false, o.decorate("< ", connectColorReceived, o.body(data)))
}

// sent shows a message we sent (decorated output only: plain output is
// the server's messages alone).
func (o *connectOutput) sent(data any) {
	if o.decorated {
		o.write(false, o.decorate("> ", connectColorSent, o.body(data)))
	}
}

// ping shows a ping from the server with its payload, as a received
// control frame: "< ping PAYLOAD" (on diag in plain output).
func (o *connectOutput) ping(payload []byte) {
	body := "ping"
	if len(payload) > 0 {
		body += " " + connectEscape(string(payload))
	}
	if !o.decorated {
		o.write(true, o.stamp()+"< "+body+"\n")
		return
	}
	o.write(false, o.decorate("< ", connectColorInfo, body))
}

// pongSent shows the pong /pong sent (decorated output only).
func (o *connectOutput) pongSent(payload []byte) {
	if o.decorated {
		body := "pong"
		if len(payload) > 0 {
			body += " " + connectEscape(string(payload))
		}
		o.write(false, o.decorate("> ", connectColorInfo, body))
	}
}

// event shows a connection event: decorated in the stream, plain on diag.
func (o *connectOutput) event(color, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	if !o.decorated {
		o.write(true, o.stamp()+"* "+text+"\n")
		return
	}
	o.write(false, o.decorate("* ", color, connectEscape(text)))
}

// errorf shows an error: decorated in the stream, plain on diag as one
// line naming the command.
func (o *connectOutput) errorf(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	if !o.decorated {
		o.write(true, o.stamp()+"unisocket connect: "+text+"\n")
		return
	}
	o.write(false, o.decorate("! ", connectColorError, connectEscape(text)))
}

// plain is a message as one undecorated line: text as it is, binary as
// hex or base64.
func (o *connectOutput) plain(data any) string {
	switch d := data.(type) {
	case string:
		return d
	case []byte:
		if o.base64 {
			return base64.StdEncoding.EncodeToString(d)
		}
		return hex.EncodeToString(d)
	}
	return fmt.Sprint(data)
}

// body is a message for a person: text escaped (and pretty JSON with
// --json), binary as a size line and a hex dump.
func (o *connectOutput) body(data any) string {
	switch d := data.(type) {
	case string:
		if o.json {
			if pretty, ok := connectPrettyJSON(d); ok {
				return connectEscape(pretty)
			}
		}
		return connectEscape(d)
	case []byte:
		var sb strings.Builder
		fmt.Fprintf(&sb, "binary, %d bytes", len(d))
		if len(d) > 0 {
			shown := d[:min(len(d), connectDumpLimit)]
			sb.WriteString("\n")
			sb.WriteString(strings.TrimSuffix(connectHexdump(shown), "\n"))
			if len(shown) < len(d) {
				fmt.Fprintf(&sb, "\n… %d more bytes", len(d)-len(shown))
			}
		}
		return sb.String()
	}
	return fmt.Sprint(data)
}

// decorate puts the timestamp and mark before the first line of body and
// indents the others under it, in color when colours are on.
func (o *connectOutput) decorate(mark, color, body string) string {
	prefix := o.stamp() + mark
	indent := strings.Repeat(" ", utf8.RuneCountInString(prefix))
	var sb strings.Builder
	if o.color {
		sb.WriteString(color)
	}
	for i, line := range strings.Split(body, "\n") {
		if i == 0 {
			sb.WriteString(prefix)
		} else {
			sb.WriteString("\n" + indent)
		}
		sb.WriteString(line)
	}
	if o.color {
		sb.WriteString(connectColorReset)
	}
	sb.WriteString("\n")
	return sb.String()
}

// connectPrettyJSON indents s when it is a JSON object or array.
func connectPrettyJSON(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return "", false
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(t), "", "  "); err != nil {
		return "", false
	}
	return buf.String(), true
}

// connectEscape makes text safe for a terminal: control characters other
// than newline and tab, and invalid UTF-8, are shown escaped.
func connectEscape(s string) string {
	var sb strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&sb, `\x%02x`, s[i])
		case r == '\n' || r == '\t':
			sb.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			q := strconv.QuoteRune(r)
			sb.WriteString(q[1 : len(q)-1])
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
