package js

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/unisocket/unisocket/uni"
)

// The seed document's code examples, in examples/seed, run unchanged over
// wss:// against the embedded server, their host www.example.com routed to
// it as `unisocket run --resolve` routes it.

const seedDir = "../examples/seed"

// seedSums are the SHA-256 sums of the examples as copied from uni-app's
// connectSocket page (examples/seed/README.md), checked once against the
// page's text when they were copied. An edit to an example, however small,
// fails TestJSSeedExamplesAreVerbatim: they must stay the page's bytes.
var seedSums = map[string]string{
	"01_connectSocket.js":      "9b9350dadb71f9a4356d16693650d2ff87b1c4ba86b4d01be9e5b0dad1779b5d",
	"02_connectSocket_task.js": "f995cbd214b16d56fc2e4e1771b282f27e3195ff5b11c19ad625cbb52acf17da",
	"03_onSocketOpen.js":       "23690bcf9ac8b7ef65818c82dcef6b0110246ca2f6ad2f78c2ff24efb4bdf8cb",
	"04_onSocketError.js":      "7d705d0bc83c3d2b0050fff8092a50f8eb7eaf49312b63911252bf2bb70d1735",
	"05_sendSocketMessage.js":  "d95bede887a12b23a9b10ebda2bb4a461c64e2abe2559dce1e9fb5d87a0abb18",
	"06_onSocketMessage.js":    "1ced2896a77baaa82173bf460cfca3dda7d36bbc6cdb47d48c0d21c957e084e6",
	"07_onSocketClose.js":      "257d447c475f95bb8e9d350f930238bc640372ccd022fc1d709f02fdf7f770a4",
}

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
	if len(seedSums) != len(seedExamples) {
		t.Fatalf("%d sums for %d examples", len(seedSums), len(seedExamples))
	}
	for _, ex := range seedExamples {
		src, err := os.ReadFile(filepath.Join(seedDir, ex.file))
		if err != nil {
			t.Fatal(err)
		}
		if sum := fmt.Sprintf("%x", sha256.Sum256(src)); sum != seedSums[ex.file] {
			t.Errorf("%s changed (sha256 %s, want %s): the seed examples are uni-app's page byte for byte", ex.file, sum, seedSums[ex.file])
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
