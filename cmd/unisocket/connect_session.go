package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/unisocket/unisocket/uni"
)

// connectSession is one open socket and what the modes do with it:
// receive (and show) messages until the socket closes, send, close, ping.
// The modes differ only in where input comes from and how output looks.
type connectSession struct {
	out   *connectOutput
	input connectInputMode
	task  *uni.SocketTask
	// showPings shows the server's pings: always in the REPL, with -v or
	// -P in the other modes, whose stderr a script may be reading.
	showPings bool

	closeEvent chan struct{} // closed by the task's close listener
	ended      chan struct{} // closed once the end was shown

	mu          sync.Mutex
	closeRes    uni.OnCloseResult
	errMsg      string // the error event's errMsg
	errorEvent  bool   // the socket ended with an error event
	weClosed    bool   // our close started the close handshake
	inputFailed bool   // an input line could not be sent
}

func newConnectSession(out *connectOutput, input connectInputMode) *connectSession {
	return &connectSession{
		out:        out,
		input:      input,
		closeEvent: make(chan struct{}),
		ended:      make(chan struct{}),
	}
}

// attach adds the session's listeners to an open task. It runs in the
// App turn that dialled, so no event can be missed.
func (s *connectSession) attach(t *uni.SocketTask) {
	s.task = t
	t.OnError(func(r uni.OnErrorResult) {
		s.mu.Lock()
		s.errorEvent, s.errMsg = true, r.ErrMsg
		s.mu.Unlock()
	})
	t.OnClose(func(r uni.OnCloseResult) {
		s.mu.Lock()
		s.closeRes = r
		s.mu.Unlock()
		close(s.closeEvent)
	})
	if s.showPings {
		t.OnPing(s.out.ping)
	}
}

// receive shows every message until the socket closes, then the error
// (if any) and the close, and closes ended. It runs on its own goroutine.
// Messages come from Receive, which keeps them from the moment Dial
// created the task; the error and close events from the listeners, whose
// close always follows the last message.
func (s *connectSession) receive() {
	defer close(s.ended)
	var ce *uni.CloseError
	for {
		m, err := s.task.Receive(context.Background())
		if err != nil {
			if !errors.As(err, &ce) {
				s.out.errorf("receive: %v", err)
			}
			break
		}
		s.out.received(m.Data)
	}
	<-s.closeEvent
	s.mu.Lock()
	res, failed, errMsg, weClosed := s.closeRes, s.errorEvent, s.errMsg, s.weClosed
	s.mu.Unlock()
	if ce != nil && ce.Err != nil && !failed {
		// A drop gives close 1006 with no error event on profiles that
		// follow the browser; it is still a failure to show.
		failed = true
		s.mu.Lock()
		s.errorEvent = true
		s.mu.Unlock()
	}
	if failed {
		// Profiles whose error payload is empty (h5, app) still get a cause.
		if errMsg == "" && ce != nil && ce.Err != nil {
			errMsg = ce.Err.Error()
		}
		if errMsg == "" {
			errMsg = "the connection failed"
		}
		s.out.errorf("error: %s", errMsg)
	}
	who := "closed by the server"
	if weClosed || failed {
		who = "closed"
	}
	if !s.out.decorated && weClosed && !failed {
		return // plain output: our own clean close is no news
	}
	if res.Reason != "" {
		s.out.event(connectColorClose, "%s: code %d, reason %q", who, res.Code, res.Reason)
	} else {
		s.out.event(connectColorClose, "%s: code %d", who, res.Code)
	}
}

// exitCode is the session's exit status once ended is closed.
func (s *connectSession) exitCode() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.errorEvent || s.inputFailed {
		return exitFailure
	}
	return exitOK
}

// send sends one message and shows the failure, if any.
func (s *connectSession) send(ctx context.Context, data any) bool {
	if err := s.task.Write(ctx, data); err != nil {
		s.out.errorf("not sent: %s", strings.TrimPrefix(err.Error(), "unisocket: "))
		return false
	}
	return true
}

