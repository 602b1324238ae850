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

// A model's liveness phase: after its last fault (at 1s) the faults are
// lifted and the run goes on fault-free; what is left over at the end is
// a converged violation, and a call still pending is a hang.
func ExampleLiveness() {
	s := sim.NewScheduler(sim.Fixed{})
	var calls sim.Calls
	stopped := false
	c := calls.Begin(sim.Call{Caller: "kubelet", Callee: "crio", What: "StopContainer", Of: "db", Within: 10 * time.Second})
	s.At(time.Second, "signal dropped", func() {})
	s.At(2*time.Second, "stop loop retries", func() { stopped = true; calls.End(c) })
	live := &sim.Liveness{
		From: time.Second,
		Heal: func() { fmt.Println("faults lifted") },
		Leftovers: func() []string {
			if stopped {
				return nil
			}
			return []string{"db still runs"}
		},
	}
	r := &sim.Runner{Sched: s, Trace: &sim.Trace{}, Calls: &calls, Liveness: live}
	fmt.Println("violations:", len(r.Run()))
	// Output:
	// faults lifted
	// violations: 0
}

// Runs one after another take their tasks' coroutines from a pool that
// outlives them; its owner releases it once no run is under way, leaving
// no goroutine behind.
func ExampleCoroutines() {
	var pool sim.Coroutines
	for run := range 3 {
		s := sim.NewScheduler(sim.NewPRNG(uint64(run)))
		ts := &sim.Tasks{Sched: s, Pool: &pool}
		ts.Go("stop loop", func(t *sim.Task) { t.Sleep(time.Second) })
		(&sim.Runner{Sched: s, Trace: &sim.Trace{Off: true}, Tasks: ts}).Run()
	}
	fmt.Printf("%+v\n", pool.Stats())
	pool.Release()
	fmt.Printf("%+v\n", pool.Stats())
	// Output:
	// {Idle:1 Made:1 Reused:2}
	// {Idle:0 Made:1 Reused:2}
}
