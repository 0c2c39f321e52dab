// Package soak holds unisocket's fault soak and its memory checks: tests
// that run many clients, through the uni Go API and through uni-app
// scripts in the js runtime, against the embedded test server (package
// server) on 127.0.0.1, while the server drops, resets, closes with random
// codes, stalls, rejects and hangs handshakes, floods and reads slowly.
// The package has no API; everything is in its tests.
//
// # What is checked
//
// TestSoak runs Go clients (-soak.conns, sharing a few uni.Apps) and
// JavaScript runtimes (-soak.js, each running testdata/client.js in several
// chains) that connect, talk and reconnect until the soak's time is up,
// each connection with a randomly drawn plan (plan_test.go lists the
// scenarios). It checks:
//
//   - every send gets exactly one result, success or fail, and one
//     complete; so does every close call;
//   - no message is duplicated, lost in the middle or reordered: payloads
//     carry sequence numbers that the server echoes, and the echoes must
//     come 1, 2, 3… after the server's own messages, which must also come
//     in order; a message the server echoed must have reported success;
//     when the server closes or drops after N echoes, exactly N arrive;
//   - every task gets exactly one close event (and one error event before
//     a close with 1006), with the close code the scenario implies;
//   - once every client has finished and the server has let go, no socket
//     is left in an App's registry, the live heap is back within 100 bytes
//     per connection (plus 2 MiB of one-time caches) of where it was, with
//     the Apps still alive, and no goroutine is left (goleak).
//
// Any line an App logs (a panicking listener, an ignored option) counts as
// a violation too. At the end the test logs its counts: connections,
// sends and their results, echoes, close codes, scenarios. Run it with -v
// to see them when it passes.
//
// TestNoRetainedMemory makes 3,000 connections of each way a connection can
// end (clean close, server close, drop, reset, over the read limit,
// connect timeout, close timeout, abort, rejected handshake) and checks
// that the live heap after two garbage collections is within 100 bytes per
// connection of where it was before them: it counts bytes, never time.
// BenchmarkRetainedMemory reports the same figure per kind as
// retained-B/conn; run it with -benchtime 3000x (with fewer connections
// the heap's noise dominates):
//
//	go test ./internal/soak/ -run '^$' -bench RetainedMemory -benchtime 3000x
//
// TestNoCrossTalkBetweenConnections is the soak's sharpest finding made
// small: rejected handshakes, dropped connections and clean ones at once
// on one App; no connection may find its TCP connection closed under it
// by another connection's end.
//
// The memory tests' clients reset their TCP connections when they close
// them (SO_LINGER 0), so that tens of thousands of connections in seconds
// do not fill the machine's ephemeral ports with TIME_WAIT sockets; the
// heap a connection leaves does not depend on it. The soak's clients do
// the same.
//
// # Running the soak
//
// go test ./... runs TestSoak for 35 s, 15 s under -race, and 5 s with
// -short. Its flags go after the package path, written -flag=value:
//
//	go test ./internal/soak/ -run TestSoak -v                   # 35 s
//	go test ./internal/soak/ -run TestSoak -v -soak.seed=12345  # replay a seed
//
// The seed is logged at the start. The same seed draws the same plans for
// every client, in the same order; the timing of a run, and so how many
// connections it makes, still varies.
//
// The long version, for release checks, is the five-minute soak
// with 200 connections, or longer (-timeout must exceed -soak):
//
//	go test ./internal/soak/ -run TestSoak -v -timeout=30m -soak=10m -soak.conns=200 -soak.js=4
//	go test -race ./internal/soak/ -run TestSoak -v -timeout=30m -soak=10m -soak.conns=200
//
// Floods and bursts are modest by default (-soak.flood=200 messages of up
// to -soak.floodsize=2048 bytes, bursts of -soak.burst=100 messages) so
// that the soak passes while the clients' receive and send queues have no
// bound; raise them to soak those bounds once they exist.
package soak
