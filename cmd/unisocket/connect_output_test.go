package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func connectTestOutput(decorated bool) (*connectOutput, *bytes.Buffer, *bytes.Buffer) {
	var out, diag bytes.Buffer
	return &connectOutput{
		out: &out, diag: &diag, decorated: decorated,
		now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC) },
	}, &out, &diag
}

func TestConnectOutputPlain(t *testing.T) {
	o, out, diag := connectTestOutput(false)
	o.received("text as it is\x1b[31m")
	o.received([]byte{0xca, 0xfe})
	o.sent("not shown")
	o.base64, o.timestamps = true, true
	o.received([]byte("hi"))
	o.event(connectColorClose, "closed by the server: code %d", 4000)
	o.errorf("error: %s", "lost")
	if got, want := out.String(), "text as it is\x1b[31m\ncafe\n03:04:05.006 aGk=\n"; got != want {
		t.Errorf("out = %q, want %q", got, want)
	}
	if got, want := diag.String(), "03:04:05.006 * closed by the server: code 4000\n03:04:05.006 unisocket connect: error: lost\n"; got != want {
		t.Errorf("diag = %q, want %q", got, want)
	}
}

func TestConnectOutputDecorated(t *testing.T) {
	o, out, diag := connectTestOutput(true)
	o.received("evil\x1b]0;title\x07 \xff ok")
	o.sent([]byte("Hi\x00"))
	o.json = true
	o.received(`{"a":[1,2]}`)
	o.received(`not {json`)
	o.timestamps = true
	o.received("line 1\nline 2")
	o.color = true
	o.errorf("boom")
	want := `< evil\x1b]0;title\a \xff ok
> binary, 3 bytes
  00000000: 4869 00                                  Hi.
< {
    "a": [
      1,
      2
    ]
  }
< not {json
03:04:05.006 < line 1
               line 2
` + "\x1b[31m03:04:05.006 ! boom\x1b[0m\n"
	if got := out.String(); got != want {
		t.Errorf("out =\n%s\nwant\n%s", got, want)
	}
	if diag.Len() != 0 {
		t.Errorf("decorated output wrote to diag: %q", diag)
	}
}

func TestConnectOutputDumpLimit(t *testing.T) {
	o, out, _ := connectTestOutput(true)
	o.received(make([]byte, connectDumpLimit+5))
	s := out.String()
	if !strings.HasPrefix(s, "< binary, 4101 bytes\n") || !strings.HasSuffix(s, "\n  … 5 more bytes\n") ||
		strings.Count(s, "\n") != connectDumpLimit/16+2 {
		t.Errorf("a large binary message is not cut: %d lines, ends %q", strings.Count(s, "\n"), s[len(s)-40:])
	}
}

