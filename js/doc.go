// Package js runs unchanged uni-app and WeChat mini-program socket code in
// Go. It embeds the goja JavaScript engine with an event loop and installs
// the globals `uni` and `wx`, both backed by one uni.App, so a script written
// for the phone runs headlessly: in tests, in CI, as a bot.
//
//	rt := js.New(js.Options{Config: uni.Config{TLSConfig: tlsConf}})
//	err := rt.RunFile(ctx, "socket-demo.js")
//
// # The JavaScript world
//
// Globals: uni, wx, console (log/info/debug to Stdout; warn/error/trace/
// assert to Stderr; values formatted roughly as Node's util.inspect does),
// setTimeout, setInterval, clearTimeout, clearInterval, queueMicrotask,
// require, module, exports, __filename, __dirname, global and globalThis.
// Every file, the main one included, is a CommonJS module: top-level
// declarations are local to it, and require() loads relative .js and .json
// files (cached, cycles return the partial exports, as Node does).
//
// uni: connectSocket, onSocketOpen, onSocketError, onSocketMessage,
// onSocketClose, sendSocketMessage, closeSocket, arrayBufferToBase64 and
// base64ToArrayBuffer. wx has the same members; wx.connectSocket always
// returns the SocketTask, as WeChat's does.
//
// uni.connectSocket returns the SocketTask when any of success, fail or
// complete is a function, and otherwise a Promise of {errMsg:
// 'connectSocket:ok'} (rejected with the fail result), exactly as uni-app
// does: in that form the task is unreachable and the global API is the way
// to use the socket. uni.sendSocketMessage and uni.closeSocket (and their wx
// twins) take the same Promise form; the onSocket* functions never do.
//
// A SocketTask has send, close, onOpen, onClose, onError, onMessage, a
// readyState getter and the constants CONNECTING, OPEN, CLOSING and CLOSED,
// plus, as an extension uni-app lacks, the browser's bufferedAmount getter
// (bytes given to send and not yet written; see
// uni.SocketTask.BufferedAmount and uni.Config.MaxBufferedAmount).
// Event payloads are plain objects: open {header} (header names in Go's
// canonical form, e.g. "Sec-Websocket-Protocol", since the HTTP layer
// canonicalises them; several values of one header are joined with ", "),
// close {code, reason}, error {errMsg}, message {data}. Profiles whose
// payloads are empty (platform.Profile OpenHeader, ErrorMessage) give {}.
// Binary messages arrive as ArrayBuffer; send accepts strings, ArrayBuffers,
// typed arrays and DataViews (the viewed bytes are sent).
//
// # Event loop and ordering
//
// All JavaScript runs on the goroutine that called Run. The loop is the
// App's uni.Executor: the App's events and call results are queued to it
// from the sockets' goroutines, never blocking them, and package uni runs
// every listener and result as a turn of the loop. The binding converts
// values and decides nothing: readyState, the global target, listener
// order and every errMsg are package uni's. A socket's readyState changes
// when its events reach JavaScript (and to CLOSING when close is called),
// as in a browser, so code that sends before onOpen fails the same way
// every time, however fast the server is.
//
// The script ends when nothing is pending: no timer, no socket that has not
// reported its close (or, on profiles that report a failed handshake with an
// error alone, its error), no API call waiting for its result. Run returns
// then. A context that ends first stops the script: Run returns a
// *PendingError saying what was still pending, after closing its sockets.
//
// # Errors
//
// An exception thrown by a socket listener is reported as uni-app H5
// reports it ("thirdScriptError\n<err>;at socketTask.onOpen callback
// function", then the error with its stack) and the other listeners and the
// loop go on. One thrown by success, fail or complete is reported with
// console.error, as uni-app's wrapper does. One thrown by a timer callback
// is reported as a browser reports it ("Uncaught <error>"); an unhandled
// Promise rejection as "Uncaught (in promise) <reason>". None of these stops
// the loop, as none stops the phone's app, but Run then returns a
// *ReportedError so a test or CI job notices. An exception thrown while the
// main module itself runs (a syntax error included) ends the script at once:
// Run returns a *ScriptError with the file:line:column and the stack.
//
// Arguments of the wrong type fail as uni-app's validating (Vue 2)
// framework fails them, e.g. "connectSocket:fail parameter `url`. Expected
// String with value "123", got Number with value 123."; onSocket* and
// SocketTask.on* throw `Invalid args: type check failed for args
// "callback". Expected Function` as uni-app Vue 3 does. Every other errMsg
// comes from package uni unchanged.
package js
