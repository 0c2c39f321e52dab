// Package fidelity measures unisocket's h5 profile against uni-app's real
// H5 socket code, and its standard profile's transport events against the
// browser's WebSocket, in headless Chromium.
//
// It is a separate module (like bench/), so chromedp never enters the
// library's import graph, and its tests carry the build tag browser:
//
//	(cd fidelity && npm ci)                 # @dcloudio/uni-h5, esbuild (pinned)
//	apt-get install -y chromium              # Debian's Chromium, /usr/bin/chromium
//	(cd fidelity && go test -tags browser ./...)
//
// Every scenario in scenarios/ runs twice per uni-h5 build (development
// and production): in Chromium, on a page that loads uni-h5 bundled with
// esbuild behind the global registration a uni-app H5 build generates,
// and under `unisocket run --platform h5`. Every script in transport/
// runs with the browser's own WebSocket and under `unisocket run
// --platform standard`. Both worlds talk to one embedded test server
// (package server) on 127.0.0.1, and their console output is compared
// line by line. differences.json lists every difference that is known,
// with its class; the test fails on any other, and on a listed one that
// no longer occurs. README.md says how to read the diff.
package fidelity
