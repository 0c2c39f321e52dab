//go:build browser

package fidelity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/internal/testutil/chromium"
	"github.com/unisocket/unisocket/server"
)

var (
	update = flag.Bool("update", false, "rewrite the diff lines in differences.json from this run (new differences get class unclassified, which still fails)")
	only   = flag.String("only", "", "run only the scenarios whose file name contains this")
	chrome = flag.String("chromium", "/usr/bin/chromium", "the Chromium binary")
)

// Bounds on every wait. Generous: the machine is shared and noisy.
const (
	// scenarioLimit bounds one scenario in one world.
	scenarioLimit = 5 * time.Second
	// grace is how long the browser side keeps listening after "-- end",
	// so that an event the scenario did not wait for is still seen.
	grace = 300 * time.Millisecond
)

// builds are the uni-h5 bundles build.mjs makes, and the transport check's
// browser side.
var builds = []string{"development", "production"}

const transportBuild = "websocket"

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// world is everything both sides share for one test run.
type world struct {
	srv     *server.Server
	page    *pageServer
	bin     string // the unisocket binary
	prelude string
	browser context.Context
	ports   *strings.Replacer // the loopback addresses, by role
}

// TestH5 runs every scenario in scenarios/ against each uni-h5 build in
// Chromium and under `unisocket run --platform h5`, and compares the
// output with differences.json.
func TestH5(t *testing.T) {
	w := setup(t)
	scen := scripts(t, "scenarios")
	if *only == "" && len(scen) < 25 {
		t.Fatalf("scenarios/ holds %d scenarios; the harness promises at least 25", len(scen))
	}
	uniOut := w.runAllUnisocket(t, scen, "h5", w.prelude)
	var results []result
	for i, s := range scen {
		for _, b := range builds {
			results = append(results, result{scenario: s.name, build: b, browser: w.runBrowser(t, s, b)})
		}
		out := <-uniOut[i]
		results[len(results)-1].unisocket = out
		results[len(results)-2].unisocket = out
	}
	check(t, results, builds, "uni-h5 in Chromium")
}

// TestStandardTransport runs every script in transport/ with the
// browser's own WebSocket and under `unisocket run --platform standard`,
// each through its adapter, and compares the events.
func TestStandardTransport(t *testing.T) {
	w := setup(t)
	scen := scripts(t, "transport")
	uniOut := w.runAllUnisocket(t, scen, "standard", w.prelude+readFile(t, "transport/adapter-uni.js"))
	var results []result
	for i, s := range scen {
		b := w.runBrowser(t, s, transportBuild)
		results = append(results, result{scenario: "transport/" + s.name, build: transportBuild, browser: b, unisocket: <-uniOut[i]})
	}
	check(t, results, []string{transportBuild}, "the browser's WebSocket in Chromium")
}

// setup starts the test server, the page server and Chromium, builds the
// unisocket binary and bundles uni-h5, all torn down by t.Cleanup.
func setup(t *testing.T) *world {
	t.Helper()
	if _, err := os.Stat(*chrome); err != nil {
		t.Fatalf("Chromium is needed at %s (apt-get install -y chromium): %v", *chrome, err)
	}
	if _, err := os.Stat("node_modules/@dcloudio/uni-h5/package.json"); err != nil {
		t.Fatalf("uni-h5 is not installed: run `npm ci` in fidelity/ first (%v)", err)
	}
	dir := t.TempDir()
	w := &world{bin: filepath.Join(dir, "unisocket")}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", w.bin, "./cmd/unisocket")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/unisocket: %v\n%s", err, out)
	}
	bundle := exec.CommandContext(ctx, "node", "build.mjs")
	if out, err := bundle.CombinedOutput(); err != nil {
		t.Fatalf("node build.mjs (bundling uni-h5): %v\n%s", err, out)
	}

	srv, err := server.Start(server.Options{})
	if err != nil {
		t.Fatalf("starting the test server: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	w.srv = srv
	refused := refusedURL(t)
	w.prelude = fmt.Sprintf("var SERVER = %q;\nvar REFUSED = %q;\n", srv.URL(), refused) + readFile(t, "prelude.js")

	w.page = startPageServer(t, w.prelude)
	// The ports change from run to run, never between the two worlds.
	w.ports = strings.NewReplacer(
		strings.TrimPrefix(srv.URL(), "ws://"), "127.0.0.1:SERVER",
		strings.TrimPrefix(refused, "ws://"), "127.0.0.1:REFUSED",
		strings.TrimPrefix(w.page.url, "http://"), "127.0.0.1:PAGE",
	)

	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromium.Options(*chrome, filepath.Join(dir, "chromium"))...)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, browserCancel := chromedp.NewContext(allocCtx)
	// Start the browser now. The first call's context must be the
	// browser's own (a timeout on it would end the browser later), so the
	// bound is a watchdog that cancels it.
	watchdog := time.AfterFunc(time.Minute, browserCancel)
	err = chromedp.Do(browser)
	watchdog.Stop()
	if err != nil {
		browserCancel()
		allocCancel()
		t.Fatalf("starting Chromium: %v", err)
	}
	t.Cleanup(func() {
		browserCancel()
		allocCancel()
	})
	w.browser = browser
	return w
}