// sendLine decodes an input line by the input mode and sends it. A line
// that fails is remembered for the exit status. closing reports a failed
// write: uni fails a write only when the socket is closing, closed or
// broken, so nothing more can be sent.
func (s *connectSession) sendLine(ctx context.Context, line string) (sent, closing bool) {
	data, err := s.input.decode(line)
	if err == nil {
		if s.send(ctx, data) {
			return true, false
		}
		closing = true
	} else {
		s.out.errorf("not sent: %v", err)
	}
	s.failInput()
	return false, closing
}

// failInput remembers, for the exit status, that an input line or -x
// message was not sent.
func (s *connectSession) failInput() {
	s.mu.Lock()
	s.inputFailed = true
	s.mu.Unlock()
}

// connectCloseGuard bounds our wait for a close: uni's close handshake
// gives up after 5 s and cuts the connection, so this only catches a bug.
const connectCloseGuard = 30 * time.Second

// close closes the socket with code and reason and waits until the end was
// shown. A code or reason that uni refuses is shown, and the socket stays
// open: it returns false then.
func (s *connectSession) close(code int, reason string) bool {
	s.mu.Lock()
	s.weClosed = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), connectCloseGuard)
	defer cancel()
	err := s.task.Shutdown(ctx, code, reason)
	var ue *uni.Error
	if errors.As(err, &ue) {
		s.mu.Lock()
		s.weClosed = false
		s.mu.Unlock()
		s.out.errorf("%s", ue.ErrMsg)
		return false
	}
	select {
	case <-s.ended:
	case <-ctx.Done():
		s.out.errorf("the socket did not close within %v", connectCloseGuard)
	}
	return true
}

// settle waits until a socket that a failed write showed to be going
// away has ended. If it does not end by itself (the write failed because
// ctx ended: SIGINT), it is closed.
func (s *connectSession) settle(ctx context.Context) {
	guard := time.NewTimer(connectCloseGuard)
	defer guard.Stop()
	select {
	case <-s.ended:
		return
	case <-ctx.Done():
	case <-guard.C:
	}
	s.close(1000, "")
}

// ping sends one ping, carrying payload unless it is nil, and shows the
// pong's round trip (unless quiet) or the failure.
func (s *connectSession) ping(ctx context.Context, timeout time.Duration, payload []byte, quiet bool) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	var err error
	if payload == nil {
		err = s.task.Ping(ctx)
	} else {
		err = s.task.PingPayload(ctx, payload)
	}
	if err != nil {
		s.out.errorf("ping failed: %v", err)
		return
	}
	if !quiet {
		s.out.event(connectColorInfo, "pong after %v", time.Since(start).Round(10*time.Microsecond))
	}
}

// startPings pings every interval until the session ends, showing
// failures (and round trips when verbose). Each ping may take up to the
// interval.
func (s *connectSession) startPings(ctx context.Context, interval time.Duration, verbose bool) {
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				s.ping(ctx, interval, nil, !verbose)
			case <-s.ended:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
}

// connectInputMode says how an input line becomes a message.
type connectInputMode int

const (
	connectInputText   connectInputMode = iota // the line, as a text message
	connectInputHex                            // hex digits (spaces allowed), as a binary message
	connectInputBase64                         // base64, as a binary message
)

// decode turns a line into a message: a string or a []byte.
func (m connectInputMode) decode(line string) (any, error) {
	switch m {
	case connectInputHex:
		return connectDecodeHex(line)
	case connectInputBase64:
		return connectDecodeBase64(line)
	}
	return line, nil
}

// connectDecodeHex reads hex digits; spaces between them and a 0x prefix
// are allowed, as in "48 65 6c 6c 6f" or "0x48656c6c6f".
func connectDecodeHex(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	s = strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not hex: %q (%v)", connectShorten(s), err)
	}
	return b, nil
}

// connectDecodeBase64 reads standard or URL-safe base64, padded or not.
func connectDecodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("not base64: %q", connectShorten(s))
}

func connectShorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
