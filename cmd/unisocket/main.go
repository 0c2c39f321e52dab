// Command unisocket runs the uni-app WebSocket API outside the phone: an
// interactive client, a script runner, an embedded test server and a
// demo. Each subcommand lives in its own file; commands lists them.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// command is one subcommand. run receives the arguments after the
// subcommand's name and returns the process exit code.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands are the subcommands, in the order the help lists them.
func commands() []command {
	return []command{
		{"connect", "open a WebSocket and talk to it: REPL, pipe or -x (wscat-like)", runConnect},
		{"run", "run unchanged uni-app / WeChat socket code (uni.*, wx.*) headlessly", runRun},
		{"serve", "run the embedded WebSocket test server (echo and scripted behaviours)", runServe},
		{"demo", "show the uni-app socket API at work against the embedded server", runDemo},
		{"load", "load a server with virtual users running uni-app socket code; k6-style metrics and thresholds", runLoad},
		{"report", "work with load test summaries: merge the summaries of segments run side by side", runReport},
	}
}

// Exit codes shared by the subcommands.
const (
	exitOK      = 0
	exitFailure = 1 // the job failed: a connection error, a failing script
	exitUsage   = 2 // bad flags or arguments
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "--help":
		usage(stdout)
		return exitOK
	case "--version", "version":
		fmt.Fprintln(stdout, version())
		return exitOK
	case "help":
		if len(rest) == 0 {
			usage(stdout)
			return exitOK
		}
		// "unisocket help connect" is "unisocket connect --help".
		name, rest = rest[0], []string{"--help"}
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(rest, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "unisocket: unknown command %q (run 'unisocket help' for the list)\n", name)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "unisocket: the uni-app WebSocket API, outside the phone.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: unisocket <command> [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'unisocket help <command>' for a command's flags and examples,")
	fmt.Fprintln(w, "'unisocket --version' for the version.")
}

// version names the module version and the commit the binary was built
// from, as the Go toolchain recorded them: "(devel)" for a build from a
// clone, the tag for go install module@version.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unisocket: built without module information"
	}
	commit, modified := "unknown", ""
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			commit = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			modified = ", with uncommitted changes"
		}
	}
	return fmt.Sprintf("unisocket %s %s, commit %s%s, %s", info.Main.Path, info.Main.Version, commit, modified, info.GoVersion)
}
