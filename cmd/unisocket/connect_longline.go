package main

import (
	"bufio"
	"fmt"
	"io"
	"unicode/utf8"
)

// connectLongLines lets the REPL take lines longer than x/term's line
// editor does: its Terminal drops every key past 4096 characters, so a
// long paste would be sent cut. connectLongLines sits between the terminal
// and the editor and counts the bytes of the line being typed. When a line
// reaches connectEditLimit, it hands the editor a carriage return, so that
// ReadLine returns the part typed so far (edited as usual), and keeps the
// rest of the line for itself: finish reads it, unedited and not echoed,
// up to the end of the line, and joins the two. Every line is thus sent
// whole, or, past the message limit, refused with a message.
//
// Read and finish run on the REPL's line reader goroutine only.
type connectLongLines struct {
	in      *bufio.Reader
	n       int  // bytes given to the editor since its last line end
	overrun bool // the editor's line was cut at connectEditLimit; the rest is in in
}

// connectEditLimit is where a line leaves the editor: below x/term's
// 4096, in bytes, which are never fewer than the editor's characters.
const connectEditLimit = 4000

// Read gives the editor what was typed, up to the end of a line that
// reaches connectEditLimit, followed by a carriage return of its own.
func (l *connectLongLines) Read(p []byte) (int, error) {
	if l.overrun || len(p) == 0 {
		return 0, io.ErrNoProgress // finish was not called: a bug
	}
	if _, err := l.in.Peek(1); err != nil {
		return 0, err
	}
	buf, _ := l.in.Peek(l.in.Buffered())
	i := 0
	for ; i < len(buf) && i < len(p); i++ {
		c := buf[i]
		if c == '\r' || c == '\n' {
			l.n = 0
			continue
		}
		// A line is cut between characters, never inside one.
		if l.n >= connectEditLimit && utf8.RuneStart(c) {
			copy(p, buf[:i])
			p[i] = '\r'
			_, _ = l.in.Discard(i)
			l.n, l.overrun = 0, true
			return i + 1, nil
		}
		l.n++
	}
	copy(p, buf[:i])
	_, _ = l.in.Discard(i)
	return i, nil
}

// connectLineRefused says why a line is not sent: longer than the message
// limit, or dropped with Ctrl-C.
type connectLineRefused string

func (e connectLineRefused) Error() string { return string(e) }

// finish completes the line the editor returned: when it was cut, the rest
// is read up to the end of the line and appended. A line longer than limit
// bytes is read to its end and refused.
func (l *connectLongLines) finish(head string, limit int64) (string, error) {
	size := int64(len(head))
	tooLong := func() error {
		return connectLineRefused(fmt.Sprintf("the line is %d bytes, more than the %d-byte message limit (--max-message); not sent", size, limit))
	}
	if !l.overrun {
		if size > limit {
			return "", tooLong()
		}
		return head, nil
	}
	l.overrun = false
	line := []byte(head)
	for {
		b, err := l.in.ReadByte()
		if err != nil {
			return "", err
		}
		switch b {
		case '\r', '\n':
			if size > limit {
				return "", tooLong()
			}
			// CRLF is one line end; a peek must not wait for input.
			if l.in.Buffered() > 0 {
				if next, _ := l.in.Peek(1); b == '\r' && next[0] == '\n' {
					_, _ = l.in.Discard(1)
				}
			}
			return string(line), nil
		case 0x03: // Ctrl-C
			return "", connectLineRefused(fmt.Sprintf("the long line (%d bytes so far) was dropped with Ctrl-C", size))
		}
		size++
		if size <= limit {
			line = append(line, b)
		}
	}
}
