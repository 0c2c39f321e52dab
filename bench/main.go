// Command bench measures where unisocket stands against the WebSocket
// clients it could have been built on, on loopback, in one run.
//
//	cd bench && go run .            # the default run, about 1–2 minutes
//	cd bench && go run . -quick     # every row once, briefly (CI: seconds)
//	cd bench && go run . -reps 9 -dur 400ms   # a longer, steadier run
//	cd bench && go run . -json > run.json
//
// It starts the embedded echo server (package server) and a raw TCP echo
// in a child process, then measures, with the clients interleaved and
// their order rotated from one repetition to the next:
//
//   - echo: sequential round trips and pipelined echo (32 in flight) for
//     16 B, 1 KiB, 64 KiB and 1 MiB text and binary messages;
//   - connect: 1,000 handshakes sequentially and with 8 concurrent dialers;
//   - idle: memory per idle connection for 2,000 connections (each client
//     in a fresh child process, GC and runtime.MemStats deltas);
//   - dispatch: the App's OnMessage listener path against Receive;
//   - the JavaScript runtime (package js) and Node's ws running the same
//     echo loop.
//
// The clients are unisocket's Go API (uni: Dial, Write, Receive; uni-cb:
// ConnectSocket and an OnMessage listener), raw github.com/coder/websocket,
// github.com/gorilla/websocket and github.com/lxzan/gws, a raw TCP
// ping-pong (the floor), the js runtime and Node's ws. Every Go client
// is driven the same way: a reader goroutine hands each message, as a
// freshly owned value, to the goroutine that sends.
//
// This module is separate from unisocket's so that gorilla and gws stay
// out of the library's import graph (go.mod replaces unisocket with ../).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// config is what the flags ask for.
type config struct {
	quick    bool
	reps     int
	dur      time.Duration
	warm     time.Duration
	window   int
	sizes    []int
	modes    []string
	types    []bool // binary or not
	clients  []string
	sections map[string]bool
	dialN    int
	dialReps int
	dialConc int
	idleN    int
	procs    int
	pin      bool
	jsonOut  bool
	cpuProf  string
	memProf  string
	nodeDir  string
	idleProf string
	from     string
	before   string
}

