package uni

// The global API acts on the oldest socket still in the App's registry,
// as uni-app's does. A socket leaves the registry at its first error or
// close event, and the next-oldest becomes the target.

// OnSocketOpen adds a global listener for the open event of the target
// socket. Every registered listener runs, after the socket's own.
func (a *App) OnSocketOpen(fn func(OnOpenResult)) {
	if !a.globalAPI("onSocketOpen") {
		return
	}
	a.mu.Lock()
	a.global.open = append(a.global.open, fn)
	a.mu.Unlock()
}

// OnSocketError adds a global listener for the error event of the target
// socket.
func (a *App) OnSocketError(fn func(OnErrorResult)) {
	if !a.globalAPI("onSocketError") {
		return
	}
	a.mu.Lock()
	a.global.err = append(a.global.err, fn)
	a.mu.Unlock()
}

// OnSocketMessage adds a global listener for messages of the target
// socket.
func (a *App) OnSocketMessage(fn func(OnMessageResult)) {
	if !a.globalAPI("onSocketMessage") {
		return
	}
	a.mu.Lock()
	a.global.message = append(a.global.message, fn)
	a.mu.Unlock()
	a.nGlobalMessage.Add(1)
}

// OnSocketClose adds a global listener for the close event of the target
// socket. A socket whose error event already removed it from the registry
// (a failed handshake) does not reach it.
func (a *App) OnSocketClose(fn func(OnCloseResult)) {
	if !a.globalAPI("onSocketClose") {
		return
	}
	a.mu.Lock()
	a.global.close = append(a.global.close, fn)
	a.mu.Unlock()
}

// SendSocketMessage sends a message on the target socket. With no target,
// or a target that is not open, it fails with
// "sendSocketMessage:fail WebSocket is not connected", even when a younger
// socket is open.
func (a *App) SendSocketMessage(opts SendSocketMessageOptions) {
	cb := opts.callbacks()
	if !a.profile.GlobalAPI {
		a.result(cb, failResult(apiSendSocketMessage, causeNoGlobalAPI))
		return
	}
	t := a.first()
	if t == nil || t.ReadyState() != StateOpen {
		a.result(cb, failResult(apiSendSocketMessage, causeNotConnected))
		return
	}
	t.send(cb, opts.Data, false)
}

// CloseSocket closes the target socket, with SocketTask.Close's rules.
// With no target it fails with "closeSocket:fail WebSocket is not
// connected".
func (a *App) CloseSocket(opts CloseSocketOptions) {
	if !a.profile.GlobalAPI {
		a.result(opts.callbacks(), failResult(apiCloseSocket, causeNoGlobalAPI))
		return
	}
	t := a.first()
	if t == nil {
		a.result(opts.callbacks(), failResult(apiCloseSocket, causeNotConnected))
		return
	}
	t.Close(opts)
}

func (a *App) globalAPI(name string) bool {
	if a.profile.GlobalAPI {
		return true
	}
	a.warnf("uni.%s: %s", name, causeNoGlobalAPI)
	return false
}
