package uni

import (
	"context"
	"fmt"
	"sync"
)

// inbox keeps received messages for Receive. Its messages count against
// the socket's receive backlog (see backlog): a program that dials and
// stops calling Receive stops the socket's reading, so a program that
// never receives should use OnMessage instead.
type inbox struct {
	rx    *backlog // the task's; pop uncounts what it returns
	mu    sync.Mutex
	msgs  []OnMessageResult
	head  int
	ready chan struct{} // holds a token while messages or the end wait
	err   *CloseError
}

func newInbox(rx *backlog) *inbox { return &inbox{rx: rx, ready: make(chan struct{}, 1)} }

func (in *inbox) push(m OnMessageResult) {
	in.mu.Lock()
	in.msgs = append(in.msgs, m)
	in.mu.Unlock()
	in.signal()
}

func (in *inbox) end(err *CloseError) {
	in.mu.Lock()
	if in.err == nil {
		in.err = err
	}
	in.mu.Unlock()
	in.signal()
}

func (in *inbox) signal() {
	select {
	case in.ready <- struct{}{}:
	default:
	}
}

func (in *inbox) pop(ctx context.Context) (OnMessageResult, error) {
	for {
		in.mu.Lock()
		if in.head < len(in.msgs) {
			m := in.msgs[in.head]
			in.msgs[in.head] = OnMessageResult{}
			in.head++
			if in.head == len(in.msgs) {
				in.msgs, in.head = in.msgs[:0], 0
			}
			more := in.head < len(in.msgs) || in.err != nil
			in.mu.Unlock()
			if more {
				in.signal()
			}
			in.rx.consumed(cost(m))
			return m, nil
		}
		if in.err != nil {
			err := in.err
			in.mu.Unlock()
			in.signal()
			return OnMessageResult{}, err
		}
		in.mu.Unlock()
		select {
		case <-in.ready:
		case <-ctx.Done():
			return OnMessageResult{}, ctx.Err()
		}
	}
}

// CloseError is what Receive and Write return once the socket is closed:
// the close event's code and reason, and the cause when it ended without a
// close handshake.
type CloseError struct {
	Code   int
	Reason string
	Err    error
}

// Error describes the close.
func (e *CloseError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("socket closed with code %d: %v", e.Code, e.Err)
	}
	if e.Reason == "" {
		return fmt.Sprintf("socket closed with code %d", e.Code)
	}
	return fmt.Sprintf("socket closed with code %d (%s)", e.Code, e.Reason)
}

// Unwrap returns the cause of an unclean close, if any.
func (e *CloseError) Unwrap() error { return e.Err }
