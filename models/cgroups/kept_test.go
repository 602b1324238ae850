package cgroups

import (
	"testing"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// TestTraceIgnoresEarlierCases: a case's trace is the same whether its
// node's tree is new or one an earlier case of the process left (reset
// and kept, see cgroupfs.New), whichever cases ran before it. The cases
// come in pairs whose nodes differ only by a missing interface file or
// controller, so a tree kept for the wrong node changes a trace.
func TestTraceIgnoresEarlierCases(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 6
	}
	var cases []*Case
	for seed := range seeds {
		for _, v := range Variants {
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
