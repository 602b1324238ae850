package cgroups

import (
	"strings"
	"testing"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// TestTraceIgnoresEarlierCases: a case's trace is the same whichever
// cases ran before it in the process (what trees pool for the next one,
// see cgroupfs.CloseIdle, carries nothing over). The cases come in pairs
// whose nodes differ only by a missing interface file or controller, so
// that anything kept for the wrong node changes a trace.
func TestTraceIgnoresEarlierCases(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 6
	}
	var cases []*Case
	for seed := range seeds {
		for _, v := range Variants.All() {
			c := Generate(sim.NewPRNG(uint64(seed)), v.Name, GenOptions{})
			cases = append(cases, c)
			other := c.Clone()
			if seed%2 == 0 {
				other.Faults = append(other.Faults, FileMissing{File: "pids.max"})
			} else {
				other.Faults = append(other.Faults, ControllerMissing{Controller: "cpuset"})
			}
			cases = append(cases, other)
		}
	}
	hash := func(i int) string {
		t.Helper()
		r, err := Run(cases[i].Clone(), nil, sim.NewPRNG(uint64(i)), true)
		if err != nil {
			t.Fatal(err)
		}
		return r.Trace.Hash()
	}
	alone := make([]string, len(cases))
	for i := range cases {
		if err := cgroupfs.CloseIdle(); err != nil {
			t.Fatal(err)
		}
		alone[i] = hash(i)
	}
	for _, order := range []string{"forward", "backward"} {
		if err := cgroupfs.CloseIdle(); err != nil {
			t.Fatal(err)
		}
		for k := range cases {
			i := k
			if order == "backward" {
				i = len(cases) - 1 - k
			}
			if got := hash(i); got != alone[i] {
				t.Fatalf("case %d (%s), run %s after others: trace %s, alone %s", i, cases[i].Node.Distro, order, got, alone[i])
			}
		}
	}
}

// TestStoppedRunsReplayAlike: a run that learns a kernel answer stops
// there, since it is replayed; the final trace is the one of runs that
// each went to their end, on cases that replay (every seed whose first
// run learns something, of 40 per variant; -short: 15).
func TestStoppedRunsReplayAlike(t *testing.T) {
	seeds := uint64(40)
	if testing.Short() {
		seeds = 15
	}
	replayed := 0
	for seed := range seeds {
		for _, v := range Variants.All() {
			c := Generate(sim.NewPRNG(seed), v.Name, GenOptions{})
			stopped, err := runs(c.Clone(), nil, sim.NewPRNG(seed), true, false, false)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := runs(c.Clone(), nil, sim.NewPRNG(seed), true, false, true)
			if err != nil {
				t.Fatal(err)
			}
			if stopped.Trace.Hash() != whole.Trace.Hash() {
				t.Fatalf("seed %d, %s: the trace after stopped runs differs from the one after whole runs:\n%s\n---\n%s",
					seed, v.Name, stopped.Trace.Text(), whole.Trace.Text())
			}
			if strings.Contains(whole.Trace.Text(), "kernel answer(s) learned") {
				replayed++
			}
		}
	}
	if replayed == 0 {
		t.Fatal("no case was replayed: expected some, or the test compares nothing")
	}
	t.Logf("%d of %d cases were replayed", replayed, 2*seeds)
}
