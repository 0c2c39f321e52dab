// Package interop tests unisocket against independent WebSocket servers:
// Node's ws (testdata/node/server.js), Python's websockets
// (testdata/python/server.py) and github.com/gorilla/websocket
// (gorilla_test.go, a server in the test process). All three answer the
// same paths the same way. Each feature runs against each peer twice:
// through the uni Go API (interop_test.go), and as a JavaScript script
// (testdata/js, one per feature) run by package js, whose console.log
// output is compared line for line (js_test.go).
//
// The tests carry the build tag interop, so `go test ./...` stays
// self-contained. They need the external peers installed:
//
//	(cd interop/testdata/node && npm ci)
//	apt-get install -y python3-websockets   # used through /usr/bin/python3
//	go test -tags interop ./interop/...
//
// With UNISOCKET_INTEROP_RESULTS=path set, the run writes the peer ×
// feature table as Markdown to path, relative to interop/ (RESULTS.md is
// such a file); the table is also printed at the end of every run.
package interop
