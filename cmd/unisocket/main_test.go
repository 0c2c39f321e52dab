package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks, after all tests, that no goroutine was left behind,
// and removes the unisocket binary that the connect tests build once (see
// connectBinary).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		connectRemoveBinary()
		os.Exit(code)
	}))
}
