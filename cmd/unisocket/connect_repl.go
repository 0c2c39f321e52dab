package main

// The REPL: line editing and history from golang.org/x/term's Terminal.
//
// Why x/term rather than a readline library: it is maintained with Go
// itself, its Terminal redraws the prompt and the half-typed line when
// output arrives while the user types (the whole point of a WebSocket
// REPL: messages come at any time), it takes a pluggable History (kept in
// a file here), and the CLI needs x/term anyway to detect terminals.
// github.com/chzyer/readline (v1.5.1, 2022) has more editing features
// (Ctrl-R search) but no release since, and its maintained fork
// github.com/ergochat/readline is not available from the module proxy
// here.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// connectCommandHelp is /help's text and part of --help.
const connectCommandHelp = `  /ping [PAYLOAD]         send a ping (with PAYLOAD, at most 125 bytes) and
                          show the pong's round trip
  /pong [PAYLOAD]         send an unsolicited pong (a one-way heartbeat)
  /close [code [reason]]  close the socket (1000, or 3000-4999) and quit
  /text MSG               send MSG as a text message, even if it starts with /
  /binary HEX             send HEX (e.g. 48 65 6c 6c 6f) as a binary message
  /base64 DATA            send base64 DATA as a binary message
  /quit                   close with 1000 and quit (also Ctrl-D or Ctrl-C)
  /help                   show this list
  Any other line is sent as a text message (hex with --binary, base64
  with --base64). Up and down recall earlier lines; Tab completes
  commands.
`

var connectCommands = []string{"/ping", "/pong", "/close", "/text", "/binary", "/base64", "/quit", "/help"}

// connectPingTimeout bounds /ping's wait for the pong.
const connectPingTimeout = 10 * time.Second

