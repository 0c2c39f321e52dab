package uni_test

import (
	"fmt"
	"testing"

	"github.com/unisocket/unisocket/uni"
)

// TestSendResultBeforeReply pins decision 11 on a profile that reports a
// send once written: every send's success is delivered before the echo of
// its message, whatever the scheduler does. Many sends, each answered at
// once by the server, give the race many chances.
func TestSendResultBeforeReply(t *testing.T) {
	const n = 300
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("")})
		task.OnOpen(func(uni.OnOpenResult) {
			for i := range n {
				task.Send(uni.SendSocketMessageOptions{Data: fmt.Sprint(i),
					Success: func(uni.GeneralCallbackResult) { rec.add("ok %d", i) },
					Fail:    func(r uni.GeneralCallbackResult) { rec.add("fail %d %s", i, r.ErrMsg) },
				})
			}
		})
		task.OnMessage(func(r uni.OnMessageResult) {
			rec.add("echo %v", r.Data)
			if r.Data == fmt.Sprint(n-1) {
				task.Close(uni.CloseSocketOptions{})
			}
		})
	})
	rec.waitFor(t, fmt.Sprint("echo ", n-1))
	waitIdle(t, app, task)
	seen := map[string]bool{}
	for _, l := range rec.snapshot() {
		var i int
		if _, err := fmt.Sscanf(l, "echo %d", &i); err == nil && !seen[fmt.Sprint("ok ", i)] {
			t.Fatalf("the echo of message %d came before its send's success", i)
		}
		seen[l] = true
	}
	for i := range n {
		if !seen[fmt.Sprint("ok ", i)] || !seen[fmt.Sprint("echo ", i)] {
			t.Fatalf("message %d: success %v, echo %v", i, seen[fmt.Sprint("ok ", i)], seen[fmt.Sprint("echo ", i)])
		}
	}
}
