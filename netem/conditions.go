package netem

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Conditions describe a network. The zero value is a network that adds
// nothing: no latency, no bandwidth limit, no loss.
type Conditions struct {
	// Offline refuses every dial; the other fields do not matter then.
	Offline bool
	// Latency is the round-trip time added to the connection: each
	// direction delays its bytes by Latency/2.
	Latency time.Duration
	// Jitter varies each segment's delay in each direction by up to
	// ±Jitter/2, uniformly, never reordering bytes.
	Jitter time.Duration
	// Down and Up are the bandwidths towards the client (what it reads)
	// and from it (what it writes), in bytes per second; 0 means no
	// limit.
	Down, Up int64
	// Loss is the probability, from 0 to 1, that a segment is lost and
	// the link stalls for a retransmission timeout.
	Loss float64
	// Seed seeds the random source of jitter and loss. Each connection of
	// a Network draws from its own source, seeded with Seed and the
	// connection's number, so a run with one seed repeats.
	Seed uint64
}

// rto is the retransmission timeout a lost segment costs: Linux TCP's
// SRTT + 4·RTTVAR (RFC 6298), taking Latency as the round-trip time and
// Jitter as its variation, and at least TCP_RTO_MIN, 200 ms.
func (c Conditions) rto() time.Duration {
	return max(200*time.Millisecond, c.Latency+4*c.Jitter)
}

// check reports a value no network can have.
func (c Conditions) check() error {
	switch {
	case c.Latency < 0:
		return &ConditionError{"latency", c.Latency.String(), "must not be negative"}
	case c.Jitter < 0:
		return &ConditionError{"jitter", c.Jitter.String(), "must not be negative"}
	case c.Down < 0:
		return &ConditionError{"down", strconv.FormatInt(c.Down, 10), "must not be negative"}
	case c.Up < 0:
		return &ConditionError{"up", strconv.FormatInt(c.Up, 10), "must not be negative"}
	case !(c.Loss >= 0 && c.Loss <= 1):
		return &ConditionError{"loss", strconv.FormatFloat(c.Loss, 'g', -1, 64), "must be from 0 to 1"}
	}
	return nil
}

// String describes the conditions as the CLI flags would give them.
func (c Conditions) String() string {
	if c.Offline {
		return "offline"
	}
	parts := []string{"latency " + c.Latency.String()}
	if c.Jitter > 0 {
		parts = append(parts, "jitter "+c.Jitter.String())
	}
	parts = append(parts, "down "+FormatRate(c.Down), "up "+FormatRate(c.Up))
	if c.Loss > 0 {
		parts = append(parts, "loss "+strconv.FormatFloat(c.Loss*100, 'g', -1, 64)+"%")
	}
	return strings.Join(parts, ", ")
}

// kbit is 1000 bits per second in bytes per second, tc's and DevTools'
// kilobit.
const kbit = 1000.0 / 8

// Presets returns the names Preset knows, slowest first.
func Presets() []string { return []string{"offline", "slow-3g", "fast-3g", "4g", "wifi"} }

// Preset returns the conditions of a named network: offline, slow-3g,
// fast-3g, 4g or wifi. The package documentation cites where each
// number comes from. Names are case-insensitive.
func Preset(name string) (Conditions, error) {
	// Chromium's DevTools write their presets as a target figure times
	// a factor that turns packet-level numbers into request-level ones
	// (e.g. 500 kbit/s × 0.8, 400 ms × 5); the products are kept here so
	// a user who compares with DevTools finds the same numbers.
	switch strings.ToLower(name) {
	case "offline":
		return Conditions{Offline: true}, nil
	case "slow-3g":
		return Conditions{Latency: 2000 * time.Millisecond, Down: 500 * kbit * 0.8, Up: 500 * kbit * 0.8}, nil
	case "fast-3g":
		return Conditions{Latency: 562500 * time.Microsecond, Down: 1600 * kbit * 0.9, Up: 750 * kbit * 0.9}, nil
	case "4g":
		return Conditions{Latency: 165 * time.Millisecond, Down: 9000 * kbit * 0.9, Up: 1500 * kbit * 0.9}, nil
	case "wifi":
		return Conditions{Latency: 28 * time.Millisecond, Down: 5000 * kbit, Up: 1000 * kbit}, nil
	}
	return Conditions{}, &ConditionError{"network", name, "unknown preset; want one of " + strings.Join(Presets(), ", ")}
}

