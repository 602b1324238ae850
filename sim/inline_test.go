package sim

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// inlineOutcome is what a run shows: its trace (with a line for every
// check the runner made), its violations and its event count.
type inlineOutcome struct {
	trace      string
	violations []Violation
	events     int
}

// inlineScenario draws, from seed, tasks that yield, sleep, wait on
// queues with and without timeouts, lock a mutex, crash and end calls,
// beside plain events and a liveness phase, and runs them; inline false
// makes every suspension go through the scheduler.
func inlineScenario(seed uint64, inline bool) inlineOutcome {
	draw := NewPRNG(seed) // the scenario; the run's choices come from their own PRNG
	s := NewScheduler(NewPRNG(seed + 1))
	tr := &Trace{}
	ts := &Tasks{Sched: s}
	var calls Calls
	var m Mutex
	m.Name = "state"
	var q Queue
	q.Name = "work"
	shared := 0
	var tasks []*Task
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	for i := range 1 + draw.Intn(4) {
		name := fmt.Sprintf("t%d", i)
		var ops []int
		for range 1 + draw.Intn(8) {
			ops = append(ops, draw.Intn(8))
		}
		arg := draw.Intn(4)
		var call *Call
		if draw.Intn(2) == 0 {
			call = calls.Begin(Call{Caller: "client", Callee: name, What: "work", Within: ms(1 + draw.Intn(6))})
		}
		tasks = append(tasks, ts.Go(name, func(t *Task) {
			defer calls.End(call)
			defer t.Yield() // a killed task unwinds through it
			for _, op := range ops {
				switch op {
				case 0:
					t.Yield()
				case 1:
					t.Sleep(ms(arg))
				case 2:
					tr.Add(t.Now(), name, "woken %t", q.Wait(t, ms(arg)))
				case 3:
					m.Lock(t)
					v := shared
					t.Yield()
					shared = v + 1
					m.Unlock(t)
				case 4:
					q.WakeAll()
				case 5:
					if shared%5 == 4 {
						panic(name + " crashed")
					}
				case 6:
					tr.Add(t.Now(), name, "waits for good: %t", q.Wait(t, -1))
				case 7:
					ts.Kill(tasks[arg%len(tasks)])
				}
				shared++
				tr.Add(t.Now(), name, "op %d, shared %d", op, shared)
			}
		}))
	}
	for range draw.Intn(4) {
		at := ms(draw.Intn(5))
		s.At(at, "poke", func() { shared += 10; q.WakeAll() })
	}
	r := &Runner{Sched: s, Trace: tr, Tasks: ts, Calls: &calls, noInline: !inline,
		Check: func(now time.Duration) []Violation {
			tr.Add(now, "check", "shared %d", shared)
			if shared%7 == 3 {
				return []Violation{{Invariant: fmt.Sprintf("mod7-%d", shared%3), At: now, Message: fmt.Sprint(shared)}}
			}
			return nil
		},
		Liveness: &Liveness{From: ms(draw.Intn(4)),
			Heal:      func() { tr.Add(s.Now(), "heal", "shared %d", shared) },
			Leftovers: func() []string { return []string{fmt.Sprint(shared)} }},
	}
	if draw.Intn(4) == 0 {
		r.MaxEvents = 1 + draw.Intn(30)
	}
	if draw.Intn(4) == 0 {
		r.Horizon = ms(1 + draw.Intn(5))
	}
	vs := r.Run()
	return inlineOutcome{trace: tr.Text(), violations: vs, events: r.Events()}
}

// TestInlineResumptionChangesNothing: a task that goes on at once where
// its wake-up would have run next, alone, gives the run that suspending
// and resuming it through the scheduler gives: the same trace (every
// check at the same point), violations and event count.
func TestInlineResumptionChangesNothing(t *testing.T) {
	seeds := uint64(3000)
	if testing.Short() {
		seeds = 600
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		want := inlineScenario(seed, false)
		got := inlineScenario(seed, true)
		if got.trace != want.trace || got.events != want.events || !reflect.DeepEqual(got.violations, want.violations) {
			t.Fatalf("seed %d: inline resumption changed the run:\n%d events, %v\n%s\nwant %d events, %v\n%s",
				seed, got.events, got.violations, got.trace, want.events, want.violations, want.trace)
		}
	}
}