// refusedURL returns a ws:// URL on a loopback port that was just free,
// so a connection to it is refused.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "ws://" + addr
}

// wrap puts a scenario in a function of its own, in both worlds: in a page
// its top-level names would otherwise be window's (var closed, var name
// and var status are window properties with their own setters).
func wrap(src string) string {
	return "(function () {\n" + src + "\n})();\n"
}

// script is one scenario file.
type script struct {
	name string // file name, e.g. 01_connect_success.js
	src  string
}

func scripts(t *testing.T, dir string) []script {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "[0-9]*.js"))
	if err != nil {
		t.Fatal(err)
	}
	var out []script
	for _, f := range files {
		if *only != "" && !strings.Contains(f, *only) {
			continue
		}
		out = append(out, script{name: filepath.Base(f), src: readFile(t, f)})
	}
	if len(out) == 0 {
		t.Fatalf("no scenarios in %s/ (filter %q)", dir, *only)
	}
	return out
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pageServer is the loopback HTTP server of the page and its scripts.
type pageServer struct {
	url string
}

// startPageServer serves /page/BUILD/DIR/SCENARIO: a page that loads the bundle of
// BUILD (or, for the transport check, the WebSocket adapter), the prelude,
// then the scenario.
func startPageServer(t *testing.T, prelude string) *pageServer {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page/{build}/{dir}/{scenario}", func(rw http.ResponseWriter, r *http.Request) {
		build, dir, name := r.PathValue("build"), r.PathValue("dir"), r.PathValue("scenario")
		var lib string
		switch {
		case build == transportBuild:
			lib = `<script src="/lib/transport/adapter-browser.js"></script>`
		case slices.Contains(builds, build):
			lib = `<script src="/lib/dist/uni-h5.` + build + `.js"></script>`
		default:
			http.NotFound(rw, r)
			return
		}
		if (dir != "scenarios" && dir != "transport") || strings.ContainsAny(name, "/\\") {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			http.NotFound(rw, r)
			return
		}
		fmt.Fprintf(rw, "<!doctype html><meta charset=utf-8><title>%s</title>\n<script>%s</script>\n%s\n<script>%s</script>\n",
			name, prelude, lib, wrap(string(src)))
	})
	files := http.FileServer(http.Dir("."))
	mux.Handle("GET /lib/", http.StripPrefix("/lib", files))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		hs.Serve(ln)
	}()
	t.Cleanup(func() {
		hs.Close()
		<-done
	})
	return &pageServer{url: "http://" + ln.Addr().String()}
}

