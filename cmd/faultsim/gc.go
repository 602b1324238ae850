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
// live and campaigns run up to twice as fast. Set GOGC to choose otherwise.
const gcPercent = 400

// memoryLimit is the soft memory limit (GOMEMLIMIT) faultsim runs with when
// the environment sets none: once the heap nears it the collector runs as
// often as it must, so a long campaign stays below about 180 MiB resident
// however much GOGC=400 would let the heap grow. The limit paces the
// collector only when the live heap passes about a fifth of it: then every
// cycle marks the whole live heap at shorter intervals, and on two workers
// that time is taken from the workers (on one, the collector runs on the
// idle core). Campaigns keep their live heaps well below that (annotations'
// memos hold about 8 MiB); at half this limit two workers ran about a sixth
// fewer scenarios. Set GOMEMLIMIT to choose otherwise.
const memoryLimit = 160 << 20

// tuneGC applies gcPercent and memoryLimit unless GOGC or GOMEMLIMIT is set.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit)
	}
}
