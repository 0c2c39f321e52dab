package soak_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/unisocket/unisocket/js"
)

// jsChains is how many connections each JavaScript runtime keeps going at
// once, each reconnecting when the last one closed.
const jsChains = 6

// jsReport is the JSON line client.js prints at its end.
type jsReport struct {
	Connections, Opened, Sends, SendOK, SendFail, Echoes, Flood int64
	Closes, Errors, CloseCalls                                  int64
	Codes                                                       map[string]int64
	Scenarios                                                   map[string]int64
	Violations                                                  []string
	NViolations                                                 int
}

// A jsClient runs testdata/client.js in a js.Runtime: uni-app code, run
// as `unisocket run` runs it, reconnecting against the soak's server.
type jsClient struct {
	id   string
	seed uint64
	srv  string
	l    loads
	c    *counts
	v    *violations
}

func (jc jsClient) run(duration time.Duration) {
	src, err := os.ReadFile("testdata/client.js")
	if err != nil {
		jc.v.add("%s: %v", jc.id, err)
		return
	}
	// SOAK goes on the script's first line, which is a comment, so the
	// script's line numbers stay those of the file.
	soak := map[string]any{
		"id": jc.id, "url": jc.srv, "seed": uint32(jc.seed), "durationMs": duration.Milliseconds(),
		"chains": jsChains, "flood": jc.l.flood, "floodSize": jc.l.floodSize, "burst": jc.l.burst,
		"readLimit": soakReadLimit,
	}
	def, err := json.Marshal(soak)
	if err != nil {
		jc.v.add("%s: %v", jc.id, err)
		return
	}
	var stdout, stderr bytes.Buffer
	rt := js.New(js.Options{Config: soakConfig(jc.v), Stdout: &stdout, Stderr: &stderr})
	ctx, cancel := context.WithTimeout(context.Background(), duration+safetyNet)
	defer cancel()
	err = rt.Run(ctx, "testdata/client.js", fmt.Sprintf("const SOAK = %s; ", def)+string(src))
	if err != nil || stderr.Len() > 0 {
		jc.v.add("%s: the script ended with %v; stderr:\n%s", jc.id, err, stderr.String())
	}
	out := strings.TrimSpace(stdout.String())
	var rep jsReport
	if err := json.Unmarshal([]byte(out[strings.LastIndexByte(out, '\n')+1:]), &rep); err != nil {
		jc.v.add("%s: no report at the script's end (%v); stdout:\n%.2000s", jc.id, err, out)
		return
	}
	jc.c.add(rep)
	if rep.Connections == 0 {
		jc.v.add("%s: the script made no connection", jc.id)
	}
	if rep.NViolations > 0 {
		jc.v.add("%s: %d violations in the script; the first:\n    %s", jc.id, rep.NViolations, strings.Join(rep.Violations, "\n    "))
	}
}
