package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
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

// TestVersion checks --version on the built command: the module and the
// commit as the toolchain recorded them ("unknown" in a build without
// version control information).
func TestVersion(t *testing.T) {
	out, err := exec.Command(connectBinary(t), "--version").Output()
	if err != nil {
		t.Fatalf("--version: %v", err)
	}
	if !regexp.MustCompile(`^unisocket github\.com/unisocket/unisocket \S+, commit \S+(, with uncommitted changes)?, go\S+\n$`).Match(out) {
		t.Errorf("--version printed %q", out)
	}
}

// TestHelpCommand checks that "unisocket help CMD" is "unisocket CMD
// --help", and that an unknown command or none is a usage error.
func TestHelpCommand(t *testing.T) {
	for _, name := range []string{"connect", "run", "serve", "demo"} {
		var help, flagHelp, stderr bytes.Buffer
		if code := run([]string{"help", name}, &help, &stderr); code != exitOK {
			t.Errorf("help %s: exit %d, stderr %q", name, code, stderr.String())
		}
		run([]string{name, "--help"}, &flagHelp, &stderr)
		if help.String() != flagHelp.String() || !bytes.Contains(help.Bytes(), []byte("Usage: unisocket "+name)) {
			t.Errorf("help %s shows:\n%s\nwant what %s --help shows:\n%s", name, help.String(), name, flagHelp.String())
		}
	}
	for _, args := range [][]string{nil, {"nope"}, {"help", "nope"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != exitUsage || stderr.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, stderr.String())
		}
	}
}
