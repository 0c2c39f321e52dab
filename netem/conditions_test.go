package netem_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/unisocket/unisocket/netem"
)

func TestParseRate(t *testing.T) {
	for in, want := range map[string]int64{
		"400kbit":    50_000,
		"400Kbit":    50_000,
		"1.5Mbit":    187_500,
		"1.44mbit/s": 180_000,
		"2mbps":      250_000,
		"8bit":       1,
		"50KB":       50_000,
		"50kB":       50_000,
		"64KiB":      65_536,
		"1MiB/s":     1 << 20,
		"1MB":        1_000_000,
		"100B":       100,
	} {
		got, err := netem.ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "400", "kbit", "-1kbit", "0kbit", "400kb", "fast", "1e400kbit", "NaNkbit"} {
		_, err := netem.ParseRate(in)
		var ce *netem.ConditionError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "e.g. 400kbit") {
			t.Errorf("ParseRate(%q): err %v, want a ConditionError with an example", in, err)
		}
	}
}

func TestParseLoss(t *testing.T) {
	for in, want := range map[string]float64{"1%": 0.01, "0.5%": 0.005, "0.02": 0.02, "0": 0, "100%": 1} {
		got, err := netem.ParseLoss(in)
		if err != nil || got != want {
			t.Errorf("ParseLoss(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"":     "want a percentage",
		"lots": "want a percentage",
		"101%": "from 0 to 100%",
		"-1%":  "from 0 to 100%",
		"2":    "from 0 to 100%",
	} {
		if _, err := netem.ParseLoss(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseLoss(%q): err %v, want one containing %q", in, err, msg)
		}
	}
}

// TestPresets pins the numbers the package documentation cites.
func TestPresets(t *testing.T) {
	want := map[string]netem.Conditions{
		"offline": {Offline: true},
		"slow-3g": {Latency: 2 * time.Second, Down: 50_000, Up: 50_000},
		"fast-3g": {Latency: 562500 * time.Microsecond, Down: 180_000, Up: 84_375},
		"4g":      {Latency: 165 * time.Millisecond, Down: 1_012_500, Up: 168_750},
		"wifi":    {Latency: 28 * time.Millisecond, Down: 625_000, Up: 125_000},
	}
	names := netem.Presets()
	if len(names) != len(want) {
		t.Fatalf("Presets() = %v, want the %d of the documentation", names, len(want))
	}
	for _, name := range names {
		got, err := netem.Preset(strings.ToUpper(name))
		if err != nil || got != want[name] {
			t.Errorf("Preset(%q) = %+v, %v; want %+v", name, got, err, want[name])
		}
	}
	_, err := netem.Preset("5g")
	if err == nil || err.Error() != `network "5g": unknown preset; want one of offline, slow-3g, fast-3g, 4g, wifi` {
		t.Errorf("Preset(5g): %v", err)
	}
}

func TestNewRefusesBadConditions(t *testing.T) {
	for _, c := range []netem.Conditions{{Latency: -1}, {Jitter: -time.Second}, {Down: -1}, {Up: -5}, {Loss: 1.5}, {Loss: -0.1}} {
		if _, err := netem.New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}

func TestConditionsString(t *testing.T) {
	c, _ := netem.Preset("fast-3g")
	c.Loss, c.Jitter = 0.01, 50*time.Millisecond
	if got, want := c.String(), "latency 562.5ms, jitter 50ms, down 1.44Mbit/s, up 675kbit/s, loss 1%"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
