package cgroups

import (
	"testing"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// TestIdleClosesPooledWatchers: a run pools its tree's inotify instance
// for the next; the model's Idle, its owner, closes the pooled ones.
func TestIdleClosesPooledWatchers(t *testing.T) {
	c := Generate(sim.NewPRNG(1), "reference", GenOptions{})
	if _, err := Run(c, nil, sim.NewPRNG(1), false); err != nil {
		t.Fatal(err)
	}
	if cgroupfs.IdleWatchers() == 0 {
		t.Fatal("a run pooled no inotify instance")
	}
	if err := Model.Idle(); err != nil {
		t.Fatal(err)
	}
	if n := cgroupfs.IdleWatchers(); n != 0 {
		t.Fatalf("%d inotify instances pooled after Idle", n)
	}
}
