package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/unisocket/unisocket/examples"
	"github.com/unisocket/unisocket/js"
	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

const demoHelp = `Usage: unisocket demo

Starts the embedded test server on loopback (wss, with a certificate for
www.example.com) and walks through the uni-app socket API, printing each
callback as it runs: first through the Go API, then the seed document's
JavaScript examples, unchanged, in the JavaScript runtime. The seed's URL
wss://www.example.com/socket is routed to the local server, so nothing
leaves the machine.
`

// demoHost is the seed document's placeholder host, routed to the local
// server.
const demoHost = "www.example.com"

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo")
	if code, ok := parseFlags(fs, args, stdout, stderr, func(w io.Writer) { fmt.Fprint(w, demoHelp) }); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "demo", "unexpected argument %q: demo takes no arguments", fs.Arg(0))
	}
	srv, err := server.Start(server.Options{TLS: true, Hosts: []string{demoHost}})
	if err != nil {
		fmt.Fprintf(stderr, "unisocket demo: %v\n", err)
		return exitFailure
	}
	defer srv.Close()
	d := &demo{out: stdout, srv: srv, route: resolveFlag{demoHost + ":443": srv.Addr()}.dialer()}
	fmt.Fprintf(stdout, "unisocket demo: wss://%s/socket is served by the embedded server at %s\n", demoHost, srv.Addr())
	for _, step := range demoSteps {
		if err := d.run(step); err != nil {
			fmt.Fprintf(stderr, "unisocket demo: %s: %v\n", step.title, err)
			return exitFailure
		}
	}
	if err := d.runSeedScripts(); err != nil {
		fmt.Fprintf(stderr, "unisocket demo: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(stdout, "\nAll steps ran. Try `unisocket serve` and `unisocket connect` next.")
	return exitOK
}

type demo struct {
	out   io.Writer
	srv   *server.Server
	route func(ctx context.Context, network, addr string) (net.Conn, error) // www.example.com:443 to srv, as --resolve does
}

// demoStep is one scene: play connects and reports through log; it calls
// done once the scene is over.
type demoStep struct {
	title string
	note  string
	play  func(app *uni.App, url func(query string) string, log func(string, ...any), done func())
}

func (d *demo) run(step demoStep) error {
	fmt.Fprintf(d.out, "\n== %s\n   %s\n", step.title, step.note)
	app := uni.NewApp(uni.Config{
		TLSConfig:   d.srv.ClientTLSConfig(),
		DialContext: d.route,
	})
	finished := make(chan struct{})
	logf := func(format string, args ...any) {
		fmt.Fprintf(d.out, "   %s\n", fmt.Sprintf(format, args...))
	}
	url := func(query string) string {
		u := "wss://" + demoHost + "/socket"
		if query != "" {
			u += "?" + query
		}
		return u
	}
	app.Run(func() { step.play(app, url, logf, func() { close(finished) }) })
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("the scene did not finish within 30 s")
	}
	<-app.Idle()
	return nil
}

// runSeedScripts runs each example of the seed document, unchanged, in the
// JavaScript runtime: examples/seed/observed/NN.js loads observe.js, which
// logs the socket's events and closes it, then the example itself.
func (d *demo) runSeedScripts() error {
	fmt.Fprintf(d.out, "\n== The seed document's examples, unchanged, in the JavaScript runtime\n")
	fmt.Fprintf(d.out, "   Each runs as `unisocket run examples/seed/observed/NN.js` would; [observe] lines come from observe.js.\n")
	dir, err := os.MkdirTemp("", "unisocket-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.CopyFS(dir, examples.Seed); err != nil {
		return fmt.Errorf("unpacking the seed examples: %w", err)
	}
	scripts, err := fs.Glob(examples.Seed, "seed/observed/*.js")
	if err != nil {
		return err
	}
	for _, script := range scripts {
		example := "examples/seed/" + path.Base(script)
		src, err := fs.ReadFile(examples.Seed, "seed/"+path.Base(script))
		if err != nil {
			return err
		}
		fmt.Fprintf(d.out, "\n-- %s\n", example)
		for _, line := range strings.Split(strings.TrimRight(string(src), "\n"), "\n") {
			fmt.Fprintf(d.out, "   | %s\n", line)
		}
		var out lineIndenter
		out.w = d.out
		rt := js.New(js.Options{
			Config: uni.Config{TLSConfig: d.srv.ClientTLSConfig(), DialContext: d.route},
			Stdout: &out,
			Stderr: &out,
		})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = rt.RunFile(ctx, filepath.Join(dir, filepath.FromSlash(script)))
		cancel()
		out.flush()
		if err != nil {
			return fmt.Errorf("%s: %w", example, err)
		}
	}
	return nil
}

