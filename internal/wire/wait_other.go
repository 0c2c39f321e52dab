//go:build !unix

package wire

import "syscall"

// readIdle is never called where file descriptors cannot be read
// directly: rawConnOf returns nil, and the reader keeps its buffer.
func readIdle(syscall.RawConn) (*[]byte, int, error) {
	panic("wire: readIdle without a raw connection")
}

func rawConnOf(any) syscall.RawConn { return nil }