func TestConnectDecodeInput(t *testing.T) {
	for _, tc := range []struct {
		mode connectInputMode
		in   string
		want any
		err  string
	}{
		{connectInputText, " as is ", " as is ", ""},
		{connectInputHex, "48 65 6C6c 6f", []byte("Hello"), ""},
		{connectInputHex, "0xcafe", []byte{0xca, 0xfe}, ""},
		{connectInputHex, "", []byte{}, ""},
		{connectInputHex, "abc", nil, "not hex"},
		{connectInputBase64, "aGk=", []byte("hi"), ""},
		{connectInputBase64, "aGk", []byte("hi"), ""},
		{connectInputBase64, "-_8", []byte{0xfb, 0xff}, ""},
		{connectInputBase64, "!!", nil, "not base64"},
	} {
		got, err := tc.mode.decode(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("decode(%q) error %v, want %q", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("decode(%q): %v", tc.in, err)
		default:
			if gb, ok := got.([]byte); ok {
				if wb, _ := tc.want.([]byte); !bytes.Equal(gb, wb) {
					t.Errorf("decode(%q) = %x, want %x", tc.in, gb, wb)
				}
			} else if got != tc.want {
				t.Errorf("decode(%q) = %q, want %q", tc.in, got, tc.want)
			}
		}
	}
}

func TestConnectParseHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"localhost:8080/x":     "ws://localhost:8080/x",
		"wss://example.com":    "wss://example.com",
		"WS://Example.com/?q=": "WS://Example.com/?q=",
	} {
		if got, err := connectNormalizeURL(in); err != nil || got != want {
			t.Errorf("connectNormalizeURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"https://x", "ftp://x", "ws://:80/", "ws:///path"} {
		if _, err := connectNormalizeURL(bad); err == nil {
			t.Errorf("connectNormalizeURL(%q) accepted it", bad)
		}
	}

	cfg := connectConfig{headers: []string{"X-A: 1", "x-a:2", "Host: h", "Empty:"}}
	got := cfg.headerMap()
	if len(got) != 3 || got["X-A"] != "1, 2" || got["Host"] != "h" || got["Empty"] != "" {
		t.Errorf("headerMap = %q", got)
	}

	var w connectWait
	for in, want := range map[string]time.Duration{"2": 2 * time.Second, "0.5": 500 * time.Millisecond, "750ms": 750 * time.Millisecond, "0": 0} {
		if err := w.Set(in); err != nil || w.d != want || !w.set {
			t.Errorf("-w %s = %v, %v; want %v", in, w.d, err, want)
		}
	}
	for _, bad := range []string{"-1", "soon", "-2s"} {
		if err := w.Set(bad); err == nil {
			t.Errorf("-w %s accepted", bad)
		}
	}
}

func TestConnectComplete(t *testing.T) {
	for _, tc := range []struct {
		line string
		pos  int
		want string
		ok   bool
	}{
		{"/cl", 3, "/close ", true},
		{"/b", 2, "", false}, // /binary and /base64
		{"/bi", 3, "/binary ", true},
		{"/clo 4000", 4, "/close 4000", true},
		{"hello", 5, "", false},
		{"/close 40", 9, "", false},
	} {
		got, pos, ok := connectComplete(tc.line, tc.pos, '\t')
		if ok != tc.ok || (ok && (got != tc.want || pos != len(strings.Fields(tc.want)[0])+1)) {
			t.Errorf("complete(%q) = %q, %d, %v; want %q, %v", tc.line, got, pos, ok, tc.want, tc.ok)
		}
	}
	if _, _, ok := connectComplete("/cl", 3, 'x'); ok {
		t.Error("a key other than Tab completed")
	}
}

func TestConnectHistory(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir()) // os.UserCacheDir on macOS
	h := connectOpenHistory()
	if h == nil || h.Len() != 0 {
		t.Fatalf("fresh history: %v", h)
	}
	for _, e := range []string{"one", "two", "two", "", " secret", "three"} {
		h.Add(e)
	}
	h.close()
	if h.Len() != 3 || h.At(0) != "three" || h.At(2) != "one" {
		t.Errorf("history = %q", h.entries)
	}
	path, _ := connectHistoryPath()
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "one\ntwo\nthree\n" {
		t.Errorf("history file = %q, %v", data, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, %v; want 0600", fi.Mode(), err)
	}

	// A long file is cut to connectHistoryMax lines, the newest.
	var sb strings.Builder
	for i := range 2*connectHistoryMax + 10 {
		sb.WriteString("line " + strings.Repeat("x", i%3) + "\n")
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	h = connectOpenHistory()
	h.Add("new")
	h.close()
	if h.Len() != connectHistoryMax || h.At(0) != "new" {
		t.Errorf("len %d, newest %q", h.Len(), h.At(0))
	}
	data, _ = os.ReadFile(path)
	if n := strings.Count(string(data), "\n"); n != connectHistoryMax+1 {
		t.Errorf("compacted file has %d lines, want %d", n, connectHistoryMax+1)
	}
}
