//go:build race

package soak_test

// raceEnabled is true under the race detector, which makes every
// connection several times slower: the soak's default length is shorter.
const raceEnabled = true
