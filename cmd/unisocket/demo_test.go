package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestDemoRunsEveryScene(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"demo"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("demo exited %d; stderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"success   {errMsg: \"connectSocket:ok\"}\n   complete  {errMsg: \"connectSocket:ok\"}\n   connectSocket returned a SocketTask\n   onOpen",
		`onMessage {data: "hello"}`,
		`onClose   {code: 1000, reason: "done"}`,
		"uni.onSocketMessage: 收到服务器内容:first\n   uni.onSocketMessage: 收到服务器内容:second",
		`onClose   {code: 4001, reason: "bye"}`,
		`server answered HTTP 403 Forbidden instead of 101"}` + "\n" + `   onClose   {code: 1006, reason: ""}`,
		"close(1001) fail",
		"close(124-byte reason) fail",
		`onClose   {code: 3000, reason: "x"}`,
		"closeSocket success {errMsg: \"closeSocket:ok\"}\n   onError   {errMsg: \"WebSocket is closed before the connection is established.\"}\n   onClose   {code: 1006, reason: \"\"}",
		"-- examples/seed/01_connectSocket.js",
		"-- examples/seed/04_onSocketError.js\n",
		"   [observe] open\n   [observe] message: probe\n   收到服务器内容:probe\n   [observe] close: code 1000, reason observed",
		"   [observe] open\n   [observe] close: code 1000\n   WebSocket 已关闭!",
		"All steps ran.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q\n--- output:\n%s", want, out)
		}
	}
}

func TestDemoRejectsArguments(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"demo", "extra"}, &stdout, &stderr); code != exitUsage {
		t.Fatalf("demo extra exited %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr.String(), `unexpected argument "extra"`) {
		t.Fatalf("stderr = %q", stderr.String())
	}
}
