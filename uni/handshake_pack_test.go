package uni

import (
	"net/http"
	"reflect"
	"testing"
)

// TestPackHeaderRoundTrip: ResponseHeader gives back, from the packed
// form a task keeps, the header the server sent.
func TestPackHeaderRoundTrip(t *testing.T) {
	for _, h := range []http.Header{
		{},
		{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Accept": {"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}},
		{"Set-Cookie": {"a=1", "b=2: with a colon", ""}, "X-Empty": {""}, "X-Odd": {"v: w"}},
	} {
		got := unpackHeader(packHeader(h))
		if !reflect.DeepEqual(got, h) {
			t.Errorf("round trip of %v gave %v", h, got)
		}
	}
}
