package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"time"
)

// connectLine is one input line, or the end of the input.
type connectLine struct {
	text string
	err  error // io.EOF at the end
	long bool  // longer than the REPL's line editor takes: it showed only the start
}

// connectReadLines reads r line by line into the returned channel, without
// a length limit, until the end of r (a last connectLine with err set) or
// until stop is closed. A line's "\n" or "\r\n" is dropped; a last line
// without one still counts.
//
// A read blocked on a terminal or a pipe cannot be interrupted, so when the
// session ends first the goroutine stays blocked until the process exits:
// the command returns right after the session.
func connectReadLines(r io.Reader, stop <-chan struct{}) <-chan connectLine {
	lines := make(chan connectLine)
	go func() {
		br := bufio.NewReader(r)
		for {
			s, err := br.ReadString('\n')
			if s != "" {
				s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
				select {
				case lines <- connectLine{text: s}:
				case <-stop:
					return
				}
			}
			if err != nil {
				select {
				case lines <- connectLine{err: err}:
				case <-stop:
				}
				return
			}
		}
	}()
	return lines
}

// connectRunPipe is pipe mode: each line of in is one message (text, or
// hex/base64 with --binary/--base64), sent in order, each written before
// the next is read. At the end of in it waits up to wait for replies,
// closes the socket with 1000 and returns when the close is done. When
// the server closes first, or on SIGINT/SIGTERM, it returns then.
func connectRunPipe(ctx context.Context, s *connectSession, in io.Reader, wait time.Duration) int {
	stop := make(chan struct{})
	defer close(stop)
	lines := connectReadLines(in, stop)
	for {
		select {
		case l := <-lines:
			if l.err == nil {
				if _, closing := s.sendLine(ctx, l.text); closing {
					// The socket is going away (the server closed it, or
					// the connection broke): the rest of the input has no
					// one to go to. One line said so.
					s.settle(ctx)
					return s.exitCode()
				}
				continue
			}
			if l.err != io.EOF {
				s.out.errorf("read the input: %v", l.err)
			}
			if wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-s.ended:
				case <-ctx.Done():
				}
				t.Stop()
			}
			s.close(1000, "")
			return s.exitCode()
		case <-s.ended:
			return s.exitCode()
		case <-ctx.Done():
			s.close(1000, "")
			return s.exitCode()
		}
	}
}
