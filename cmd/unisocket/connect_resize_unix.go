//go:build unix

package main

import (
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/term"
)

// connectWatchResize keeps the REPL's idea of the terminal's width in step
// with the window (SIGWINCH), so that long lines wrap where the terminal
// wraps them. The returned function stops watching.
func connectWatchResize(t *term.Terminal, f *os.File) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ch:
				if w, h, err := term.GetSize(int(f.Fd())); err == nil {
					_ = t.SetSize(w, h)
				}
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
		wg.Wait()
	}
}
