// Package uni is the uni-app WebSocket API in Go: uni.connectSocket, the
// SocketTask object and the global uni.onSocket*, uni.sendSocketMessage and
// uni.closeSocket functions, with the semantics uni-app and the
// mini-program hosts give them.
//
// # The uni-app API
//
// An App is one running uni-app instance. Its methods mirror the API one
// for one:
//
//	uni.connectSocket(OBJECT)      App.ConnectSocket(ConnectSocketOptions) *SocketTask
//	SocketTask.send(OBJECT)        SocketTask.Send(SendSocketMessageOptions)
//	SocketTask.close(OBJECT)       SocketTask.Close(CloseSocketOptions)
//	SocketTask.onOpen(CALLBACK)    SocketTask.OnOpen(func(OnOpenResult)) (and OnClose, OnError, OnMessage)
//	uni.onSocketOpen(CALLBACK)     App.OnSocketOpen(func(OnOpenResult)) (and Error, Message, Close)
//	uni.sendSocketMessage(OBJECT)  App.SendSocketMessage(SendSocketMessageOptions)
//	uni.closeSocket(OBJECT)        App.CloseSocket(CloseSocketOptions)
//
// The package-level functions (ConnectSocket, OnSocketOpen, …) act on the
// default App returned by Default.
//
// The rules uni-app code depends on hold here too:
//
//   - ConnectSocket's Success means the attempt was issued, not that the
//     socket is open; Success or Fail, then Complete, run exactly once,
//     before ConnectSocket returns.
//   - Listeners run in registration order; a task's own listeners run
//     before the global ones (on the standard profile); a panicking
//     listener is reported as uni-app reports a throwing one and the
//     others still run.
//   - The global API acts on the oldest socket still in the App's
//     registry; a socket leaves it at its first error or close event.
//   - Close codes are 1000 (the default; 0 means 1000) or 3000–4999, and a
//     reason is at most 123 bytes of UTF-8; anything else fails with
//     "closeSocket:fail …" and the socket stays open.
//   - errMsg strings are uni-app's (Vue 3) byte for byte, for example
//     "sendSocketMessage:fail WebSocket is not connected".
//
// # Callbacks run one at a time
//
// All callbacks of one App run one at a time, in the order their events
// happened, as they do on uni-app's single JavaScript thread: they run on
// the App's Executor (Config.Executor; by default a goroutine that exists
// only while callbacks are pending). A socket's readyState moves as its
// events are delivered there, as a browser's does. ConnectSocket's result
// callbacks run on the caller's goroutine before it returns (on h5, so do
// those of Send and Close: platform.ResultAtCall). Code that
// connects and then adds listeners should do both inside App.Run or
// inside a listener, the Go counterpart of one JavaScript turn. The App's
// documentation says what runs where and what may block.
//
// # The Go form
//
// uni-app returns a Promise from connectSocket when no callback is given.
// Go code instead calls App.Dial, which returns once the socket is open (or
// with the error event's errMsg), then SocketTask.Receive and
// SocketTask.Write to exchange messages without callbacks, and
// SocketTask.Shutdown to close and wait.
//
// # Platforms
//
// Config.Profile chooses the platform to behave as (package platform). The
// default, platform.Standard, follows the browser's event model plus what
// native code can do (custom headers, method, onOpen({header}),
// onError({errMsg})), with no scheme, whitelist or quota limit.
package uni
