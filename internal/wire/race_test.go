//go:build race

package wire

// raceEnabled: the race detector slows every connection tenfold, so the
// memory test makes fewer of them (the plain run makes 3,000 of each kind).
const raceEnabled = true
