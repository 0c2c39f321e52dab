package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
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

// connectReadLines reads r line by line into the returned channel until
// the end of r (a last connectLine with err set) or until stop is closed.
// A line's "\n" or "\r\n" is dropped; a last line without one still
// counts. A line longer than limit is read to its end and comes as a
// connectLineRefused error: memory stays bounded whatever the input.
//
// A read blocked on a terminal or a pipe cannot be interrupted, so when the
// session ends first the goroutine stays blocked until the process exits:
// the command returns right after the session.
func connectReadLines(r io.Reader, stop <-chan struct{}, limit int64) <-chan connectLine {
	lines := make(chan connectLine)
	go func() {
		br := bufio.NewReader(r)
		for {
			var (
				line  []byte
				size  int64 // of the whole line, kept or not
				chunk []byte
				err   error
			)
			for {
				chunk, err = br.ReadSlice('\n')
				size += int64(len(chunk))
				if int64(len(line)) <= limit+2 {
					line = append(line, chunk...)
				}
				if err != bufio.ErrBufferFull {
					break
				}
			}
			l := connectLine{text: strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")}
			if n := size - int64(len(line)-len(l.text)); n > limit {
				l = connectLine{err: connectLineRefused(fmt.Sprintf("a line of %d bytes is more than the %d-byte message limit (--max-message); not sent", n, limit))}
			}
			if size > 0 {
				select {
				case lines <- l:
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
func connectRunPipe(ctx context.Context, s *connectSession, in io.Reader, wait time.Duration, limit int64) int {
	stop := make(chan struct{})
	defer close(stop)
	lines := connectReadLines(in, stop, limit)
	for {
		select {
		case l := <-lines:
			var refused connectLineRefused
			if errors.As(l.err, &refused) {
				s.out.errorf("%v", refused)
				s.failInput()
				continue
			}
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
