package uni

import "context"

// The package-level functions act on the default App (see Default), as
// uni-app code acts on its one app.

// ConnectSocket calls Default().ConnectSocket.
func ConnectSocket(opts ConnectSocketOptions) *SocketTask { return Default().ConnectSocket(opts) }

// Dial calls Default().Dial.
func Dial(ctx context.Context, opts ConnectSocketOptions) (*SocketTask, error) {
	return Default().Dial(ctx, opts)
}

// OnSocketOpen calls Default().OnSocketOpen.
func OnSocketOpen(fn func(OnOpenResult)) { Default().OnSocketOpen(fn) }

// OnSocketError calls Default().OnSocketError.
func OnSocketError(fn func(OnErrorResult)) { Default().OnSocketError(fn) }

// OnSocketMessage calls Default().OnSocketMessage.
func OnSocketMessage(fn func(OnMessageResult)) { Default().OnSocketMessage(fn) }

// OnSocketClose calls Default().OnSocketClose.
func OnSocketClose(fn func(OnCloseResult)) { Default().OnSocketClose(fn) }

// SendSocketMessage calls Default().SendSocketMessage.
func SendSocketMessage(opts SendSocketMessageOptions) { Default().SendSocketMessage(opts) }

// CloseSocket calls Default().CloseSocket.
func CloseSocket(opts CloseSocketOptions) { Default().CloseSocket(opts) }