func main() {
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "-role=") {
		os.Exit(child(os.Args[1:]))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{}
	var sizes, clients, sections, modes, types string
	fs.BoolVar(&cfg.quick, "quick", false, "every row once, briefly (CI): 1 repetition, 25ms cells, 100 handshakes, 200 idle connections")
	fs.IntVar(&cfg.reps, "reps", 5, "interleaved repetitions of every echo cell (medians and min–max are over these)")
	fs.IntVar(&cfg.dialReps, "dial-reps", 3, "repetitions of the connect-rate runs")
	fs.DurationVar(&cfg.dur, "dur", 80*time.Millisecond, "measuring time per echo cell, after the warm-up")
	fs.DurationVar(&cfg.warm, "warm", 20*time.Millisecond, "warm-up per echo cell")
	fs.IntVar(&cfg.window, "window", 32, "messages in flight in the pipelined echo")
	fs.StringVar(&sizes, "sizes", "16,1024,65536,1048576", "message sizes in bytes")
	fs.StringVar(&modes, "modes", "seq,pipe", "echo modes: seq (one message at a time), pipe (-window in flight)")
	fs.StringVar(&types, "types", "text,binary", "message types")
	fs.StringVar(&clients, "clients", strings.Join(allClients, ","), "clients to measure")
	fs.StringVar(&sections, "only", "echo,connect,idle", "sections to run")
	fs.IntVar(&cfg.dialN, "dial-n", 1000, "handshakes per connect-rate run")
	fs.IntVar(&cfg.dialConc, "dial-conc", 8, "concurrent dialers in the concurrent connect-rate run")
	fs.IntVar(&cfg.idleN, "idle-n", 2000, "idle connections for the memory figures")
	fs.IntVar(&cfg.procs, "procs", 1, "GOMAXPROCS of the client and of the server process")
	fs.BoolVar(&cfg.pin, "pin", true, "pin the server to CPU 0 and the clients to CPU 1 (taskset), when there are 2+ CPUs")
	fs.BoolVar(&cfg.jsonOut, "json", false, "print the results as JSON instead of tables")
	fs.StringVar(&cfg.cpuProf, "cpuprofile", "", "write the client process's CPU profile to this file")
	fs.StringVar(&cfg.memProf, "memprofile", "", "write the client process's allocation profile to this file")
	fs.StringVar(&cfg.idleProf, "idle-heapprofile", "", "write each idle-section child's heap profile to this file name plus .<client>")
	fs.StringVar(&cfg.from, "from", "", "print the tables of runs saved with -json (comma-separated files are merged), measuring nothing")
	fs.StringVar(&cfg.before, "before", "", "with -from: runs saved with -json before a change; prints the key ratios before and after")
	fs.StringVar(&cfg.nodeDir, "node-modules", "", "node_modules holding ws (default: bench/node/node_modules, then interop/testdata/node/node_modules)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["reps"] {
			cfg.reps = 1
		}
		if !set["dial-reps"] {
			cfg.dialReps = 1
		}
		if !set["dur"] {
			cfg.dur = 25 * time.Millisecond
		}
		if !set["warm"] {
			cfg.warm = 5 * time.Millisecond
		}
		if !set["dial-n"] {
			cfg.dialN = 100
		}
		if !set["idle-n"] {
			cfg.idleN = 200
		}
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-sizes: bad size %q", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	for _, m := range strings.Split(modes, ",") {
		switch m = strings.TrimSpace(m); m {
		case modeSeq, modePipe:
			cfg.modes = append(cfg.modes, m)
		default:
			return nil, fmt.Errorf("-modes: unknown mode %q (seq, pipe)", m)
		}
	}
	for _, t := range strings.Split(types, ",") {
		switch t = strings.TrimSpace(t); t {
		case "text", "binary":
			cfg.types = append(cfg.types, t == "binary")
		default:
			return nil, fmt.Errorf("-types: unknown type %q (text, binary)", t)
		}
	}
	for _, c := range strings.Split(clients, ",") {
		c = strings.TrimSpace(c)
		if !knownClient(c) {
			return nil, fmt.Errorf("-clients: unknown client %q (known: %s)", c, strings.Join(allClients, ", "))
		}
		cfg.clients = append(cfg.clients, c)
	}
	cfg.sections = map[string]bool{}
	for _, s := range strings.Split(sections, ",") {
		switch s = strings.TrimSpace(s); s {
		case "echo", "connect", "idle":
			cfg.sections[s] = true
		default:
			return nil, fmt.Errorf("-only: unknown section %q (echo, connect, idle)", s)
		}
	}
	if cfg.reps < 1 || cfg.dialReps < 1 || cfg.window < 1 || cfg.dialN < 1 || cfg.dialConc < 1 || cfg.idleN < 1 || cfg.procs < 1 {
		return nil, fmt.Errorf("-reps, -window, -dial-n, -dial-conc, -idle-n and -procs must be positive")
	}
	return cfg, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	if cfg.from != "" {
		res, err := loadRuns(cfg.from)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		printTables(stdout, res)
		if cfg.before != "" {
			before, err := loadRuns(cfg.before)
			if err != nil {
				fmt.Fprintln(stderr, "bench:", err)
				return 1
			}
			printBeforeAfter(stdout, before, res)
		}
		return 0
	}
	runtime.GOMAXPROCS(cfg.procs)
	progress := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }

	env, err := startEnv(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	defer env.close()
	progress("bench: server %s, raw TCP echo %s; client GOMAXPROCS=%d%s", env.wsURL, env.tcpAddr, cfg.procs, env.pinNote)

	if cfg.cpuProf != "" {
		f, err := os.Create(cfg.cpuProf)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if cfg.memProf != "" {
		runtime.MemProfileRate = 64 << 10
	}

	start := time.Now()
	res := &results{Machine: describeMachine(cfg), Config: describeConfig(cfg, env)}
	if cfg.sections["echo"] {
		res.Echo = runEcho(cfg, env, progress)
	}
	if cfg.sections["connect"] {
		res.Connect = runConnect(cfg, env, progress)
	}
	if cfg.sections["idle"] {
		res.Idle = runIdle(cfg, env, progress)
	}
	res.Seconds = time.Since(start).Seconds()

	if cfg.memProf != "" {
		if f, err := os.Create(cfg.memProf); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	failures := res.failures(env.nodeSkip)
	for _, f := range failures {
		fmt.Fprintln(stderr, "bench: FAILED:", f)
	}
	if cfg.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
	} else {
		printTables(stdout, res)
	}
	if len(failures) > 0 {
		return 1
	}
	return 0
}

// env is the servers the clients talk to.
type env struct {
	wsURL    string // the embedded echo server
	tcpAddr  string // the raw TCP echo
	nodeDir  string // node_modules holding ws; "" when Node cannot run
	nodeWhy  string // why the node client is skipped
	nodeSkip string // nodeWhy when Node or ws is not installed: not a failure
	pinNote  string
	pinned   bool
	cmd      *exec.Cmd
	stdin    io.WriteCloser
}

// startEnv starts the server process and pins this one.
func startEnv(cfg *config) (*env, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	e := &env{}
	args := []string{"-role=server"}
	name := self
	if cfg.pin && runtime.NumCPU() >= 2 {
		if tp, err := exec.LookPath("taskset"); err == nil {
			name = tp
			args = append([]string{"-c", "0", self}, args...)
			// Every thread of this process, and those it starts later,
			// runs on CPU 1.
			if out, err := exec.Command(tp, "-a", "-p", "-c", "1", strconv.Itoa(os.Getpid())).CombinedOutput(); err == nil {
				e.pinned = true
				e.pinNote = ", pinned: server on CPU 0, clients on CPU 1"
			} else {
				e.pinNote = fmt.Sprintf(", not pinned (taskset: %s)", strings.TrimSpace(string(out)))
			}
		}
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(cfg.procs))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e.cmd, e.stdin = cmd, stdin
	var hello struct{ WS, TCP string }
	if err := json.NewDecoder(stdout).Decode(&hello); err != nil {
		e.close()
		return nil, fmt.Errorf("server process: %v", err)
	}
	e.wsURL, e.tcpAddr = hello.WS, hello.TCP
	e.nodeDir, e.nodeWhy = findNode(cfg.nodeDir)
	e.nodeSkip = e.nodeWhy
	return e, nil
}

func (e *env) close() {
	if e.stdin != nil {
		_ = e.stdin.Close() // the server process exits when its stdin closes
	}
	if e.cmd != nil {
		done := make(chan struct{})
		go func() { _ = e.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = e.cmd.Process.Kill()
			<-done
		}
	}
}

// findNode returns the node_modules directory that holds ws.
func findNode(dir string) (string, string) {
	if _, err := exec.LookPath("node"); err != nil {
		return "", "node is not installed"
	}
	cands := []string{dir}
	if dir == "" {
		wd, _ := os.Getwd()
		cands = []string{
			filepath.Join(wd, "node", "node_modules"),
			filepath.Join(wd, "..", "interop", "testdata", "node", "node_modules"),
			filepath.Join(wd, "bench", "node", "node_modules"),
		}
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(c, "ws", "package.json")); err == nil {
			abs, _ := filepath.Abs(c)
			return abs, ""
		}
	}
	return "", "the npm package ws is not installed (run: cd bench/node && npm ci)"
}

// child runs a role of the child processes.
func child(args []string) int {
	fs := flag.NewFlagSet("child", flag.ContinueOnError)
	role := fs.String("role", "", "")
	client := fs.String("client", "", "")
	n := fs.Int("n", 0, "")
	ws := fs.String("ws", "", "")
	tcp := fs.String("tcp", "", "")
	heapProfile := fs.String("heapprofile", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch *role {
	case "server":
		return serveRole()
	case "idle":
		return idleRole(*client, *n, *ws, *tcp, *heapProfile)
	}
	fmt.Fprintf(os.Stderr, "bench: unknown role %q\n", *role)
	return 2
}

// bg is the context of operations that have no deadline of their own.
var bg = context.Background()
