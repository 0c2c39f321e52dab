package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/load"
)

// loadRun runs the built binary's load command and returns its exit code,
// stdout and stderr.
func loadRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(connectBinary(t), append([]string{"load", "--quiet"}, args...)...)
	cmd.Env = connectEnv(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("unisocket load %s did not end within the safety net; stderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

func readSummary(t *testing.T, path string) *load.Summary {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s load.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &s
}

func metricCount(s *load.Summary, name string) float64 {
	if m := s.Metrics[name]; m != nil {
		return m.Count
	}
	return 0
}

// The example from the README works on a fresh machine: no URL, the
// embedded server is loaded.
func TestLoadChatExampleAgainstTheEmbeddedServer(t *testing.T) {
	dir := t.TempDir()
	sum, out, report := filepath.Join(dir, "summary.json"), filepath.Join(dir, "samples.ndjson"), filepath.Join(dir, "report.html")
	code, stdout, stderr := loadRun(t, "../../examples/load/chat.js", "--vus", "2", "--iterations", "2",
		"--summary-export", sum, "--out", "ndjson="+out, "--report", report)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "loading the embedded server at ws://127.0.0.1:") {
		t.Errorf("stderr does not name the embedded server:\n%s", stderr)
	}
	for _, want := range []string{"ws_connecting", "chat_rtt", "p(95)=", "{ check:echo is ours }", "{ code:1000 }"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	s := readSummary(t, sum)
	for name, want := range map[string]float64{
		"iterations": 2, "ws_sessions": 2, "ws_msgs_sent": 6, "ws_msgs_received": 6, "chat_rtt": 6,
		"uni_close_codes{code:1000}": 2, "uni_errors": 0,
	} {
		if got := metricCount(s, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), `"metric":"ws_msgs_received"`); n != 6 {
		t.Errorf("%d ws_msgs_received samples in the NDJSON output, want 6", n)
	}
	// The report has the same samples beside the NDJSON output.
	page, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<title>unisocket load: chat.js</title>", `"ws_msgs_received":6`, `"chat_rtt"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the report lacks %s", want)
		}
	}
}

