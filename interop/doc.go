// Package interop tests unisocket against independent WebSocket servers:
// Node's ws (testdata/node/server.js) and Python's websockets
// (testdata/python/server.py), driven through the uni Go API.
//
// The tests carry the build tag interop, so `go test ./...` stays
// self-contained. They need the peers installed:
//
//	(cd interop/testdata/node && npm ci)
//	apt-get install -y python3-websockets   # used through /usr/bin/python3
//	go test -tags interop ./interop/...
//
// With UNISOCKET_INTEROP_RESULTS=path set, the run writes the peer ×
// feature table as Markdown to path, relative to interop/ (RESULTS.md is
// such a file); the table is also printed at the end of every run.
package interop
