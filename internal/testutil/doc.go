// Package testutil holds helpers that tests of several packages share:
// an HTTP CONNECT and SOCKS5 proxy on loopback (Proxy) and an output
// buffer a test can read and wait on while another goroutine writes it
// (Buffer). Only tests import it.
package testutil
