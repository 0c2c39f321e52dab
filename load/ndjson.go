package load

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"sync"
	"time"
)

// SampleWriter receives every sample of a test as it is aggregated. Calls
// are serialised by the test.
type SampleWriter interface {
	WriteSample(Sample) error
}

// NDJSON writes samples as newline-delimited JSON in k6's --out json
// shape, one object per line:
//
//	{"type":"Point","metric":"ws_connecting","data":{"time":"2026-11-30T12:00:00.123456Z","value":1.234,"tags":{"vu":"3"}}}
//
// Trend values are milliseconds with microsecond resolution, exactly the
// values the summary's histograms hold.
type NDJSON struct {
	mu sync.Mutex
	w  *bufio.Writer
}

// NewNDJSON returns an NDJSON writer to w. Call Flush at the end.
func NewNDJSON(w io.Writer) *NDJSON { return &NDJSON{w: bufio.NewWriterSize(w, 64<<10)} }

// Point is one line of the NDJSON output.
type Point struct {
	Type   string    `json:"type"`
	Metric string    `json:"metric"`
	Data   PointData `json:"data"`
}

// PointData is a Point's measurement.
type PointData struct {
	Time  time.Time         `json:"time"`
	Value float64           `json:"value"`
	Tags  map[string]string `json:"tags,omitempty"`
}

// WriteSample writes one line.
func (n *NDJSON) WriteSample(s Sample) error {
	tags := map[string]string{}
	if s.VU != 0 {
		tags["vu"] = strconv.Itoa(s.VU)
	}
	if s.TagKey != "" {
		tags[s.TagKey] = s.TagValue
	}
	b, err := json.Marshal(Point{Type: "Point", Metric: s.Metric, Data: PointData{Time: s.Time.UTC(), Value: s.Value, Tags: tags}})
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := n.w.Write(b); err != nil {
		return err
	}
	return n.w.WriteByte('\n')
}

// Flush writes what is buffered.
func (n *NDJSON) Flush() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.w.Flush()
}
