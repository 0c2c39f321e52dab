package soak_test

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"time"
)

// A scenario is one kind of connection the soak makes: a fault the server
// plays, or something the client does to its own socket.
type scenario int

const (
	scEcho          scenario = iota // the server echoes; the client closes with a random code
	scServerClose                   // the server closes with a random code after N echoes
	scDrop                          // the server cuts TCP (FIN) after N echoes
	scReset                         // the server resets TCP (RST) after N echoes
	scStall                         // the server goes silent after N echoes; the client's close times out
	scHang                          // the handshake is never answered; the connect timeout fires
	scStatus                        // the handshake is rejected with an HTTP status
	scDelay                         // the handshake is late; the connect timeout may or may not win
	scFlood                         // the server sends a burst of messages first
	scSlow                          // the server reads slowly; the client sends a burst at once
	scOverLimit                     // the server sends a message over the client's read limit
	scAbort                         // the client aborts with sends in flight
	scCloseInFlight                 // the client closes with sends in flight, then sends more
	scGoForm                        // Dial, Write, Receive and Shutdown instead of callbacks
	nScenarios
)

var scenarioNames = [nScenarios]string{
	"echo", "server-close", "drop", "reset", "stall", "hang", "status", "delay",
	"flood", "slow-reader", "over-limit", "abort", "close-in-flight", "go-form",
}

func (s scenario) String() string { return scenarioNames[s] }

// Sizes of the soak's floods and bursts. They are modest so that the soak
// passes while the client's receive and send queues have no bound; raise
// them (flags -soak.flood, -soak.floodsize, -soak.burst) once the bounds
// are in, to soak the bounds too.
const (
	defaultFloodMessages = 200  // messages the server sends at once in scFlood
	defaultFloodSize     = 2048 // bytes in each of them
	defaultSlowBurst     = 100  // messages the client sends at once in scSlow and scCloseInFlight
)

// minFloodSize keeps the "message K" text of every flood message whole.
const minFloodSize = 16

// soakReadLimit is the Go and JavaScript clients' read limit: floods stay
// under it, scOverLimit goes over it.
const soakReadLimit = 64 << 10

// soakCloseTimeout bounds the clients' close handshakes. scStall makes
// every close time out; a clean close on a loaded machine must not.
const soakCloseTimeout = time.Second

// loads are the sizes the soak uses, from flags.
type loads struct {
	flood, floodSize, burst int
}

// A plan is one connection: where it goes and what both sides do.
type plan struct {
	sc       scenario
	query    url.Values
	timeout  time.Duration // the connect timeout; 0: the App's
	sends    int           // messages the client sends
	window   int           // the most messages sent and not yet echoed
	after    int           // the server's after=N
	flood    int           // messages the server sends first
	code     int           // the client's close code
	reason   string        // and reason
	wantCode int           // the close code the client must report; 0: any
	wantOpen int           // 1: must open; -1: must not; 0: either
	binary   bool          // send binary messages
}

// serverCloseCodes are codes a server may send; 1005 stands for close=empty.
var serverCloseCodes = []int{1000, 1001, 1002, 1003, 1005, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}

