package main

import (
	"context"
	"time"
)

// connectRunExec is -x mode, as wscat's: once open, send each message in
// order, show the replies for wait, then close the socket with 1000 and
// return when the close is done. When the server closes first, or on
// SIGINT/SIGTERM, it returns then.
func connectRunExec(ctx context.Context, s *connectSession, msgs []any, wait time.Duration) int {
	for _, m := range msgs {
		if !s.send(ctx, m) {
			// The socket is going away; the failure was shown.
			s.failInput()
			s.settle(ctx)
			return s.exitCode()
		}
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.ended:
		return s.exitCode()
	case <-ctx.Done():
	}
	s.close(1000, "")
	return s.exitCode()
}
