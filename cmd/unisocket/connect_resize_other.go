//go:build !unix

package main

import (
	"os"

	"golang.org/x/term"
)

// connectWatchResize does nothing where there is no SIGWINCH: the width
// read at the start stays.
func connectWatchResize(*term.Terminal, *os.File) (stop func()) { return func() {} }
