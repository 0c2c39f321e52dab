package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/unisocket/unisocket/js"
)

// The echo modes.
const (
	modeSeq  = "seq"  // one message at a time: send, wait for the echo
	modePipe = "pipe" // window messages in flight
)

// sample is one measurement of one client in one cell.
type sample struct {
	Rate float64 `json:"msgs_per_s"`      // echoed messages per second
	CPU  float64 `json:"cpu_us_per_msg"`  // client CPU time per message, µs
	Msgs int     `json:"msgs"`            // messages counted
	Err  string  `json:"error,omitempty"` // why there is no figure
}

// echoRow is one mode, size and message type, with every client's samples
// in repetition order.
type echoRow struct {
	Mode    string              `json:"mode"`
	Size    int                 `json:"size"`
	Binary  bool                `json:"binary"`
	Samples map[string][]sample `json:"samples"`
}

func (r *echoRow) name() string {
	typ := "text"
	if r.Binary {
		typ = "binary"
	}
	return fmt.Sprintf("%s %s %s", r.Mode, sizeName(r.Size), typ)
}

// runEcho measures every echo cell reps times. Within a repetition the
// clients of a cell run back to back, in an order rotated from cell to
// cell and repetition to repetition, so that drift in the machine's speed
// spreads over all of them and the ratios compare neighbours in time.
func runEcho(cfg *config, e *env, progress func(string, ...any)) []*echoRow {
	var rows []*echoRow
	for _, mode := range cfg.modes {
		for _, size := range cfg.sizes {
			for _, binary := range cfg.types {
				rows = append(rows, &echoRow{Mode: mode, Size: size, Binary: binary, Samples: map[string][]sample{}})
			}
		}
	}
	var nodeRun *nodeRunner
	defer func() {
		if nodeRun != nil {
			nodeRun.close()
		}
	}()
	turn := 0
	for rep := 0; rep < cfg.reps; rep++ {
		t0 := time.Now()
		for _, row := range rows {
			order := rotate(cfg.clients, turn)
			turn++
			for _, client := range order {
				window := 1
				if row.Mode == modePipe {
					window = cfg.window
				}
				var s sample
				switch client {
				case cJS:
					s = jsCell(e, row, window, cfg.warm, cfg.dur)
				case cNode:
					if e.nodeDir == "" {
						s = sample{Err: e.nodeWhy}
						break
					}
					if nodeRun == nil {
						var err error
						if nodeRun, err = startNode(e); err != nil {
							e.nodeDir, e.nodeWhy = "", err.Error()
							s = sample{Err: e.nodeWhy}
							break
						}
					}
					s = nodeRun.cell(e, row, window, cfg.warm, cfg.dur)
				default:
					s = goCell(e, client, row, window, cfg.warm, cfg.dur)
				}
				row.Samples[client] = append(row.Samples[client], s)
			}
		}
		progress("bench: echo repetition %d/%d done in %.1fs", rep+1, cfg.reps, time.Since(t0).Seconds())
	}
	return rows
}

// rotate returns list rotated left by k.
func rotate(list []string, k int) []string {
	out := make([]string, 0, len(list))
	k %= len(list)
	out = append(out, list[k:]...)
	return append(out, list[:k]...)
}

func payloadFor(size int) []byte { return bytes.Repeat([]byte{'x'}, size) }

// goCell measures one in-process client in one cell.
func goCell(e *env, client string, row *echoRow, window int, warm, dur time.Duration) sample {
	c, err := dialEcho(e, client, payloadFor(row.Size), row.Binary, window)
	if err != nil {
		return sample{Err: err.Error()}
	}
	defer c.close()
	s, err := echoCell(c, row.Size, window, warm, dur)
	if err != nil {
		return sample{Err: err.Error()}
	}
	return s
}

// maxCellMessages bounds a cell's loop whatever the clock says.
const maxCellMessages = 50_000_000

