package uni_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unisocket/unisocket/uni"
)

// A server that never reads: sends pile up in the socket's queue only up
// to Config.MaxBufferedAmount; the rest fail at once with a clear errMsg,
// none vanishes, and bufferedAmount says how much waits.
func TestSendQueueIsBounded(t *testing.T) {
	p := newPeer(t)
	const (
		max  = 256 << 10
		size = 1 << 10
		n    = 20000 // 20 MiB offered: far more than TCP buffers and the bound
	)
	app := newApp(t, uni.Config{MaxBufferedAmount: max})
	task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url("mute=1")})
	if err != nil {
		t.Fatal(err)
	}
	var ok, full, other atomic.Int32
	var firstFull atomic.Value
	payload := strings.Repeat("z", size)
	for i := 0; i < n; i++ {
		task.Send(uni.SendSocketMessageOptions{
			Data:    payload,
			Success: func(uni.GeneralCallbackResult) { ok.Add(1) },
			Fail: func(r uni.GeneralCallbackResult) {
				if strings.HasPrefix(r.ErrMsg, "sendSocketMessage:fail the send buffer is full: ") {
					full.Add(1)
					firstFull.CompareAndSwap(nil, r.ErrMsg)
				} else {
					other.Add(1)
				}
			},
		})
		if b := task.BufferedAmount(); b > max {
			t.Fatalf("bufferedAmount %d after send %d, over the bound %d", b, i, max)
		}
	}
	if full.Load() == 0 {
		// Results may still be queued; wait for the callbacks so far.
		waitChan(t, app.Idle())
	}
	if full.Load() == 0 {
		t.Fatalf("no send was refused: %d ok, %d other failures", ok.Load(), other.Load())
	}
	b := task.BufferedAmount()
	if b == 0 || b > max {
		t.Fatalf("bufferedAmount %d with a server that never reads, want 1..%d", b, max)
	}
	t.Logf("%d written, %d refused, %d bytes queued; %s", ok.Load(), full.Load(), b, firstFull.Load())

	// Write, the Go form, is refused the same way while the queue is full.
	// The kernel may still take some of the queue between the filling and
	// the Write (its buffers grow), hence a bounded number of tries.
	var werr error
	for try := 0; try < 100; try++ {
		for task.BufferedAmount()+size <= max {
			task.Send(uni.SendSocketMessageOptions{Data: payload})
		}
		if werr = task.Write(context.Background(), payload); werr != nil {
			break
		}
	}
	var bf *uni.ErrBufferFull
	if !errors.As(werr, &bf) || bf.Max != max {
		t.Fatalf("Write with a full queue = %v, want an *ErrBufferFull with Max %d", werr, max)
	}

	// Every send gets its result: the queued ones fail when the socket goes.
	task.Abort()
	waitChan(t, task.Done())
	deadline := time.After(safetyNet)
	for ok.Load()+full.Load()+other.Load() < n {
		select {
		case <-app.Idle():
		case <-deadline:
			t.Fatalf("%d ok + %d refused + %d failed != %d sent", ok.Load(), full.Load(), other.Load(), n)
		}
	}
	if got := task.BufferedAmount(); got != 0 {
		t.Fatalf("bufferedAmount %d once closed, want 0", got)
	}
}

func waitChan(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(safetyNet):
		t.Fatal("not done within the safety net")
	}
}
