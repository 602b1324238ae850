package sim_test

import (
	"fmt"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// Two request handlers check a container's state and then act on it; the
// yield between the check and the act is where the other may run. Which
// runs when is the Chooser's choice, so a seed replays it.
func ExampleTasks() {
	s := sim.NewScheduler(sim.NewPRNG(1))
	ts := &sim.Tasks{Sched: s}
	stopping := false
	starts := 0
	for _, name := range []string{"kubelet", "crictl"} {
		ts.Go(name, func(t *sim.Task) {
			first := !stopping // check ...
			t.Yield()          // ... a system call ...
			stopping = true    // ... act
			if first {
				starts++
			}
			t.Sleep(time.Second)
		})
	}
	r := &sim.Runner{Sched: s, Trace: &sim.Trace{}, Tasks: ts}
	r.Run()
	fmt.Println("stop loops started:", starts, "at", s.Now())
	// Output: stop loops started: 2 at 1s
}
