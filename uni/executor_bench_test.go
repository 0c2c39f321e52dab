package uni

import "testing"

// BenchmarkDispatch measures the default Executor alone: the cost of
// queueing one callback and running it on the drain goroutine.
//
//   - burst: callbacks queued back to back, run in batches by one drain
//     goroutine (a socket receiving faster than its listeners run);
//   - one-by-one: each callback waited for before the next is queued, so
//     the queue empties every time and the next event starts a drain
//     goroutine again (a socket whose messages arrive one at a time).
func BenchmarkDispatch(b *testing.B) {
	b.Run("burst", func(b *testing.B) {
		var q queueExecutor
		count := 0
		fn := func() { count++ }
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			q.Execute(fn)
		}
		done := make(chan struct{})
		q.Execute(func() { close(done) })
		<-done
		if count != b.N {
			b.Fatalf("ran %d callbacks, want %d", count, b.N)
		}
	})
	b.Run("one-by-one", func(b *testing.B) {
		var q queueExecutor
		done := make(chan struct{}, 1)
		fn := func() { done <- struct{}{} }
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			q.Execute(fn)
			<-done
		}
	})
}
