package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"github.com/unisocket/unisocket/server"
)

// serveRole runs the servers every client talks to, in a process of their
// own so that their work and memory are not counted as the client's: the
// embedded echo server (package server, as the project's tests and
// `unisocket serve` use it) and a raw TCP echo, the floor. It prints their
// addresses as one JSON line and runs until its stdin closes.
func serveRole() int {
	srv, err := server.Start(server.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		return 1
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		return 1
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				tcpEcho(c)
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
			}()
		}
	}()
	if err := json.NewEncoder(os.Stdout).Encode(map[string]string{"WS": srv.URL(), "TCP": ln.Addr().String()}); err != nil {
		return 1
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = ln.Close()
	mu.Lock()
	for c := range conns {
		_ = c.Close()
	}
	mu.Unlock()
	wg.Wait()
	return 0
}

// tcpEcho writes back whatever it reads, in pieces as large as the
// kernel hands over (up to 1 MiB), so that it is the floor at every
// message size.
func tcpEcho(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 1<<20)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
