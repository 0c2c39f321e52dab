package js

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/unisocket/unisocket/uni"
)

// The seed document's code examples, in examples/seed, run unchanged over
// wss:// against the embedded server, their host www.example.com routed to
// it as `unisocket run --resolve` routes it.

const (
	seedDir = "../examples/seed"
	// seedDoc is the document the examples come from, where the
	// repository's shared folder sits beside it; the byte-for-byte check
	// is skipped elsewhere.
	seedDoc = "../../shared/seed/000_b49b1dec7822d74a.txt"
)

var seedExamples = []struct {
	file string
	// asIs is the output of the example run unchanged, the harness
	// closing the socket from Go once it opened (most examples never
	// close it themselves).
	asIs string
	// observed is the output with observe.js watching (observed/FILE).
	observed string
}{
	{"01_connectSocket.js", "", lines(
		"[observe] open (subprotocol protocol1)",
		"[observe] message: probe",
		"[observe] close: code 1000, reason observed")},
	{"02_connectSocket_task.js", "", lines(
		"[observe] open",
		"[observe] message: probe",
		"[observe] close: code 1000, reason observed")},
	{"03_onSocketOpen.js", lines("WebSocket连接已打开!"), lines(
		"[observe] open",
		"WebSocket连接已打开!",
		"[observe] message: probe",
		"[observe] close: code 1000, reason observed")},
	{"04_onSocketError.js", lines("WebSocket连接已打开!"), lines(
		"[observe] open",
		"WebSocket连接已打开!",
		"[observe] message: probe",
		"[observe] close: code 1000, reason observed")},
	{"05_sendSocketMessage.js", "", lines(
		"[observe] open",
		"[observe] message: probe",
		"[observe] close: code 1000, reason observed")},
	{"06_onSocketMessage.js", "", lines(
		"[observe] open",
		"[observe] message: probe",
		"收到服务器内容:probe",
		"[observe] close: code 1000, reason observed")},
	{"07_onSocketClose.js", lines("WebSocket 已关闭!"), lines(
		"[observe] open",
		"[observe] close: code 1000",
		"WebSocket 已关闭!")},
}

func TestJSSeedExamplesAreVerbatim(t *testing.T) {
	doc, err := os.ReadFile(seedDoc)
	if err != nil {
		t.Skipf("seed document not available: %v", err)
	}
	for _, ex := range seedExamples {
		src, err := os.ReadFile(filepath.Join(seedDir, ex.file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(doc, src) {
			t.Errorf("%s is not a verbatim excerpt of the seed document", ex.file)
		}
		if !bytes.Contains(src, []byte("'wss://www.example.com/socket'")) {
			t.Errorf("%s does not use the placeholder URL", ex.file)
		}
	}
}

func TestJSSeedExamples(t *testing.T) {
	e := newTLSEnv(t)
	for _, ex := range seedExamples {
		t.Run(ex.file, func(t *testing.T) {
			t.Parallel()
			t.Run("as is", func(t *testing.T) {
				res := e.runFile(filepath.Join(seedDir, ex.file), runOpts{before: func(rt *Runtime) {
					app := rt.App()
					// Added before the script's listeners, so it runs first;
					// the script's listeners still see the open event.
					app.OnSocketOpen(func(uni.OnOpenResult) {
						app.CloseSocket(uni.CloseSocketOptions{Reason: "harness"})
					})
				}})
				res.ok(t, ex.asIs)
			})
			t.Run("observed", func(t *testing.T) {
				e.runFile(filepath.Join(seedDir, "observed", ex.file), runOpts{}).ok(t, ex.observed)
			})
		})
	}
}