// newPlan draws a connection's plan from rng. The weights favour the
// scenarios that move messages.
func newPlan(rng *rand.Rand, l loads) plan {
	weights := [nScenarios]int{
		scEcho: 14, scServerClose: 10, scDrop: 8, scReset: 8, scStall: 3, scHang: 3,
		scStatus: 4, scDelay: 4, scFlood: 8, scSlow: 6, scOverLimit: 4, scAbort: 6,
		scCloseInFlight: 6, scGoForm: 8,
	}
	total := 0
	for _, w := range weights {
		total += w
	}
	pick := rng.IntN(total)
	sc := scenario(0)
	for ; pick >= weights[sc]; sc++ {
		pick -= weights[sc]
	}

	p := plan{
		sc:       sc,
		query:    url.Values{},
		sends:    1 + rng.IntN(60),
		window:   1 + rng.IntN(16),
		code:     clientCode(rng),
		reason:   reason(rng),
		binary:   rng.IntN(4) == 0,
		wantOpen: 1,
	}
	p.wantCode = p.code
	switch sc {
	case scServerClose:
		p.after = rng.IntN(40)
		p.sends = p.after + 1 + rng.IntN(8)
		code := serverCloseCodes[rng.IntN(len(serverCloseCodes))]
		if rng.IntN(3) == 0 {
			code = 3000 + rng.IntN(2000)
		}
		p.wantCode = code
		if code == 1005 {
			p.query.Set("close", "empty")
		} else {
			p.query.Set("close", strconv.Itoa(code))
			if r := reason(rng); r != "" {
				p.query.Set("reason", r)
			}
		}
		p.query.Set("after", strconv.Itoa(p.after))
	case scDrop, scReset, scStall:
		p.after = rng.IntN(40)
		p.sends = p.after + 1 + rng.IntN(8)
		p.window = max(p.window, p.sends-p.after) // a stalled server never frees the window
		p.query.Set(map[scenario]string{scDrop: "drop", scReset: "reset", scStall: "stall"}[sc], "1")
		p.query.Set("after", strconv.Itoa(p.after))
		p.wantCode = 1006
	case scHang:
		p.query.Set("hang", "1")
		p.timeout = time.Duration(5+rng.IntN(50)) * time.Millisecond
		p.wantCode, p.wantOpen = 1006, -1
	case scStatus:
		statuses := []int{400, 401, 403, 404, 429, 500, 502, 503}
		p.query.Set("status", strconv.Itoa(statuses[rng.IntN(len(statuses))]))
		p.wantCode, p.wantOpen = 1006, -1
	case scDelay:
		p.query.Set("delay", strconv.Itoa(rng.IntN(30)))
		p.timeout = time.Duration(5+rng.IntN(60)) * time.Millisecond
		p.wantCode, p.wantOpen = 0, 0
	case scFlood:
		p.flood = 1 + rng.IntN(l.flood)
		p.query.Set("send", strconv.Itoa(p.flood))
		p.query.Set("size", strconv.Itoa(minFloodSize+rng.IntN(l.floodSize-minFloodSize+1)))
	case scSlow:
		p.query.Set("slow", fmt.Sprintf("%dus", 100+rng.IntN(900)))
		p.sends = 1 + rng.IntN(l.burst)
	case scOverLimit:
		p.query.Set("send", "1")
		p.query.Set("size", strconv.Itoa(soakReadLimit+1+rng.IntN(soakReadLimit)))
		p.wantCode = 1006
	case scAbort:
		p.wantCode = 1006
	case scCloseInFlight:
		p.sends = 1 + rng.IntN(l.burst)
	case scGoForm:
		p.wantCode = 0 // Shutdown checks the code itself
	}
	if rng.IntN(8) == 0 && p.wantOpen == 1 && sc != scStall {
		// A late answer within the timeout changes nothing.
		p.query.Set("delay", strconv.Itoa(rng.IntN(5)))
	}
	return p
}

// clientCode is a close code a client may send.
func clientCode(rng *rand.Rand) int {
	if rng.IntN(2) == 0 {
		return 1000
	}
	return 3000 + rng.IntN(2000)
}

// reason is a close reason of up to 24 bytes, sometimes not ASCII.
func reason(rng *rand.Rand) string {
	switch rng.IntN(4) {
	case 0:
		return ""
	case 1:
		return "再见 " + strconv.Itoa(rng.IntN(1000))
	default:
		return "bye " + strconv.Itoa(rng.IntN(1_000_000))
	}
}

// URL returns the plan's URL on the server at base.
func (p plan) URL(base string) string {
	if len(p.query) == 0 {
		return base + "/soak"
	}
	return base + "/soak?" + p.query.Encode()
}
