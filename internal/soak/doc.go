// Package soak holds unisocket's fault soak and its memory checks: tests
// that run many clients against the embedded test server (package server)
// on 127.0.0.1 while the server drops, resets, closes with random codes,
// stalls, floods and reads slowly, and check the invariants the rest of
// the project relies on.
package soak