// A report that cannot be written fails before the test runs.
func TestLoadReportUnwritable(t *testing.T) {
	code, stdout, stderr := loadRun(t, "testdata/load/echo.js", "--iterations", "1", "--report", filepath.Join(t.TempDir(), "no", "such", "dir", "r.html"))
	if code != 1 || !strings.Contains(stderr, "unisocket load: --report: open ") || strings.Contains(stdout, "iterations") {
		t.Errorf("exit %d, want 1 with a --report message and no run; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
	}
}

func TestLoadThresholdExitCodes(t *testing.T) {
	code, _, stderr := loadRun(t, "testdata/load/echo.js", "--iterations", "2",
		"--threshold", "uni_errors:count==0", "--threshold", "ws_msgs_received:count==2")
	if code != 0 {
		t.Errorf("passing thresholds: exit %d, want 0; stderr:\n%s", code, stderr)
	}
	code, stdout, stderr := loadRun(t, "testdata/load/echo.js", "--iterations", "2",
		"--threshold", "ws_connecting:max<1us", "--threshold", "uni_errors:count==0")
	if code != 99 {
		t.Errorf("a failing threshold: exit %d, want 99; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "threshold ws_connecting:max<1us failed (value ") || strings.Contains(stderr, "uni_errors:count==0 failed") {
		t.Errorf("stderr should name the failed threshold only:\n%s", stderr)
	}
	if !strings.Contains(stdout, "✗ threshold ws_connecting:max<1us") {
		t.Errorf("the summary lacks the verdict:\n%s", stdout)
	}
	code, _, stderr = loadRun(t, "testdata/load/echo.js", "--threshold", "ws_connecting:p95<300ms")
	want := `unisocket load: threshold "ws_connecting:p95<300ms": unknown aggregate "p95": use count, rate, value, passes, fails, avg, min, med, max or p(N) (run 'unisocket load --help' for usage)`
	if code != 2 || strings.TrimSpace(stderr) != want {
		t.Errorf("a bad threshold: exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
}

func TestLoadBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "no script given"},
		{[]string{"testdata/load/echo.js", "--stage", "30s"}, "--stage 30s: want DURATION:VUS"},
		{[]string{"testdata/load/echo.js", "--segment", "3/2"}, "--segment 3/2: want I/N"},
		{[]string{"testdata/load/echo.js", "--out", "csv=x"}, "--out csv=x: want ndjson=FILE"},
		{[]string{"testdata/load/missing.js"}, "cannot read the script"},
	} {
		code, _, stderr := loadRun(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// A script that throws while it starts stops the test with its error
// and exit 1; the summary is still written.
func TestLoadScriptThrowsAtStart(t *testing.T) {
	sum := filepath.Join(t.TempDir(), "summary.json")
	code, stdout, stderr := loadRun(t, "testdata/load/throws.js", "--vus", "3", "--duration", "1m", "--summary-export", sum)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "the script threw while starting; stopping the test") || !strings.Contains(stderr, "throws.js:2") ||
		!strings.Contains(stderr, "cannot start: hello") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, "iteration_errors") {
		t.Errorf("no summary on stdout:\n%s", stdout)
	}
	if metricCount(readSummary(t, sum), "iteration_errors") < 1 {
		t.Error("the exported summary has no iteration error")
	}
}

// N processes with --segment I/N run, in all, what one process runs.
func TestLoadSegmentsAddUpToOneProcess(t *testing.T) {
	dir := t.TempDir()
	args := []string{"testdata/load/echo.js", "--vus", "3", "--iterations", "7"}
	one := filepath.Join(dir, "one.json")
	if code, _, stderr := loadRun(t, append(args, "--summary-export", one)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	whole := readSummary(t, one)
	sums := map[string]float64{}
	var parts []string
	for i := 1; i <= 3; i++ {
		f := filepath.Join(dir, fmt.Sprintf("part%d.json", i))
		parts = append(parts, f)
		if code, _, stderr := loadRun(t, append(args, "--segment", []string{"1/3", "2/3", "3/3"}[i-1], "--summary-export", f)...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for name, m := range readSummary(t, f).Metrics {
			sums[name] += m.Count
		}
	}
	for _, name := range []string{"iterations", "ws_sessions", "ws_msgs_sent", "ws_msgs_received", "ws_connecting", "uni_close_codes{code:1000}"} {
		if sums[name] != metricCount(whole, name) || sums[name] == 0 {
			t.Errorf("%s: segments sum to %v, one process %v", name, sums[name], metricCount(whole, name))
		}
	}
	// report merge gives the same totals.
	cmd := exec.Command(connectBinary(t), "report", "merge", parts[0], parts[1], parts[2],
		"--summary-export", filepath.Join(dir, "merged.json"), "--threshold", "iterations:count==7",
		"--report", filepath.Join(dir, "merged.html"))
	cmd.Env = connectEnv(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("report merge: %v\n%s", err, out)
	}
	if page, err := os.ReadFile(filepath.Join(dir, "merged.html")); err != nil || !strings.Contains(string(page), `"iterations":7`) {
		t.Errorf("the merged report lacks the merged totals (%v)", err)
	}
	merged := readSummary(t, filepath.Join(dir, "merged.json"))
	for _, name := range []string{"iterations", "ws_sessions", "ws_msgs_received", "ws_connecting"} {
		if metricCount(merged, name) != metricCount(whole, name) {
			t.Errorf("%s: merged %v, one process %v", name, metricCount(merged, name), metricCount(whole, name))
		}
	}
	cmd = exec.Command(connectBinary(t), "report", "merge", parts[0], "--threshold", "iterations:count==7")
	cmd.Env = connectEnv(t)
	if out, err := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != 99 || !strings.Contains(string(out), "threshold iterations:count==7 failed") {
		t.Errorf("one segment against the whole's threshold: %v\n%s", err, out)
	}
	cmd = exec.Command(connectBinary(t), "report", "merge", parts[0], "testdata/load/echo.js")
	cmd.Env = connectEnv(t)
	if out, _ := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "testdata/load/echo.js is not a summary from --summary-export") {
		t.Errorf("merging a script: exit %d\n%s", cmd.ProcessState.ExitCode(), out)
	}
}

// Ctrl-C stops gracefully: the running iteration gets --graceful-stop,
// then is interrupted; a second Ctrl-C stops at once. The summary is
// written either way.
func TestLoadInterrupt(t *testing.T) {
	for _, c := range []struct {
		name   string
		grace  string
		twice  bool
		expect string
	}{
		{"graceful", "300ms", false, "stopping: running iterations have 300ms to end"},
		{"hard", "10m", true, "stopping now"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sum := filepath.Join(t.TempDir(), "summary.json")
			cmd := exec.Command(connectBinary(t), "load", "--quiet", "testdata/load/hold.js", "--vus", "2", "--duration", "10m",
				"--graceful-stop", c.grace, "--summary-export", sum)
			cmd.Env = connectEnv(t)
			stdout := new(testutil.Buffer)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			deadline := time.After(safetyNetLoad)
			for strings.Count(stdout.String(), "open\n") < 2 {
				select {
				case <-deadline:
					_ = cmd.Process.Kill()
					<-done
					t.Fatalf("the VUs did not open their sockets; stdout:\n%s", stdout.String())
				case <-time.After(20 * time.Millisecond):
				}
			}
			_ = cmd.Process.Signal(syscall.SIGINT)
			if c.twice {
				time.Sleep(100 * time.Millisecond) // two separate signals, not one
				_ = cmd.Process.Signal(syscall.SIGINT)
			}
			select {
			case err := <-done:
				var ee *exec.ExitError
				if err != nil && !errors.As(err, &ee) {
					t.Fatal(err)
				}
			case <-deadline:
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("the test did not stop; stderr:\n%s", stderr.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("exit %d, want 0; stderr:\n%s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), c.expect) {
				t.Errorf("stderr lacks %q:\n%s", c.expect, stderr.String())
			}
			s := readSummary(t, sum)
			if got := metricCount(s, "iterations_interrupted"); got != 2 {
				t.Errorf("iterations_interrupted = %v, want 2", got)
			}
			if got := metricCount(s, "ws_sessions"); got != 2 {
				t.Errorf("ws_sessions = %v, want 2", got)
			}
		})
	}
}

// safetyNetLoad bounds the waits of the load tests; never an assertion
// about speed.
const safetyNetLoad = time.Minute

// On a wss-only platform with a domain list the embedded server is
// served with TLS under a listed name, and the platform's quota shows in
// uni_quota_rejections.
func TestLoadWeChatQuotaAgainstTheEmbeddedServer(t *testing.T) {
	sum := filepath.Join(t.TempDir(), "summary.json")
	code, _, stderr := loadRun(t, "testdata/load/quota.js", "--platform", "mp-weixin", "--iterations", "2", "--summary-export", sum)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "loading the embedded server at wss://load.unisocket.test:") {
		t.Errorf("stderr:\n%s", stderr)
	}
	s := readSummary(t, sum)
	for name, want := range map[string]float64{"ws_sessions": 10, "ws_connecting": 10, "uni_quota_rejections": 2, "uni_errors": 2} {
		if got := metricCount(s, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

// Not on a terminal, progress comes as plain lines.
func TestLoadProgressLines(t *testing.T) {
	cmd := exec.Command(connectBinary(t), "load", "testdata/load/hold.js", "--vus", "2", "--duration", "10m",
		"--graceful-stop", "100ms", "--progress-interval", "100ms")
	cmd.Env = connectEnv(t)
	stderr := new(testutil.Buffer)
	cmd.Stderr = stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	// Both VUs hold a socket until the test stops: a line shows them.
	stderr.WaitFor(t, "a progress line with 2 VUs and 2 open sockets", regexp.MustCompile(`(?m)^ *\d+s  vus 2  open sockets 2  msgs 0 sent, 0 received \(0/s\)  errors 0  iterations 0$`))
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(safetyNetLoad):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("did not end")
	}
	if strings.ContainsAny(stderr.String(), "\r\033") {
		t.Errorf("terminal control in plain output: %q", stderr.String())
	}
}

// --metrics-addr serves the live metrics while the test runs; a port in
// use is a clear error.
func TestLoadMetricsAddr(t *testing.T) {
	cmd := exec.Command(connectBinary(t), "load", "--quiet", "testdata/load/hold.js", "--vus", "2", "--duration", "10m",
		"--graceful-stop", "100ms", "--metrics-addr", "127.0.0.1:0")
	cmd.Env = connectEnv(t)
	stdout, stderr := new(testutil.Buffer), new(testutil.Buffer)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(safetyNetLoad):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	addrRe := regexp.MustCompile(`Prometheus metrics at http://(127\.0\.0\.1:\d+)/metrics`)
	stderr.WaitFor(t, "the metrics address", addrRe)
	stdout.WaitFor(t, "both VUs' sockets open", regexp.MustCompile(`(?s)open\n.*open\n`))
	addr := addrRe.FindStringSubmatch(stderr.String())[1]
	// The samples reach the endpoint within a second: look until they do.
	deadline := time.Now().Add(safetyNetLoad)
	var body string
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		if strings.Contains(body, "\nunisocket_ws_sessions_total 2\n") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{"\nunisocket_ws_sessions_total 2\n", "\nunisocket_open_sockets 2\n", "\nunisocket_vus 2\n", "unisocket_ws_connecting_seconds_count 2\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("the scrape lacks %q:\n%s", strings.TrimSpace(want), body)
		}
	}

	// The same address again: in use.
	code, _, errText := loadRun(t, "testdata/load/echo.js", "--iterations", "1", "--metrics-addr", addr)
	if code != 1 || !strings.Contains(errText, "unisocket load: --metrics-addr "+addr+": cannot listen: bind: address already in use") {
		t.Errorf("a port in use: exit %d, stderr %q", code, errText)
	}
}

// A server that refuses every handshake: the run ends normally, and says
// why no socket opened.
func TestLoadRefusingServer(t *testing.T) {
	code, stdout, stderr := loadRun(t, "../../load/testdata/refused.js", "--iterations", "3", "--threshold", "uni_errors:count==0")
	if code != 99 {
		t.Errorf("exit %d, want 99 (uni_errors:count==0 failed); stderr:\n%s", code, stderr)
	}
	if !regexp.MustCompile(`no socket opened; the most frequent error \(3 times\): .*403`).MatchString(stderr) {
		t.Errorf("stderr does not say why:\n%s", stderr)
	}
	if !strings.Contains(stdout, "{ code:1006 }") {
		t.Errorf("summary:\n%s", stdout)
	}
}

// On a terminal the progress is one line, rewritten in place, and
// Ctrl-C (the terminal's interrupt character) stops the test gracefully.
func TestLoadProgressOnATerminal(t *testing.T) {
	cmd := exec.Command(connectBinary(t), "load", "testdata/load/hold.js", "--vus", "2", "--duration", "10m", "--graceful-stop", "100ms")
	cmd.Env = append(connectEnv(t), "TERM=xterm")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	screen := new(testutil.Buffer)
	read := make(chan struct{})
	go func() {
		defer close(read)
		_, _ = io.Copy(screen, ptmx)
	}()
	done := make(chan struct{}) // closed once the command has exited
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	defer func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
			<-done
		}
		_ = ptmx.Close()
		<-read
	}()
	screen.WaitFor(t, "a progress line rewritten in place", regexp.MustCompile(`\r\x1b\[K *\d+s  vus 2  open sockets 2  msgs 0 sent`))
	if _, err := ptmx.Write([]byte{3}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	screen.WaitFor(t, "the graceful stop", regexp.MustCompile(`stopping: running iterations have 100ms to end`))
	screen.WaitFor(t, "the summary", regexp.MustCompile(`iterations_interrupted\.*: 2`))
	select {
	case <-done:
	case <-time.After(safetyNetLoad):
		t.Fatalf("did not end; the terminal shows:\n%s", screen.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d; the terminal shows:\n%s", code, screen.String())
	}
}