// connectRunREPL runs the interactive session on the terminal in/outFile
// until the socket closes: by /close, /quit, Ctrl-D, Ctrl-C or a signal
// (we close with 1000), or by the server.
//
// A line may be as long as limit, the message limit.
func connectRunREPL(ctx context.Context, s *connectSession, in, outFile *os.File, diag *connectSwitchWriter, limit int64) int {
	long := &connectLongLines{in: bufio.NewReaderSize(in, 64<<10)}
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{long, outFile}, "> ")
	if w, h, err := term.GetSize(int(outFile.Fd())); err == nil {
		_ = t.SetSize(w, h)
	}
	if h := connectOpenHistory(); h != nil {
		t.History = h
		defer h.close()
	}
	t.AutoCompleteCallback = connectComplete

	// From here on everything shown goes through the Terminal, which
	// writes "\r\n" (raw mode has no output processing) and redraws the
	// prompt below each message.
	s.out.setOut(t)
	diag.set(t)
	fd := int(in.Fd())
	state, err := term.MakeRaw(fd)
	if err != nil {
		s.out.setOut(outFile)
		diag.set(os.Stderr)
		s.out.errorf("cannot put the terminal in raw mode (%v); reading plain lines", err)
		return connectRunPipe(ctx, s, in, 0, limit)
	}
	stopResize := connectWatchResize(t, outFile)
	defer func() {
		stopResize()
		// Erase the prompt left on the last line, then give the terminal
		// back as it was.
		_, _ = io.WriteString(outFile, "\r\x1b[2K")
		_ = term.Restore(fd, state)
		s.out.setOut(outFile)
		diag.set(os.Stderr)
	}()
	s.out.event(connectColorInfo, "type a message and press Enter to send it; /help lists the commands; Ctrl-D quits")

	stop := make(chan struct{})
	defer close(stop)
	lines := make(chan connectLine)
	go func() {
		for {
			line, err := t.ReadLine()
			if errors.Is(err, term.ErrPasteIndicator) {
				err = nil // a pasted line is a line
			}
			cut := long.overrun
			if err == nil {
				line, err = long.finish(line, limit)
			}
			var refused connectLineRefused
			if errors.As(err, &refused) {
				s.out.errorf("%v", refused)
				continue
			}
			select {
			case lines <- connectLine{text: line, err: err, long: cut}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	r := connectREPL{s: s, timestamps: s.out.timestamps}
	for {
		select {
		case l := <-lines:
			if l.err != nil { // Ctrl-D or Ctrl-C (io.EOF), or stdin failed
				s.close(1000, "")
				return s.exitCode()
			}
			if r.handle(ctx, l.text) {
				return s.exitCode()
			}
			if l.long {
				s.out.event(connectColorInfo, "that line is %d bytes long; the terminal showed its first %d", len(l.text), connectEditLimit)
			}
		case <-s.ended:
			return s.exitCode()
		case <-ctx.Done():
			s.close(1000, "")
			return s.exitCode()
		}
	}
}

// connectREPL carries out the lines typed in the REPL.
type connectREPL struct {
	s          *connectSession
	timestamps bool
}

// handle carries out one line and reports whether the session is over.
func (r *connectREPL) handle(ctx context.Context, line string) (done bool) {
	s := r.s
	if strings.TrimSpace(line) == "" {
		return false
	}
	if !strings.HasPrefix(line, "/") {
		data, err := s.input.decode(line)
		if err != nil {
			s.out.errorf("not sent: %v (use /text to send it as text)", err)
			return false
		}
		if s.send(ctx, data) {
			// The typed line stays on screen after the prompt "> "; a
			// binary message is shown as what was sent, and with
			// --timestamps every message gets its time.
			if _, binary := data.([]byte); binary || r.timestamps {
				s.out.sent(data)
			}
		}
		return false
	}
	name, arg, _ := strings.Cut(line, " ")
	switch name {
	case "/help":
		s.out.event(connectColorInfo, "commands:\n%s", strings.TrimSuffix(connectCommandHelp, "\n"))
	case "/quit", "/exit":
		s.close(1000, "")
		return true
	case "/close":
		code, reason := 1000, ""
		if arg = strings.TrimSpace(arg); arg != "" {
			codeStr, rest, _ := strings.Cut(arg, " ")
			n, err := strconv.Atoi(codeStr)
			if err != nil {
				s.out.errorf("/close %s: the code must be a number (1000, or 3000-4999)", arg)
				return false
			}
			code, reason = n, strings.TrimSpace(rest)
		}
		return s.close(code, reason)
	case "/ping":
		var payload []byte // nil: uni chooses one
		if arg != "" {
			payload = []byte(arg)
		}
		s.ping(ctx, connectPingTimeout, payload, false)
	case "/pong":
		if err := s.task.Pong([]byte(arg)); err != nil {
			s.out.errorf("pong not sent: %v", err)
		} else {
			s.out.pongSent([]byte(arg))
		}
	case "/text":
		r.sendShown(ctx, arg)
	case "/binary":
		if b, err := connectDecodeHex(arg); err != nil {
			s.out.errorf("not sent: %v", err)
		} else {
			r.sendShown(ctx, b)
		}
	case "/base64":
		if b, err := connectDecodeBase64(arg); err != nil {
			s.out.errorf("not sent: %v", err)
		} else {
			r.sendShown(ctx, b)
		}
	default:
		s.out.errorf("unknown command %s: /help lists the commands; /text %s sends it as text", name, line)
	}
	return false
}

// sendShown sends data and shows it as sent.
func (r *connectREPL) sendShown(ctx context.Context, data any) {
	if r.s.send(ctx, data) {
		r.s.out.sent(data)
	}
}

// connectComplete completes a command name on Tab.
func connectComplete(line string, pos int, key rune) (string, int, bool) {
	if key != '\t' || !strings.HasPrefix(line, "/") || strings.Contains(line[:pos], " ") {
		return "", 0, false
	}
	var match []string
	for _, c := range connectCommands {
		if strings.HasPrefix(c, line[:pos]) {
			match = append(match, c)
		}
	}
	if len(match) != 1 {
		return "", 0, false
	}
	completed := match[0] + " "
	rest := strings.TrimLeft(line[pos:], " ")
	return completed + rest, len(completed), true
}

// connectHistoryMax is how many lines the history keeps.
const connectHistoryMax = 1000

// connectHistory is the REPL's history (term.History), kept in a file
// under the user's cache directory so that it outlives the session. Lines
// that start with a space are not kept, as in shells (for secrets).
type connectHistory struct {
	mu      sync.Mutex // Add runs on the line reader's goroutine
	entries []string   // oldest first
	f       *os.File   // appended to; nil when the file cannot be written
}

// connectHistoryPath is where the history lives:
// $XDG_CACHE_HOME/unisocket/connect_history on Linux.
func connectHistoryPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "unisocket", "connect_history"), nil
}

// connectOpenHistory loads the history file, or returns nil (in-memory
// history) when there is none to be had.
func connectOpenHistory() *connectHistory {
	path, err := connectHistoryPath()
	if err != nil {
		return nil
	}
	h := &connectHistory{}
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			h.entries = append(h.entries, sc.Text())
		}
		_ = f.Close()
	}
	compact := len(h.entries) > 2*connectHistoryMax
	if len(h.entries) > connectHistoryMax {
		h.entries = slices.Clone(h.entries[len(h.entries)-connectHistoryMax:])
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return h
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if compact {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return h
	}
	if compact {
		_, _ = io.WriteString(f, strings.Join(h.entries, "\n")+"\n")
	}
	h.f = f
	return h
}

func (h *connectHistory) Add(entry string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if entry == "" || strings.HasPrefix(entry, " ") || strings.ContainsAny(entry, "\r\n") || len(entry) >= connectEditLimit {
		return
	}
	if n := len(h.entries); n > 0 && h.entries[n-1] == entry {
		return
	}
	h.entries = append(h.entries, entry)
	if len(h.entries) > connectHistoryMax {
		h.entries = slices.Delete(h.entries, 0, len(h.entries)-connectHistoryMax)
	}
	if h.f != nil {
		if _, err := fmt.Fprintln(h.f, entry); err != nil {
			_ = h.f.Close()
			h.f = nil
		}
	}
}

func (h *connectHistory) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.entries)
}

func (h *connectHistory) At(i int) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.entries[len(h.entries)-1-i]
}

func (h *connectHistory) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f != nil {
		_ = h.f.Close()
		h.f = nil
	}
}
