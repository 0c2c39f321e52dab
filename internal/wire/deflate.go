package wire

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// permessage-deflate (RFC 7692) with compress/flate.
//
// The offer is "permessage-deflate; client_max_window_bits": the server may
// then ask for a smaller client window, or for no context takeover on
// either side. compress/flate always compresses with a 32 KiB window, so
// a smaller client window is honoured by compressing each message on its
// own with a window the message fits in, and otherwise by sending the
// message uncompressed (RFC 7692 allows either).

const deflateOffer = "permessage-deflate; client_max_window_bits"

// deflateTail ends every compressed message on the wire, and is left out
// (RFC 7692 7.2.1).
var deflateTail = []byte{0x00, 0x00, 0xff, 0xff}

// deflate is a connection's negotiated permessage-deflate state.
type deflate struct {
	serverNoTakeover bool // each server message is inflated on its own
	clientNoTakeover bool // each client message is compressed on its own
	clientWindow     int  // the client's largest window, in bytes

	fw   *flate.Writer // kept between messages with context takeover
	sink sliceWriter
	dict []byte // the last 32 KiB the server sent, for its context takeover
}

// parseDeflate reads the server's answer to the offer. It returns nil when
// the extension was not accepted, and an error when the answer is not one
// the offer allows.
func parseDeflate(h http.Header, offered bool) (*deflate, error) {
	var d *deflate
	for _, v := range h.Values("Sec-WebSocket-Extensions") {
		for _, ext := range strings.Split(v, ",") {
			params := strings.Split(ext, ";")
			name := strings.TrimSpace(params[0])
			if name == "" {
				continue
			}
			if !strings.EqualFold(name, "permessage-deflate") || !offered {
				return nil, fmt.Errorf("server accepted extension %q, which was not offered", name)
			}
			if d != nil {
				return nil, errors.New("server accepted permessage-deflate twice")
			}
			d = &deflate{clientWindow: 1 << 15}
			seen := map[string]bool{}
			for _, p := range params[1:] {
				key, val, hasVal := strings.Cut(strings.TrimSpace(p), "=")
				key = strings.ToLower(strings.TrimSpace(key))
				val = strings.Trim(strings.TrimSpace(val), `"`)
				if seen[key] {
					return nil, fmt.Errorf("server repeated permessage-deflate parameter %s", key)
				}
				seen[key] = true
				switch key {
				case "server_no_context_takeover":
					d.serverNoTakeover = true
				case "client_no_context_takeover":
					d.clientNoTakeover = true
				case "server_max_window_bits", "client_max_window_bits":
					bits, err := strconv.Atoi(val)
					if !hasVal || err != nil || bits < 8 || bits > 15 {
						return nil, fmt.Errorf("server sent permessage-deflate parameter %s=%q (want 8 to 15)", key, val)
					}
					if key == "client_max_window_bits" {
						d.clientWindow = 1 << bits
					}
				default:
					return nil, fmt.Errorf("server sent unknown permessage-deflate parameter %q", key)
				}
				if hasVal && (key == "server_no_context_takeover" || key == "client_no_context_takeover") {
					return nil, fmt.Errorf("server gave permessage-deflate parameter %s a value", key)
				}
			}
		}
	}
	return d, nil
}

var (
	flateReaders = sync.Pool{New: func() any { return flate.NewReader(nil) }}
	flateWriters = sync.Pool{New: func() any {
		w, _ := flate.NewWriter(nil, flate.BestSpeed)
		return w
	}}
)

// errInflateLimit says an inflated message went over the read limit.
var errInflateLimit = errors.New("inflated message over the read limit")

// inflate decompresses one message's payload, at most limit bytes of it
// (no limit when negative).
func (d *deflate) inflate(p []byte, limit int64) ([]byte, error) {
	fr := flateReaders.Get().(io.ReadCloser)
	defer flateReaders.Put(fr)
	in := io.MultiReader(bytes.NewReader(p), bytes.NewReader(deflateTail))
	var dict []byte
	if !d.serverNoTakeover {
		dict = d.dict
	}
	if err := fr.(flate.Resetter).Reset(in, dict); err != nil {
		return nil, err
	}
	out := make([]byte, 0, min(max(2*len(p), 512), presizeMax))
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		n, err := fr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if limit >= 0 && int64(len(out)) > limit {
			return nil, errInflateLimit
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			// The message ends with a sync flush, not a final block: the
			// reader runs out of input where the next block would start.
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if !d.serverNoTakeover {
		d.remember(out)
	}
	return out, nil
}

// remember keeps the last 32 KiB of the server's messages.
func (d *deflate) remember(out []byte) {
	const window = 1 << 15
	if len(out) >= window {
		d.dict = append(d.dict[:0], out[len(out)-window:]...)
		return
	}
	if keep := window - len(out); len(d.dict) > keep {
		d.dict = d.dict[:copy(d.dict, d.dict[len(d.dict)-keep:])]
	}
	d.dict = append(d.dict, out...)
}

// compress appends p compressed, without the tail, to dst. It returns nil
// when p is better sent uncompressed: when the negotiated client window
// is smaller than compress/flate's and p does not fit in it.
func (d *deflate) compress(dst, p []byte) []byte {
	small := d.clientWindow < 1<<15
	if small && len(p) > d.clientWindow {
		return nil
	}
	fw := d.fw
	if fw == nil {
		fw = flateWriters.Get().(*flate.Writer)
	}
	d.sink.b = dst
	if d.fw == nil {
		fw.Reset(&d.sink)
	}
	_, _ = fw.Write(p)
	_ = fw.Flush()
	out := bytes.TrimSuffix(d.sink.b, deflateTail)
	d.sink.b = nil
	if d.clientNoTakeover || small {
		// Each message on its own: a window smaller than 32 KiB cannot
		// carry over between messages with compress/flate.
		fw.Reset(io.Discard)
		flateWriters.Put(fw)
	} else {
		d.fw = fw
	}
	return out
}

// release drops the compression state once the connection is over.
func (d *deflate) release() {
	if d.fw != nil {
		d.fw.Reset(io.Discard)
		flateWriters.Put(d.fw)
		d.fw = nil
	}
	d.dict = nil
}

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
