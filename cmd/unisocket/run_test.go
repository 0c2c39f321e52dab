package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/server"
)

// runCLI runs `unisocket run args...` and returns its exit code and
// output. Without a --timeout-ms of the test's own, a 60 s one is added as
// a safety net, so a broken build fails instead of hanging the package.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	if !slices.Contains(args, "--timeout-ms") && !slices.Contains(args, "--help") {
		// In front, so a "--" among the test's arguments still ends the flags.
		args = append([]string{"--timeout-ms", "60000"}, args...)
	}
	code = run(append([]string{"run"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeScript writes a script into a new temporary directory.
func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const seedDir = "../../examples/seed"

// checkRunLeaks fails the test if it leaves a goroutine behind. Called
// first, its check runs after every other cleanup (servers included).
func checkRunLeaks(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// startServer starts the embedded test server, closed when the test ends.
// With TLS its certificate names www.example.com, the seed examples' host,
// and pem is a file holding it, for --cafile.
func startServer(t *testing.T, tls bool) (srv *server.Server, pem string) {
	t.Helper()
	opts := server.Options{}
	if tls {
		opts = server.Options{TLS: true, Hosts: []string{"www.example.com"}}
	}
	srv, err := server.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if tls {
		pem = filepath.Join(t.TempDir(), "server.pem")
		if err := os.WriteFile(pem, srv.CertPEM(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return srv, pem
}

// The seed document's examples run unchanged over wss:// against the
// embedded server: --resolve sends www.example.com:443 to it and --cafile
// trusts its certificate, which names www.example.com.
func TestRunSeedExamples(t *testing.T) {
	checkRunLeaks(t)
	srv, pem := startServer(t, true)
	flags := []string{"--resolve", "www.example.com:443:" + srv.Addr(), "--cafile", pem}

	const stillOpen = "unisocket run: timed out after 3000 ms (--timeout-ms); still pending: 1 socket open: wss://www.example.com/socket\n"
	observedLog := func(middle ...string) string {
		return "[observe] open\n" + strings.Join(middle, "") + "[observe] message: probe\n[observe] close: code 1000, reason observed\n"
	}
	examples := []struct {
		file string
		// Run as they are: most never close their socket, so only
		// --timeout-ms ends them, exiting 1 and naming the open socket.
		code           int
		stdout, stderr string
		// Run with observe.js watching (observed/FILE): they end by
		// themselves.
		observed string
	}{
		{"01_connectSocket.js", 1, "", stillOpen,
			"[observe] open (subprotocol protocol1)\n[observe] message: probe\n[observe] close: code 1000, reason observed\n"},
		{"02_connectSocket_task.js", 1, "", stillOpen, observedLog()},
		{"03_onSocketOpen.js", 1, "WebSocket连接已打开!\n", stillOpen, observedLog("WebSocket连接已打开!\n")},
		{"04_onSocketError.js", 1, "WebSocket连接已打开!\n", stillOpen, observedLog("WebSocket连接已打开!\n")},
		{"05_sendSocketMessage.js", 1, "", stillOpen, observedLog()},
		{"06_onSocketMessage.js", 1, "", stillOpen,
			"[observe] open\n[observe] message: probe\n收到服务器内容:probe\n[observe] close: code 1000, reason observed\n"},
		{"07_onSocketClose.js", 0, "WebSocket 已关闭!\n", "",
			"[observe] open\n[observe] close: code 1000\nWebSocket 已关闭!\n"},
	}
	// Every run at once: the ones that never end wait for --timeout-ms,
	// so running them one after the other would take long.
	type outcome struct {
		code           int
		stdout, stderr string
	}
	asIs := make([]outcome, len(examples))
	observed := make([]outcome, len(examples))
	var wg sync.WaitGroup
	for i, ex := range examples {
		wg.Go(func() {
			code, stdout, stderr := runCLI(append([]string{filepath.Join(seedDir, ex.file), "--timeout-ms", "3000"}, flags...)...)
			asIs[i] = outcome{code, stdout, stderr}
		})
		wg.Go(func() {
			code, stdout, stderr := runCLI(append([]string{filepath.Join(seedDir, "observed", ex.file)}, flags...)...)
			observed[i] = outcome{code, stdout, stderr}
		})
	}
	wg.Wait()
	for i, ex := range examples {
		if got, want := asIs[i], (outcome{ex.code, ex.stdout, ex.stderr}); got != want {
			t.Errorf("%s as is: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout:\n%s\nstderr:\n%s",
				ex.file, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
		}
		if got, want := observed[i], (outcome{0, ex.observed, ""}); got != want {
			t.Errorf("%s observed: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0, stdout:\n%s",
				ex.file, got.code, got.stdout, got.stderr, want.stdout)
		}
	}
}

// The certificate is checked against the URL's host even when --resolve
// moves the connection: without --cafile the test server is not trusted,
// with --insecure nothing is checked.
func TestRunResolveKeepsTLSChecks(t *testing.T) {
	checkRunLeaks(t)
	srv, _ := startServer(t, true)
	script := writeScript(t, "main.js", `
var task = wx.connectSocket({url: 'wss://www.example.com/socket'});
task.onOpen(function () { console.log('open'); task.close(); });
task.onError(function (res) { console.log('error', /certificate/.test(res.errMsg)); });
task.onClose(function (res) { console.log('close', res.code); });
`)
	resolve := "www.example.com:443:" + srv.Addr()
	for _, tc := range []struct {
		extra []string
		want  string
	}{
		{nil, "error true\nclose 1006\n"},
		{[]string{"--insecure"}, "open\nclose 1000\n"},
	} {
		code, stdout, stderr := runCLI(append([]string{script, "--resolve", resolve}, tc.extra...)...)
		if code != 0 || stdout != tc.want || stderr != "" {
			t.Errorf("%q: exit %d, stdout:\n%s\nstderr:\n%s\nwant:\n%s", tc.extra, code, stdout, stderr, tc.want)
		}
	}
}

// --timeout-ms stops a script that never ends, says what was pending and
// exits 1.
func TestRunTimeout(t *testing.T) {
	checkRunLeaks(t)
	script := writeScript(t, "main.js", "setTimeout(function () {}, 60000);\nsetTimeout(function () {}, 60000);\nsetInterval(function () {}, 60000);\n")
	code, stdout, stderr := runCLI(script, "--timeout-ms", "50")
	want := "unisocket run: timed out after 50 ms (--timeout-ms); still pending: 2 timers; 1 interval\n"
	if code != exitFailure || stdout != "" || stderr != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1, stderr %q", code, stdout, stderr, want)
	}
}

func TestRunExitStatus(t *testing.T) {
	checkRunLeaks(t)
	for _, tc := range []struct {
		name, src  string
		code       int
		stdout     string
		stderrPart string
	}{
		{"clean", "console.log('hi'); setTimeout(function () { console.log('later'); }, 1);", 0, "hi\nlater\n", ""},
		{"syntax error", "var a = 1;\n\nfoo(;\n", 1, "", "main.js:3:5\nfoo(;\n    ^\n\nSyntaxError: Unexpected token ;\n"},
		{"top-level throw", "console.log('before');\nnull.x;\n", 1, "before\n", "main.js:2:6\nnull.x;\n     ^\n\nUncaught TypeError"},
		{"throw in a timer", "setTimeout(function () { throw new Error('tick'); }, 1);\nsetTimeout(function () { console.log('went on'); }, 5);\n", 1, "went on\n",
			"Uncaught Error: tick\n"},
		{"unhandled rejection", "uni.sendSocketMessage({data: 'x'});\n", 1, "",
			"Uncaught (in promise) { errMsg: 'sendSocketMessage:fail WebSocket is not connected' }\nunisocket run: the script reported 1 uncaught error (printed above)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script := writeScript(t, "main.js", tc.src)
			code, stdout, stderr := runCLI(script)
			if code != tc.code || stdout != tc.stdout || !strings.Contains(stderr, tc.stderrPart) || (tc.stderrPart == "" && stderr != "") {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant exit %d, stdout %q, stderr containing %q", code, stdout, stderr, tc.code, tc.stdout, tc.stderrPart)
			}
		})
	}
}

func TestRunFlags(t *testing.T) {
	checkRunLeaks(t)
	script := writeScript(t, "main.js", "console.log(typeof uni, typeof wx);\n")
	other := writeScript(t, "other.js", "")

	code, stdout, stderr := runCLI("--help")
	if code != exitOK || !strings.Contains(stdout, "Usage: unisocket run FILE.js [flags]") ||
		!strings.Contains(stdout, "--resolve HOST:PORT:ADDR") || !strings.Contains(stdout, "Examples:") || stderr != "" {
		t.Errorf("--help: exit %d, stdout:\n%s\nstderr: %s", code, stdout, stderr)
	}

	// Flags go before or after the script.
	for _, args := range [][]string{
		{script, "--platform", "h5"},
		{"--platform", "mp-weixin", script, "--timeout-ms", "10000"},
		{"--resolve", "www.example.com:443:127.0.0.1:1", "--", script},
	} {
		if code, stdout, stderr := runCLI(args...); code != exitOK || stdout != "object object\n" || stderr != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no script given"},
		{[]string{script, other}, "one script at a time, got 2"},
		{[]string{"--bogus", script}, "unknown flag: --bogus"},
		{[]string{script, "--platform", "mp-nowhere"}, `unknown platform "mp-nowhere"`},
		{[]string{script, "--cafile", script, "--insecure"}, "--cafile and --insecure exclude each other"},
		{[]string{script, "--cafile", script}, "holds no PEM certificate"},
		{[]string{script, "--cafile", filepath.Join(t.TempDir(), "none.pem")}, "--cafile: open"},
		{[]string{script, "--resolve", "www.example.com"}, `invalid argument "www.example.com" for "--resolve" flag`},
		{[]string{script, "--resolve", "www.example.com:99999:127.0.0.1"}, "bad port"},
		{[]string{script, "--timeout-ms", "-1"}, "--timeout-ms must be 0 (no limit) or more"},
		{[]string{script, "--timeout-ms", "soon"}, `invalid argument "soon" for "--timeout-ms" flag`},
		{[]string{filepath.Join(t.TempDir(), "missing.js")}, "cannot read the script"},
		{[]string{t.TempDir()}, "is a directory"},
	} {
		code, stdout, stderr := runCLI(tc.args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 ||
			!strings.HasPrefix(stderr, "unisocket run: ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line containing %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

func TestRunParseResolve(t *testing.T) {
	for _, tc := range []struct{ in, from, to, err string }{
		{"www.example.com:443:127.0.0.1", "www.example.com:443", "127.0.0.1:443", ""},
		{"www.example.com:443:127.0.0.1:8443", "www.example.com:443", "127.0.0.1:8443", ""},
		{"WWW.Example.com:443:localhost:9", "www.example.com:443", "localhost:9", ""},
		{"www.example.com:443:[::1]", "www.example.com:443", "[::1]:443", ""},
		{"www.example.com:443:[::1]:8443", "www.example.com:443", "[::1]:8443", ""},
		{"www.example.com:443:::1", "www.example.com:443", "[::1]:443", ""},
		{"[::1]:443:127.0.0.1", "[::1]:443", "127.0.0.1:443", ""},
		{"www.example.com", "", "", "no port"},
		{"www.example.com:443", "", "", "no address"},
		{":443:127.0.0.1", "", "", "no host"},
		{"h:0:127.0.0.1", "", "", "bad port"},
		{"h:443:127.0.0.1:x", "", "", "bad address"},
		{"[::1:443:x", "", "", "unclosed ["},
	} {
		from, to, err := parseResolve(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || from != tc.from || to != tc.to):
			t.Errorf("%q: %q -> %q, %v; want %q -> %q", tc.in, from, to, err, tc.from, tc.to)
		}
	}
}

func TestRunIsRegistered(t *testing.T) {
	var out bytes.Buffer
	run([]string{"help"}, &out, &out)
	if !strings.Contains(out.String(), "  run ") {
		t.Fatalf("help does not list run:\n%s", out.String())
	}
}

// --config and --manifest configure the App as package manifest reads
// them; --platform overrides the config's platform.
func TestRunManifestAndConfig(t *testing.T) {
	checkRunLeaks(t)
	plain, _ := startServer(t, false)
	tlsSrv, pem := startServer(t, true)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	h5 := write("h5.json", `{"platform": "h5"}`)
	weixin := write("weixin.json", "{\n  \"platform\": \"mp-weixin\",\n  \"socketDomains\": [\"www.example.com\"],\n  \"bogus\": 1, // unknown\n}\n")
	slow := write("manifest.json", `{"networkTimeout": {"connectSocket": 300}}`)
	broken := write("broken.json", "{\n  \"platform\": mp-weixin\n}\n")
	openPayload := write("open.js", `
var task = uni.connectSocket({url: '`+plain.URL()+`/', complete: function () {}});
task.onOpen(function (res) { console.log(Object.keys(res).join(',') || 'empty'); task.close(); });
`)
	hang := write("hang.js", `
var task = uni.connectSocket({url: '`+plain.URL()+`/?hang=1', complete: function () {}});
task.onError(function (res) { console.log('error', /timed out/.test(res.errMsg)); });
task.onClose(function (res) { console.log('close', res.code); });
`)
	local := write("local.js", `
uni.connectSocket({url: '`+plain.URL()+`/', fail: function (r) { console.log(r.errMsg.indexOf('connectSocket:fail ') === 0); }});
`)
	for _, tc := range []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"config platform h5", []string{openPayload, "--config", h5}, 0, "empty\n", ""},
		{"--platform overrides it", []string{openPayload, "--config", h5, "--platform", "standard"}, 0, "header\n", ""},
		{"mp-weixin whitelist admits the seed's host", []string{filepath.Join(seedDir, "07_onSocketClose.js"), "--config", weixin,
			"--resolve", "www.example.com:443:" + tlsSrv.Addr(), "--cafile", pem}, 0, "WebSocket 已关闭!\n",
			"unisocket run: warning: " + weixin + ":4:3: unknown key \"bogus\""},
		{"mp-weixin refuses ws://127.0.0.1", []string{local, "--config", weixin}, 0, "true\n", "unisocket run: warning: "},
		{"manifest networkTimeout", []string{hang, "--manifest", slow}, 0, "error true\nclose 1006\n", ""},
		{"broken config", []string{openPayload, "--config", broken}, exitUsage, "", "unisocket run: --config: " + broken + ":2:"},
		{"missing manifest", []string{openPayload, "--manifest", filepath.Join(dir, "none.json")}, exitUsage, "", "unisocket run: --manifest: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(tc.args...)
			if code != tc.code || stdout != tc.stdout || !strings.HasPrefix(stderr, tc.stderr) || (tc.stderr == "" && stderr != "") {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d, stdout %q, stderr starting %q", code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

// TestRunThroughProxy checks that run takes --proxy, as connect does (one
// configuration builder): the script's socket goes through the proxy.
func TestRunThroughProxy(t *testing.T) {
	checkRunLeaks(t)
	srv, _ := startServer(t, false)
	p := (&testutil.Proxy{Route: srv.Addr()}).Start(t)
	_, port, _ := net.SplitHostPort(srv.Addr())
	script := writeScript(t, "proxied.js", `
uni.onSocketClose(function (r) { console.log("closed", r.code); });
uni.connectSocket({ url: "ws://ws.test:`+port+`/?close=1000" });
`)
	code, stdout, stderr := runCLI(script, "--proxy", p.URL("http"))
	if code != exitOK || stdout != "closed 1000\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got := p.Requests(); len(got) != 1 || !strings.HasPrefix(got[0], "CONNECT ws.test:"+port) {
		t.Errorf("the proxy saw %q, want one CONNECT ws.test:%s", got, port)
	}
}

// runProbeDeflate connects three sockets to ?inspect=1: one without
// perMessageDeflate, one with false, one with true; each prints whether
// its handshake offered permessage-deflate.
const runProbeDeflate = `
function probe(name, extra) {
  var opts = {url: URL, complete: function () {}};
  for (var k in extra) opts[k] = extra[k];
  var task = uni.connectSocket(opts);
  task.onMessage(function (m) {
    var offered = JSON.parse(m.data).header["Sec-Websocket-Extensions"];
    console.log(name + ": " + (offered ? "offered " + offered : "not offered"));
    task.close({});
  });
}
probe("unset", {});
probe("false", {perMessageDeflate: false});
probe("true", {perMessageDeflate: true});
`

// TestRunCompress: --compress makes perMessageDeflate default to true;
// a script's own value still decides.
func TestRunCompress(t *testing.T) {
	checkRunLeaks(t)
	srv, _ := startServer(t, false)
	script := writeScript(t, "main.js", "var URL = '"+srv.URL()+"/?inspect=1&compress=1';\n"+runProbeDeflate)
	const offered = "offered permessage-deflate; client_max_window_bits"
	for _, tc := range []struct {
		flags []string
		want  []string
	}{
		{nil, []string{"false: not offered", "true: " + offered, "unset: not offered"}},
		{[]string{"--compress"}, []string{"false: not offered", "true: " + offered, "unset: " + offered}},
	} {
		code, stdout, stderr := runCLI(append([]string{script}, tc.flags...)...)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		slices.Sort(lines)
		if code != exitOK || stderr != "" || !slices.Equal(lines, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", tc.flags, code, stdout, stderr, tc.want)
		}
	}
}

// TestRunMaxMessage: --max-message limits what every socket of the script
// accepts; a larger message fails the socket with 1009.
func TestRunMaxMessage(t *testing.T) {
	checkRunLeaks(t)
	srv, _ := startServer(t, false)
	script := writeScript(t, "main.js", `
var task = uni.connectSocket({url: '`+srv.URL()+`/?send=1&size=1025&close=1000', complete: function () {}});
task.onMessage(function (m) { console.log("message of " + m.data.length); });
task.onError(function (r) { console.log("error " + r.errMsg); });
task.onClose(function (r) { console.log("close " + r.code); });
`)
	code, stdout, _ := runCLI(script)
	if code != exitOK || stdout != "message of 1025\nclose 1000\n" {
		t.Errorf("without --max-message: exit %d, stdout %q; want the message", code, stdout)
	}
	code, stdout, stderr := runCLI(script, "--max-message", "1KiB")
	if !strings.Contains(stdout, "close 1006\n") || !strings.Contains(stdout, "read limit") || strings.Contains(stdout, "message of") {
		t.Errorf("--max-message 1KiB: exit %d, stdout %q, stderr %q; want the socket failed, no message", code, stdout, stderr)
	}
}

// TestRunTimeoutGroupsSockets: a script stopped with hundreds of sockets
// pending names each URL once, with its count, and counts the URLs past
// the first few instead of naming them.
func TestRunTimeoutGroupsSockets(t *testing.T) {
	checkRunLeaks(t)
	srv, _ := startServer(t, false)
	base := srv.URL() + "/?hang=1"
	script := writeScript(t, "main.js", `
function open(url) { uni.connectSocket({url: url, complete: function () {}}); }
for (var i = 0; i < 250; i++) open("`+base+`&a");
for (var i = 0; i < 40; i++) open("`+base+`&b");
for (var i = 0; i < 10; i++) open("`+base+`&c" + i);
`)
	code, stdout, stderr := runCLI(script, "--timeout-ms", "1000")
	want := "unisocket run: timed out after 1000 ms (--timeout-ms); still pending: 300 sockets connecting: " +
		base + "&a (250), " + base + "&b (40), " + base + "&c0, " + base + "&c1, " + base + "&c2 and 7 more URLs\n"
	if code != exitFailure || stdout != "" || stderr != want {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
}