// rateUnits are the units ParseRate accepts, in bytes per second, longer
// suffixes first. Bits are decimal, as tc's and DevTools' are, and their
// names case-insensitive; byte units keep their case (B is a byte, b
// would be a bit), KiB and MiB are binary.
func rateUnits() []rateUnit {
	return []rateUnit{
		{"gbit", 1e9 / 8, true}, {"mbit", 1e6 / 8, true}, {"kbit", 1e3 / 8, true}, {"bit", 1.0 / 8, true},
		{"gbps", 1e9 / 8, true}, {"mbps", 1e6 / 8, true}, {"kbps", 1e3 / 8, true}, {"bps", 1.0 / 8, true},
		{"GiB", 1 << 30, false}, {"MiB", 1 << 20, false}, {"KiB", 1 << 10, false},
		{"GB", 1e9, false}, {"MB", 1e6, false}, {"KB", 1e3, false}, {"kB", 1e3, false}, {"B", 1, false},
	}
}

type rateUnit struct {
	suffix string
	bytes  float64
	fold   bool
}

// ParseRate reads a bandwidth: a number and its unit, optionally
// followed by /s: 400kbit, 1.5Mbit, 2mbps (bits: kbit, Mbit, Gbit, bps,
// kbps, Mbps, decimal, case-insensitive) or 50KB, 1MB, 64KiB (bytes;
// B, KB or kB, MB, GB, KiB, MiB, GiB). It returns bytes per second,
// rounded, at least 1.
func ParseRate(s string) (int64, error) {
	v := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	for _, u := range rateUnits() {
		tail := v[max(0, len(v)-len(u.suffix)):]
		if tail != u.suffix && !(u.fold && strings.EqualFold(tail, u.suffix)) {
			continue
		}
		f, err := strconv.ParseFloat(v[:len(v)-len(u.suffix)], 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			break
		}
		b := math.Round(f * u.bytes)
		if b > 1<<50 {
			return 0, &ConditionError{"rate", s, "too large"}
		}
		return max(1, int64(b)), nil
	}
	return 0, &ConditionError{"rate", s, "want a number above 0 with its unit, e.g. 400kbit, 1.5Mbit or 50KB"}
}

// FormatRate writes a rate in bytes per second as kbit/s or Mbit/s, or
// "unlimited" for 0.
func FormatRate(bytesPerSec int64) string {
	bits := float64(bytesPerSec) * 8
	switch {
	case bytesPerSec <= 0:
		return "unlimited"
	case bits >= 1e6:
		return strconv.FormatFloat(bits/1e6, 'f', -1, 64) + "Mbit/s"
	default:
		return strconv.FormatFloat(bits/1e3, 'f', -1, 64) + "kbit/s"
	}
}

// ParseLoss reads a loss rate as a percentage (1%, 0.5%) or a fraction
// (0.01), from 0 to 100% and returns the fraction.
func ParseLoss(s string) (float64, error) {
	v := strings.TrimSpace(s)
	scale := 1.0
	if num, ok := strings.CutSuffix(v, "%"); ok {
		v, scale = num, 0.01
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) {
		return 0, &ConditionError{"loss", s, "want a percentage such as 1% or a fraction such as 0.01"}
	}
	f *= scale
	if f < 0 || f > 1 {
		return 0, &ConditionError{"loss", s, "must be from 0 to 100%"}
	}
	return f, nil
}

// ConditionError reports a network condition that cannot be used.
type ConditionError struct {
	// What names the condition: "network", "latency", "rate", "loss"...
	What string
	// Value is the value given.
	Value string
	// Why says what is wrong, in the user's terms.
	Why string
}

func (e *ConditionError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.What, e.Value, e.Why)
}