// echoCell keeps window messages in flight on c: a warm-up of warm, then
// dur of counting; then it stops sending and collects the messages still
// in flight.
func echoCell(c echoConn, size, window int, warm, dur time.Duration) (sample, error) {
	inflight := 0
	for ; inflight < window; inflight++ {
		if err := c.send(); err != nil {
			return sample{}, err
		}
	}
	const (
		warming = iota
		counting
		draining
	)
	phase := warming
	deadline := time.Now().Add(warm)
	var t0 time.Time
	var cpu0 time.Duration
	var s sample
	for i := 0; i < maxCellMessages && inflight > 0; i++ {
		n, err := c.recv()
		if err != nil {
			return sample{}, err
		}
		if n != size {
			return sample{}, fmt.Errorf("echo of %d bytes came back with %d", size, n)
		}
		inflight--
		switch phase {
		case warming:
			if now := time.Now(); !now.Before(deadline) {
				phase, t0, cpu0 = counting, now, cpuTime()
				deadline = now.Add(dur)
			}
		case counting:
			s.Msgs++
			if now := time.Now(); !now.Before(deadline) {
				phase = draining
				sec := now.Sub(t0).Seconds()
				s.Rate = float64(s.Msgs) / sec
				s.CPU = float64((cpuTime() - cpu0).Microseconds()) / float64(s.Msgs)
			}
		}
		if phase != draining {
			if err := c.send(); err != nil {
				return sample{}, err
			}
			inflight++
		}
	}
	if phase != draining {
		return sample{}, errors.New("the cell did not end")
	}
	return s, nil
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// --- the JavaScript runtime ---

// jsEchoScript is uni-app code: the same echo loop as echoCell, written
// against uni.connectSocket. It prints GO when counting starts and END
// with the count when it stops; the Go side timestamps those lines.
const jsEchoScript = `
const url = %q, size = %d, binary = %t, win = %d, warmMs = %d, durMs = %d;
const payload = binary ? new ArrayBuffer(size) : 'x'.repeat(size);
let phase = 0, inflight = 0, count = 0, t0 = 0;
const task = uni.connectSocket({ url: url, complete() {} });
function fill() { task.send({ data: payload }); inflight++; }
task.onOpen(function () {
  t0 = Date.now();
  for (let i = 0; i < win; i++) fill();
});
task.onMessage(function (res) {
  inflight--;
  const n = binary ? res.data.byteLength : res.data.length;
  if (n !== size) { console.log('BAD ' + n); phase = 3; task.close({}); return; }
  if (phase === 0) {
    if (Date.now() - t0 >= warmMs) { phase = 1; t0 = Date.now(); console.log('GO'); }
  } else if (phase === 1) {
    count++;
    if (Date.now() - t0 >= durMs) { phase = 2; console.log('END ' + count); }
  }
  if (phase < 2) fill();
  else if (phase === 2 && inflight === 0) { phase = 3; task.close({}); }
});
task.onError(function (e) { console.log('ERR ' + e.errMsg); });
`

// stampWriter records when each line was written, and the CPU time then.
type stampWriter struct {
	mu    sync.Mutex
	buf   []byte
	lines []stampedLine
}

type stampedLine struct {
	text string
	at   time.Time
	cpu  time.Duration
}

func (w *stampWriter) Write(p []byte) (int, error) {
	at, cpu := time.Now(), cpuTime()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.lines = append(w.lines, stampedLine{text: string(w.buf[:i]), at: at, cpu: cpu})
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

func jsCell(e *env, row *echoRow, window int, warm, dur time.Duration) sample {
	out := &stampWriter{}
	var errOut bytes.Buffer
	rt := js.New(js.Options{Stdout: out, Stderr: &errOut})
	src := fmt.Sprintf(jsEchoScript, e.wsURL, row.Size, row.Binary, window, warm.Milliseconds(), dur.Milliseconds())
	ctx, cancel := context.WithTimeout(bg, warm+dur+20*time.Second)
	defer cancel()
	err := rt.Run(ctx, "bench-echo.js", src)
	var goLine, endLine *stampedLine
	for i := range out.lines {
		l := &out.lines[i]
		switch {
		case l.text == "GO":
			goLine = l
		case strings.HasPrefix(l.text, "END "):
			endLine = l
		case strings.HasPrefix(l.text, "BAD "), strings.HasPrefix(l.text, "ERR "):
			return sample{Err: "js: " + l.text}
		}
	}
	if err != nil {
		return sample{Err: fmt.Sprintf("js: %v %s", err, strings.TrimSpace(errOut.String()))}
	}
	if goLine == nil || endLine == nil {
		return sample{Err: "js: the script did not report " + strings.TrimSpace(errOut.String())}
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(endLine.text, "END "))
	sec := endLine.at.Sub(goLine.at).Seconds()
	if n == 0 || sec <= 0 {
		return sample{Err: "js: nothing counted"}
	}
	return sample{Msgs: n, Rate: float64(n) / sec, CPU: float64((endLine.cpu - goLine.cpu).Microseconds()) / float64(n)}
}

// --- Node's ws ---

// nodeRunner is a node process running node/client.js, which takes one
// cell per line on stdin and answers with one JSON line.
type nodeRunner struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Reader
	lines chan string
}

func startNode(e *env) (*nodeRunner, error) {
	script, err := nodeScript()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", script)
	cmd.Env = append(os.Environ(), "NODE_PATH="+e.nodeDir)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	n := &nodeRunner{cmd: cmd, in: in, out: bufio.NewReader(outPipe), lines: make(chan string, 1)}
	go func() {
		defer close(n.lines)
		for {
			line, err := n.out.ReadString('\n')
			if err != nil {
				return
			}
			n.lines <- line
		}
	}()
	return n, nil
}

// nodeScript finds node/client.js next to this package's sources.
func nodeScript() (string, error) {
	wd, _ := os.Getwd()
	for _, c := range []string{filepath.Join(wd, "node", "client.js"), filepath.Join(wd, "bench", "node", "client.js")} {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	return "", errors.New("node/client.js not found: run the benchmark from bench/ or the repository root")
}

func (n *nodeRunner) cell(e *env, row *echoRow, window int, warm, dur time.Duration) sample {
	cmd, _ := json.Marshal(map[string]any{
		"url": e.wsURL, "size": row.Size, "binary": row.Binary, "window": window,
		"warmMs": warm.Milliseconds(), "durMs": dur.Milliseconds(),
	})
	if _, err := n.in.Write(append(cmd, '\n')); err != nil {
		return sample{Err: "node: " + err.Error()}
	}
	select {
	case line, ok := <-n.lines:
		if !ok {
			return sample{Err: "node: the process ended"}
		}
		var r struct {
			Msgs  int     `json:"msgs"`
			Sec   float64 `json:"sec"`
			CPUus float64 `json:"cpu_us"`
			Error string  `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return sample{Err: "node: " + err.Error()}
		}
		if r.Error != "" {
			return sample{Err: "node: " + r.Error}
		}
		if r.Msgs == 0 || r.Sec <= 0 {
			return sample{Err: "node: nothing counted"}
		}
		return sample{Msgs: r.Msgs, Rate: float64(r.Msgs) / r.Sec, CPU: r.CPUus / float64(r.Msgs)}
	case <-time.After(warm + dur + 20*time.Second):
		return sample{Err: "node: no answer"}
	}
}

func (n *nodeRunner) close() {
	_ = n.in.Close()
	done := make(chan struct{})
	go func() { _ = n.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = n.cmd.Process.Kill()
		<-done
	}
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