// runBrowser loads the scenario in a fresh tab and returns its console
// output: console.* calls and uncaught exceptions, one string per line,
// up to "-- end" and grace after it.
func (w *world) runBrowser(t *testing.T, s script, build string) []string {
	t.Helper()
	var mu sync.Mutex
	var lines []string
	ended := make(chan struct{})
	var once sync.Once
	add := func(text string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, strings.Split(text, "\n")...)
		if text == "-- end" {
			once.Do(func() { close(ended) })
		}
	}
	listener := func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			parts := make([]string, len(ev.Args))
			for i, a := range ev.Args {
				parts[i] = remoteText(a)
			}
			add(strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + remoteText(d.Exception)
			}
			add(text)
		}
	}
	tab, cancel := chromedp.NewContext(w.browser, chromedp.WithListener(listener))
	defer cancel()
	ctx, cancelT := context.WithTimeout(tab, scenarioLimit+10*time.Second)
	defer cancelT()
	dir := "scenarios"
	if build == transportBuild {
		dir = "transport"
	}
	url := fmt.Sprintf("%s/page/%s/%s/%s", w.page.url, build, dir, s.name)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Errorf("%s (%s): loading %s: %v", s.name, build, url, err)
		return []string{"-- the page did not load: " + err.Error()}
	}
	timer := time.NewTimer(scenarioLimit)
	defer timer.Stop()
	select {
	case <-ended:
		time.Sleep(grace)
	case <-timer.C:
		add(fmt.Sprintf("-- (no end within %s)", scenarioLimit))
	case <-ctx.Done():
		add("-- (the tab went away: " + ctx.Err().Error() + ")")
	}
	mu.Lock()
	defer mu.Unlock()
	return w.normalise(slices.Clone(lines))
}

// remoteText prints a console argument as DevTools does in its text
// form: strings bare, primitives as their value, objects (errors
// included) as their description, which for an Error is its stack.
func remoteText(o *runtime.RemoteObject) string {
	switch o.Type {
	case "string":
		var s string
		if err := json.Unmarshal(o.Value, &s); err == nil {
			return s
		}
	case "undefined":
		return "undefined"
	}
	if o.UnserializableValue != "" {
		return string(o.UnserializableValue)
	}
	if o.Description != "" {
		return o.Description
	}
	if len(o.Value) > 0 {
		return string(o.Value)
	}
	return string(o.Type)
}

// runAllUnisocket starts every scenario under `unisocket run`, two at a
// time, while the caller drives the browser; the i-th channel gets the
// i-th scenario's output.
func (w *world) runAllUnisocket(t *testing.T, scen []script, platform, prelude string) []chan []string {
	outs := make([]chan []string, len(scen))
	for i := range outs {
		outs[i] = make(chan []string, 1)
	}
	dir := t.TempDir()
	go func() {
		sem := make(chan struct{}, 2)
		for i, s := range scen {
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				outs[i] <- w.runUnisocket(t, dir, s, platform, prelude)
			}()
		}
	}()
	return outs
}

// runUnisocket runs prelude+scenario with `unisocket run --platform P`,
// stdout and stderr through one pipe so their order is kept.
func (w *world) runUnisocket(t *testing.T, dir string, s script, platform, prelude string) []string {
	file := filepath.Join(dir, s.name)
	if err := os.WriteFile(file, []byte(prelude+wrap(s.src)), 0o644); err != nil {
		t.Errorf("%s: %v", s.name, err)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), scenarioLimit+15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.bin, "run", "--platform", platform, "--timeout-ms", fmt.Sprint(scenarioLimit.Milliseconds()), file)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Errorf("%s: unisocket run: %v", s.name, err)
	}
	text := strings.TrimSuffix(out.String(), "\n")
	if text == "" {
		return nil
	}
	return w.normalise(strings.Split(text, "\n"))
}

var (
	// stackFrame is a line of a stack trace: file names and positions
	// differ by nature between a bundle in a page and a file on disk.
	stackFrame = regexp.MustCompile(`^\s+at\s`)
	// exitSummary is the CLI's closing line for a script that reported
	// uncaught errors; it is unisocket's exit status in words, not output
	// of the script.
	exitSummary = regexp.MustCompile(`^unisocket run: the script reported \d+ uncaught errors? \(printed above\)$`)
)

// normalise removes what differs by nature between the two worlds, and
// names the loopback ports by role; it never reorders.
func (w *world) normalise(lines []string) []string {
	out := lines[:0]
	for _, l := range lines {
		if stackFrame.MatchString(l) || exitSummary.MatchString(l) {
			continue
		}
		out = append(out, w.ports.Replace(l))
	}
	return out
}
