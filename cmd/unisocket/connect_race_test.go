//go:build race

package main

// Under -race the connect tests build the binary with -race too, so that
// a data race in the command fails them (exit status 66).
func init() { connectRaceBuild = true }
