package js_test

import (
	"context"
	"fmt"

	"github.com/unisocket/unisocket/js"
	"github.com/unisocket/unisocket/server"
)

// A uni-app script runs against the embedded test server, which echoes.
// Run returns once the socket closed and nothing else is pending.
func ExampleRuntime_Run() {
	srv, err := server.Start(server.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	rt := js.New(js.Options{}) // console.log writes to os.Stdout
	err = rt.Run(context.Background(), "chat.js", `
var task = uni.connectSocket({
  url: '`+srv.URL()+`/chat',
  complete: function () {}
});
task.onOpen(function () {
  task.send({data: 'hello'});
});
task.onMessage(function (res) {
  console.log('echo:', res.data);
  task.close({code: 4000, reason: 'done'});
});
task.onClose(function (res) {
  console.log('closed', res.code, res.reason);
});
`)
	fmt.Println("error:", err)
	// Output:
	// echo: hello
	// closed 4000 done
	// error: <nil>
}
