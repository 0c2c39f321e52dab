package uni_test

import (
	"context"
	"fmt"
	"log"

	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

// The examples mirror the code examples of uni-app's connectSocket page,
// against the embedded test server instead of wss://www.example.com/socket.

// uni.connectSocket({url, header, protocols, method}): the call returns
// before the socket opens; success only means the attempt was issued.
func ExampleApp_ConnectSocket() {
	srv, err := server.Start(server.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	app := uni.NewApp(uni.Config{})
	done := make(chan struct{})
	app.Run(func() {
		task := app.ConnectSocket(uni.ConnectSocketOptions{
			URL:       srv.URL() + "/socket",
			Header:    map[string]string{"content-type": "application/json"},
			Protocols: []string{"protocol1"},
			Method:    "GET",
			Success:   func(res uni.GeneralCallbackResult) { fmt.Println("success:", res.ErrMsg) },
		})
		fmt.Println("returned")
		task.OnOpen(func(uni.OnOpenResult) {
			fmt.Println("open, subprotocol", task.Subprotocol())
			task.Close(uni.CloseSocketOptions{})
		})
		task.OnClose(func(res uni.OnCloseResult) {
			fmt.Println("close", res.Code)
			close(done)
		})
	})
	<-done
	// Output:
	// success: connectSocket:ok
	// returned
	// open, subprotocol protocol1
	// close 1000
}

// uni.onSocketOpen and uni.onSocketError: the global listeners hear the
// oldest socket of the App.
func ExampleApp_OnSocketOpen() {
	srv, err := server.Start(server.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	app := uni.NewApp(uni.Config{})
	done := make(chan struct{})
	app.Run(func() {
		app.ConnectSocket(uni.ConnectSocketOptions{URL: srv.URL() + "/socket?close=1000"})
		app.OnSocketOpen(func(uni.OnOpenResult) { fmt.Println("WebSocket连接已打开!") })
		app.OnSocketError(func(uni.OnErrorResult) { fmt.Println("WebSocket连接打开失败,请检查!") })
		app.OnSocketClose(func(uni.OnCloseResult) { close(done) })
	})
	<-done
	// Output:
	// WebSocket连接已打开!
}

// uni.sendSocketMessage with the queue pattern of the uni-app docs: send
// only after onSocketOpen, queueing what comes earlier.
func ExampleApp_SendSocketMessage() {
	srv, err := server.Start(server.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	app := uni.NewApp(uni.Config{})
	done := make(chan struct{})
	app.Run(func() {
		socketOpen := false
		var socketMsgQueue []string
		sendSocketMessage := func(msg string) {
			if socketOpen {
				app.SendSocketMessage(uni.SendSocketMessageOptions{Data: msg})
			} else {
				socketMsgQueue = append(socketMsgQueue, msg)
			}
		}
		app.ConnectSocket(uni.ConnectSocketOptions{URL: srv.URL() + "/socket"})
		app.OnSocketOpen(func(uni.OnOpenResult) {
			socketOpen = true
			for _, msg := range socketMsgQueue {
				sendSocketMessage(msg)
			}
			socketMsgQueue = nil
		})
		received := 0
		app.OnSocketMessage(func(res uni.OnMessageResult) {
			fmt.Println("收到服务器内容:", res.Data)
			if received++; received == 2 {
				app.CloseSocket(uni.CloseSocketOptions{})
			}
		})
		app.OnSocketClose(func(uni.OnCloseResult) { close(done) })
		sendSocketMessage("first, queued")
		sendSocketMessage("second, queued")
	})
	<-done
	// Output:
	// 收到服务器内容: first, queued
	// 收到服务器内容: second, queued
}

// uni.closeSocket inside uni.onSocketOpen, as the docs advise: closing
// before the socket opened would abandon the handshake instead.
func ExampleApp_CloseSocket() {
	srv, err := server.Start(server.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	app := uni.NewApp(uni.Config{})
	done := make(chan struct{})
	app.Run(func() {
		app.ConnectSocket(uni.ConnectSocketOptions{URL: srv.URL() + "/socket"})
		app.OnSocketOpen(func(uni.OnOpenResult) {
			app.CloseSocket(uni.CloseSocketOptions{Code: 4000, Reason: "bye"})
		})
		app.OnSocketClose(func(res uni.OnCloseResult) {
			fmt.Println("WebSocket 已关闭!", res.Code, res.Reason)
			close(done)
		})
	})
	<-done
	// Output:
	// WebSocket 已关闭! 4000 bye
}

// The SocketTask form: a task is returned when a callback is passed, and
// its own listeners hear only it.
func ExampleSocketTask() {
	srv, err := server.Start(server.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	app := uni.NewApp(uni.Config{})
	done := make(chan struct{})
	app.Run(func() {
		socketTask := app.ConnectSocket(uni.ConnectSocketOptions{
			URL:      srv.URL() + "/socket",
			Complete: func(uni.GeneralCallbackResult) {},
		})
		socketTask.OnOpen(func(uni.OnOpenResult) {
			socketTask.Send(uni.SendSocketMessageOptions{Data: []byte{0xca, 0xfe}})
		})
		socketTask.OnMessage(func(res uni.OnMessageResult) {
			fmt.Printf("binary echo % x\n", res.Data)
			socketTask.Close(uni.CloseSocketOptions{})
		})
		socketTask.OnClose(func(uni.OnCloseResult) { close(done) })
	})
	<-done
	// Output:
	// binary echo ca fe
}

// The Go form replaces the Promise form: Dial waits for the socket to
// open, Write and Receive exchange messages, Shutdown closes and waits.
func ExampleApp_Dial() {
	srv, err := server.Start(server.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	ctx := context.Background()
	app := uni.NewApp(uni.Config{})
	task, err := app.Dial(ctx, uni.ConnectSocketOptions{URL: srv.URL() + "/socket"})
	if err != nil {
		log.Fatal(err)
	}
	if err := task.Write(ctx, "hello"); err != nil {
		log.Fatal(err)
	}
	msg, err := task.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("echo:", msg.Data)
	if err := task.Shutdown(ctx, 1000, ""); err != nil {
		log.Fatal(err)
	}
	// Output:
	// echo: hello
}

// A failed handshake: Dial returns the error event's errMsg.
func ExampleApp_Dial_refused() {
	srv, err := server.Start(server.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	app := uni.NewApp(uni.Config{})
	_, err = app.Dial(context.Background(), uni.ConnectSocketOptions{URL: srv.URL() + "/socket?status=403"})
	fmt.Println(err)
	// The port changes from run to run, so the output is not checked. It reads:
	//   WebSocket handshake with ws://127.0.0.1:PORT/socket?status=403 failed: server answered HTTP 403 Forbidden instead of 101
}
