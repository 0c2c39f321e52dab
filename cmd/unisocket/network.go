package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/unisocket/unisocket/netem"
)

// networkFlags shape the App's connections as a phone's network would:
// --network names a preset, and --latency, --jitter, --down, --up and
// --loss set, or override in the preset, one condition each. Part of
// uniFlags, so every subcommand that connects has them.
type networkFlags struct {
	preset          string
	latency, jitter durationValue
	down, up        rateValue
	loss            lossValue

	fs *pflag.FlagSet
}

// register defines the network flags on fs.
func (f *networkFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.preset, "network", "", "shape the connections as a `PRESET` network: "+strings.Join(netem.Presets(), ", ")+" (Chrome DevTools' numbers; offline fails every connection)")
	fs.Var(&f.latency, "latency", "add `D` to every round trip, half each way, e.g. 300ms (overrides --network's)")
	fs.Var(&f.jitter, "jitter", "vary each direction's delay by up to ±D/2, never reordering bytes, e.g. 50ms")
	fs.Var(&f.down, "down", "limit the bandwidth towards the client to `RATE`, e.g. 400kbit, 1.5Mbit, 50KB (per second)")
	fs.Var(&f.up, "up", "limit the bandwidth from the client to `RATE`, e.g. 200kbit")
	fs.Var(&f.loss, "loss", "lose `P` of the TCP segments, e.g. 1% or 0.01: each loss stalls the stream for a retransmission timeout")
}

// conditions returns the network asked for; ok is false when no network
// flag was given, and the connections are not shaped.
func (f *networkFlags) conditions() (c netem.Conditions, ok bool, err error) {
	if f.preset != "" {
		if c, err = netem.Preset(f.preset); err != nil {
			if ce, isCE := errors.AsType[*netem.ConditionError](err); isCE {
				return c, false, fmt.Errorf("--network %q: %s", f.preset, ce.Why)
			}
			return c, false, fmt.Errorf("--network: %w", err)
		}
		ok = true
	}
	if f.fs.Changed("latency") {
		c.Latency, ok = time.Duration(f.latency), true
	}
	if f.fs.Changed("jitter") {
		c.Jitter, ok = time.Duration(f.jitter), true
	}
	if f.fs.Changed("down") {
		c.Down, ok = int64(f.down), true
	}
	if f.fs.Changed("up") {
		c.Up, ok = int64(f.up), true
	}
	if f.fs.Changed("loss") {
		c.Loss, ok = float64(f.loss), true
	}
	return c, ok, nil
}

// network returns the shaped network the flags ask for, nil for none;
// uni.Config.Network puts it between the App and its dial function.
func (f *networkFlags) network() (*netem.Network, error) {
	c, ok, err := f.conditions()
	if err != nil || !ok {
		return nil, err
	}
	n, err := netem.New(c)
	if err != nil {
		return nil, fmt.Errorf("--network: %w", err)
	}
	return n, nil
}

// durationValue is a duration flag of 0 or more whose error says what
// to write rather than what Go's parser met.
type durationValue time.Duration

func (d *durationValue) String() string { return time.Duration(*d).String() }
func (d *durationValue) Type() string   { return "D" }

func (d *durationValue) Set(v string) error {
	t, err := time.ParseDuration(v)
	if err != nil || t < 0 {
		return fmt.Errorf("want a duration of 0 or more such as 300ms or 2s")
	}
	*d = durationValue(t)
	return nil
}

// rateValue is a bandwidth flag, in bytes per second (netem.ParseRate).
type rateValue int64

func (r *rateValue) String() string { return strconv.FormatInt(int64(*r), 10) }
func (r *rateValue) Type() string   { return "RATE" }

func (r *rateValue) Set(v string) error {
	n, err := netem.ParseRate(v)
	if err != nil {
		return err
	}
	*r = rateValue(n)
	return nil
}

// lossValue is a loss-rate flag (netem.ParseLoss).
type lossValue float64

func (l *lossValue) String() string { return fmt.Sprint(float64(*l)) }
func (l *lossValue) Type() string   { return "P" }

func (l *lossValue) Set(v string) error {
	f, err := netem.ParseLoss(v)
	if err != nil {
		return err
	}
	*l = lossValue(f)
	return nil
}
