// Package examples holds the seed document's code examples, byte for byte,
// and the files that watch them run (see seed/README.md), embedded so that
// `unisocket demo` can run them wherever the binary is installed.
package examples

import "embed"

// Seed holds seed/*.js (the examples as printed in uni-app's connectSocket
// page), seed/observe.js and seed/observed/*.js (each example loaded after
// observe.js, which logs its events and closes its socket).
//
//go:embed seed/*.js seed/observed/*.js
var Seed embed.FS
