package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's target (GOGC) faultsim runs with
// when the environment sets none. A campaign allocates a scenario's worth
// of short-lived objects (tens of kilobytes) thousands of times a second
// against a live heap of a few megabytes; at Go's default of 100 the
// collector runs every few milliseconds and costs about as much CPU as the
// scenarios themselves. At 400 the heap may grow to five times what is
// live (tens of megabytes for these models) and campaigns run up to twice
// as fast. Set GOGC to choose otherwise.
const gcPercent = 400

// tuneGC applies gcPercent unless GOGC is set.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}
