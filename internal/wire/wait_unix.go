//go:build unix

package wire

import (
	"io"
	"os"
	"syscall"
)

// readIdle waits for bytes on an idle connection without holding a
// buffer, then reads them into a pooled one: a parked reader costs its
// goroutine and nothing more. The read is tried first, because the
// runtime's poller reports only new data: bytes already waiting would
// never wake a wait.
func readIdle(rc syscall.RawConn) (*[]byte, int, error) {
	var (
		b    *[]byte
		n    int
		rerr error
	)
	err := rc.Read(func(fd uintptr) bool {
		b = readBufPool.Get().(*[]byte)
		for {
			n, rerr = syscall.Read(int(fd), *b)
			if rerr != syscall.EINTR {
				break
			}
		}
		if rerr == syscall.EAGAIN {
			readBufPool.Put(b)
			b = nil
			return false
		}
		return true
	})
	switch {
	case err != nil:
	case rerr != nil:
		err = os.NewSyscallError("read", rerr)
	case n <= 0:
		err = io.EOF
	}
	if err != nil {
		if b != nil {
			readBufPool.Put(b)
		}
		return nil, 0, err
	}
	return b, n, nil
}

// rawConnOf returns the connection's file descriptor access, for
// readIdle, when it is a plain TCP connection.
func rawConnOf(c any) syscall.RawConn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
