package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/coder/websocket"

	"github.com/unisocket/unisocket/server"
)

// A server on a free loopback port; the query asks it to send two messages
// and then close with code 4000.
func ExampleStart() {
	srv, err := server.Start(server.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, srv.URL()+"/chat?send=2&close=4000&reason=bye", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseNow()
	for range 10 {
		_, p, err := c.Read(ctx)
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			fmt.Println("closed:", int(ce.Code), ce.Reason)
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(p))
	}
	// Output:
	// message 1
	// message 2
	// closed: 4000 bye
}

// A wss:// server, and a client that trusts its self-signed certificate.
func ExampleStart_tls() {
	srv, err := server.Start(server.Options{TLS: true})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	tr := &http.Transport{TLSClientConfig: srv.ClientTLSConfig()}
	defer tr.CloseIdleConnections()
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, srv.URL(), &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte("hello over TLS")); err != nil {
		log.Fatal(err)
	}
	_, p, err := c.Read(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(srv.URL(), "wss://127.0.0.1:"), string(p))
	// Output: true hello over TLS
}

// The behaviours mounted on an httptest.Server; inspect=1 shows what the
// server saw of the handshake.
func ExampleNewHandler() {
	h := server.NewHandler(nil)
	ts := httptest.NewServer(h)
	defer ts.Close()
	defer h.(io.Closer).Close() // cut the connections the handler took over

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, ts.URL+"/room/1?inspect=1", &websocket.DialOptions{
		HTTPHeader:   http.Header{"X-Token": {"secret"}},
		Subprotocols: []string{"chat"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseNow()
	_, p, err := c.Read(ctx)
	if err != nil {
		log.Fatal(err)
	}
	var req server.HandshakeRequest
	if err := json.Unmarshal(p, &req); err != nil {
		log.Fatal(err)
	}
	fmt.Println(req.Method, req.Path, req.Query, req.Header.Get("X-Token"), req.Subprotocols, c.Subprotocol())
	// Output: GET /room/1 inspect=1 secret [chat] chat
}