// lineIndenter indents what a script prints, line by line.
type lineIndenter struct {
	w       io.Writer
	partial []byte
}

func (l *lineIndenter) Write(p []byte) (int, error) {
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		fmt.Fprintf(l.w, "   %s\n", l.partial[:i])
		l.partial = l.partial[i+1:]
	}
}

func (l *lineIndenter) flush() {
	if len(l.partial) > 0 {
		fmt.Fprintf(l.w, "   %s\n", l.partial)
		l.partial = nil
	}
}

func errMsg(r uni.GeneralCallbackResult) string { return fmt.Sprintf("{errMsg: %q}", r.ErrMsg) }

var demoSteps = []demoStep{
	{
		title: "uni.connectSocket: success means issued, not open",
		note:  "success and complete run before connectSocket returns; onOpen comes later.",
		play: func(app *uni.App, url func(string) string, log func(string, ...any), done func()) {
			task := app.ConnectSocket(uni.ConnectSocketOptions{
				URL:       url(""),
				Header:    map[string]string{"content-type": "application/json"},
				Protocols: []string{"protocol1"},
				Method:    "GET",
				Success:   func(r uni.GeneralCallbackResult) { log("success   %s", errMsg(r)) },
				Complete:  func(r uni.GeneralCallbackResult) { log("complete  %s", errMsg(r)) },
			})
			log("connectSocket returned a SocketTask")
			task.OnOpen(func(r uni.OnOpenResult) {
				log("onOpen    {header: {Upgrade: %q, Sec-Websocket-Protocol: %q}}", r.Header.Get("Upgrade"), r.Header.Get("Sec-Websocket-Protocol"))
				task.Send(uni.SendSocketMessageOptions{
					Data:    "hello",
					Success: func(r uni.GeneralCallbackResult) { log("send      success %s", errMsg(r)) },
				})
			})
			task.OnMessage(func(r uni.OnMessageResult) {
				log("onMessage {data: %q}", r.Data)
				task.Close(uni.CloseSocketOptions{Code: 1000, Reason: "done", Success: func(r uni.GeneralCallbackResult) { log("close     success %s", errMsg(r)) }})
			})
			task.OnClose(func(r uni.OnCloseResult) {
				log("onClose   {code: %d, reason: %q}", r.Code, r.Reason)
				done()
			})
		},
	},
	{
		title: "The global API and the docs' message queue",
		note:  "uni.sendSocketMessage acts on the oldest socket; messages wait for onSocketOpen.",
		play: func(app *uni.App, url func(string) string, log func(string, ...any), done func()) {
			socketOpen := false
			var queue []string
			send := func(msg string) {
				if socketOpen {
					app.SendSocketMessage(uni.SendSocketMessageOptions{Data: msg})
				} else {
					log("queued    %q (socket not open yet)", msg)
					queue = append(queue, msg)
				}
			}
			app.ConnectSocket(uni.ConnectSocketOptions{URL: url("")})
			app.OnSocketOpen(func(uni.OnOpenResult) {
				log("uni.onSocketOpen: WebSocket连接已打开!")
				socketOpen = true
				for _, m := range queue {
					send(m)
				}
				queue = nil
			})
			n := 0
			app.OnSocketMessage(func(r uni.OnMessageResult) {
				log("uni.onSocketMessage: 收到服务器内容:%v", r.Data)
				if n++; n == 2 {
					app.CloseSocket(uni.CloseSocketOptions{})
				}
			})
			app.OnSocketClose(func(r uni.OnCloseResult) {
				log("uni.onSocketClose: WebSocket 已关闭! {code: %d}", r.Code)
				done()
			})
			send("first")
			send("second")
		},
	},
	{
		title: "The server closes with a code and reason",
		note:  "The close event carries the server's code and reason (here ?close=4001&reason=bye).",
		play: func(app *uni.App, url func(string) string, log func(string, ...any), done func()) {
			task := app.ConnectSocket(uni.ConnectSocketOptions{URL: url("close=4001&reason=bye")})
			task.OnOpen(func(uni.OnOpenResult) { log("onOpen") })
			task.OnClose(func(r uni.OnCloseResult) {
				log("onClose   {code: %d, reason: %q}", r.Code, r.Reason)
				done()
			})
		},
	},
	{
		title: "A refused handshake: error, then close 1006",
		note:  "connectSocket still succeeds (the attempt was issued); the error names the cause.",
		play: func(app *uni.App, url func(string) string, log func(string, ...any), done func()) {
			task := app.ConnectSocket(uni.ConnectSocketOptions{
				URL:     url("status=403"),
				Success: func(r uni.GeneralCallbackResult) { log("success   %s", errMsg(r)) },
			})
			task.OnError(func(r uni.OnErrorResult) {
				log("onError   {errMsg: %q}", strings.Replace(r.ErrMsg, "wss://"+demoHost+"/socket?status=403", "…", 1))
			})
			task.OnClose(func(r uni.OnCloseResult) {
				log("onClose   {code: %d, reason: %q}", r.Code, r.Reason)
				done()
			})
		},
	},
	{
		title: "Close codes and the 123-byte reason",
		note:  "Only 1000 and 3000-4999 are allowed; a refused close leaves the socket open.",
		play: func(app *uni.App, url func(string) string, log func(string, ...any), done func()) {
			task := app.ConnectSocket(uni.ConnectSocketOptions{URL: url("")})
			task.OnOpen(func(uni.OnOpenResult) {
				task.Close(uni.CloseSocketOptions{Code: 1001, Fail: func(r uni.GeneralCallbackResult) { log("close(1001) fail %s", errMsg(r)) }})
				task.Close(uni.CloseSocketOptions{Reason: strings.Repeat("x", 124), Fail: func(r uni.GeneralCallbackResult) { log("close(124-byte reason) fail %s", errMsg(r)) }})
				task.Close(uni.CloseSocketOptions{Code: 3000, Reason: "x", Success: func(r uni.GeneralCallbackResult) {
					log("close(3000) success %s, readyState %s", errMsg(r), task.ReadyState())
				}})
			})
			task.OnClose(func(r uni.OnCloseResult) {
				log("onClose   {code: %d, reason: %q}", r.Code, r.Reason)
				done()
			})
		},
	},
	{
		title: "Closing before open",
		note:  "The standard profile abandons the handshake as a browser does: ok, then error, then close 1006.",
		play: func(app *uni.App, url func(string) string, log func(string, ...any), done func()) {
			task := app.ConnectSocket(uni.ConnectSocketOptions{URL: url("delay=2s")})
			task.OnError(func(r uni.OnErrorResult) { log("onError   {errMsg: %q}", r.ErrMsg) })
			task.OnClose(func(r uni.OnCloseResult) {
				log("onClose   {code: %d, reason: %q}", r.Code, r.Reason)
				done()
			})
			app.CloseSocket(uni.CloseSocketOptions{Success: func(r uni.GeneralCallbackResult) { log("closeSocket success %s", errMsg(r)) }})
		},
	},
}
