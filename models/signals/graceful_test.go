package signals

import (
	"testing"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// TestGracefulExitCoversTheEndOfLife: graceful-exit-not-killed means what
// stopcheck's does: a process due to exit on its own before its deadline,
// by its handler or at the end of its life, is never SIGKILLed.
func TestGracefulExitCoversTheEndOfLife(t *testing.T) {
	s := time.Second
	tests := []struct {
		name, variant string
		stop          bool // a StopContainer (timeout 10s) before the shutdown
		faults        []faults.Fault
		want          bool // graceful-exit-not-killed violated
	}{
		{"shutdown cuts short a process ending its life", "crun-1.16", false, []faults.Fault{IgnoresStopSignal{Container: "db"}, ExitsOnItsOwn{Container: "db", At: 3 * s}}, true},
		{"shutdown cuts short a handler", "crun-1.16", true, nil, true},
		{"no stop signal, no exit due", "crun-1.16", false, nil, false},
		{"reference waits for the end of its life", "reference", false, []faults.Fault{IgnoresStopSignal{Container: "db"}, ExitsOnItsOwn{Container: "db", At: 3 * s}}, false},
		{"the end of life after the deadline", "crun-1.16", false, []faults.Fault{IgnoresStopSignal{Container: "db"}, ExitsOnItsOwn{Container: "db", At: 40 * s}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Node: node.Default(), Variant: tt.variant,
				Containers: []Container{{Name: "db", Grace: 30 * s, Cleanup: 5 * s}},
				Steps:      []Step{{At: 2 * s, Op: OpShutdown}},
				Faults:     tt.faults}
			if tt.stop {
				c.Steps = append([]Step{{At: s, Op: OpStop, Container: "db", Timeout: 10 * s}}, c.Steps...)
			}
			r, err := Run(c, sim.Fixed{}, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Has(InvGracefulExit.Name); got != tt.want {
				t.Errorf("graceful-exit-not-killed violated: %v, want %v; violations %v", got, tt.want, r.Violations)
			}
		})
	}
}
