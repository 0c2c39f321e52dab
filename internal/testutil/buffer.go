package testutil

import (
	"bytes"
	"regexp"
	"sync"
	"testing"
	"time"
)

// Guard bounds every wait of this package, so that a bug fails the test
// instead of hanging it. It asserts nothing about speed.
const Guard = 30 * time.Second

// Buffer is a bytes.Buffer that is safe for concurrent use, for output
// written by one goroutine (a logger, a command's stdout) and read by the
// test. The zero value is empty and ready.
type Buffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced at every write; nil until waited on
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitFor waits until what was written matches re and returns the
// leftmost match. After Guard it fails the test, showing what arrived;
// what names the output in that message ("stdout", "the server log").
func (b *Buffer) WaitFor(t testing.TB, what string, re *regexp.Regexp) string {
	t.Helper()
	timeout := time.NewTimer(Guard)
	defer timeout.Stop()
	for {
		b.mu.Lock()
		m := re.Find(b.buf.Bytes())
		if m != nil {
			b.mu.Unlock()
			return string(m)
		}
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		changed := b.changed
		b.mu.Unlock()
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("%s never matched %v; got:\n%s", what, re, b.String())
		}
	}
}
