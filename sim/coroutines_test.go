package sim

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// taskProgram runs a run whose shape the seed draws: tasks that yield,
// sleep, take a mutex, start another task, crash, or block for good (and
// are killed when the run ends). It returns what the run did, crash
// stacks included, so two runs of a seed can be compared; pool is the
// Tasks' Pool (nil: fresh coroutines).
func taskProgram(seed uint64, pool *Coroutines) string {
	shape := NewPRNG(seed ^ 0x5eed)
	s := NewScheduler(NewPRNG(seed))
	ts := &Tasks{Sched: s, Pool: pool}
	var log strings.Builder
	var m Mutex
	m.Name = "lock"
	never := &Latch{Name: "never"}
	var body func(name string, kind int) func(t *Task)
	body = func(name string, kind int) func(t *Task) {
		return func(t *Task) {
			defer func() { fmt.Fprintf(&log, "%s unwound at %v\n", name, t.Now()) }()
			for i := range 1 + shape.Intn(3) {
				t.Yield()
				fmt.Fprintf(&log, "%s step %d at %v\n", name, i, t.Now())
			}
			switch kind {
			case 0:
				t.Sleep(time.Duration(shape.Intn(3)) * time.Second)
			case 1:
				m.Lock(t)
				defer m.Unlock(t)
				t.Sleep(time.Second)
			case 2:
				deepCall(8)
				panic(name + " crashes")
			case 3:
				m.Lock(t)
				defer m.Unlock(t)
				never.Wait(t, -1) // killed when the run ends
			case 4:
				t.ts.Go(name+"'", body(name+"'", shape.Intn(4)))
			}
			fmt.Fprintf(&log, "%s returns at %v\n", name, t.Now())
		}
	}
	for i := range 1 + shape.Intn(5) {
		name := fmt.Sprint("t", i)
		ts.Go(name, body(name, shape.Intn(5)))
	}
	r := &Runner{Sched: s, Trace: &Trace{Off: true}, Tasks: ts, OnCrash: func(c *Crash) {
		fmt.Fprintf(&log, "crash %s, stack %v\n", c.Error(), c.Stack)
	}}
	fmt.Fprintf(&log, "violations %v\n", r.Run())
	return log.String()
}

// TestPooledCoroutinesRunAsFreshOnes: runs whose tasks take coroutines
// that earlier runs left (crashed, killed and returned tasks among them)
// do exactly what runs on fresh coroutines do, for many seeds.
func TestPooledCoroutinesRunAsFreshOnes(t *testing.T) {
	pool := &Coroutines{}
	defer pool.Release()
	for seed := range uint64(500) {
		fresh := taskProgram(seed, nil)
		if pooled := taskProgram(seed, pool); pooled != fresh {
			t.Fatalf("seed %d: on pooled coroutines\n%s\non fresh ones\n%s", seed, pooled, fresh)
		}
	}
	st := pool.Stats()
	if st.Reused < 10*st.Made || st.Idle == 0 {
		t.Fatalf("%+v: expected most tasks on reused coroutines, and some kept idle", st)
	}
}

// TestCoroutinesReleaseLeavesNone: a pool keeps at most Max parked
// coroutines (those given back beyond it end at once), and Release ends
// them all.
func TestCoroutinesReleaseLeavesNone(t *testing.T) {
	tests := []struct {
		max, want int
	}{
		{1, 1},
		{3, 3},
		{0, 6}, // the default bound is more than the 6 the runs need at once
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("max=", tt.max), func(t *testing.T) {
			// Count from a process without another test's goroutines still
			// ending (goleak waits for them), and end this pool's even when
			// the subtest fails, so that the next ones count from there too.
			goleak.VerifyNone(t)
			before := runtime.NumGoroutine()
			pool := &Coroutines{Max: tt.max}
			defer pool.Release()
			for range 3 {
				s := NewScheduler(NewPRNG(1))
				ts := &Tasks{Sched: s, Pool: pool}
				for range 6 {
					ts.Go("sleeper", func(t *Task) { t.Sleep(time.Second) })
				}
				(&Runner{Sched: s, Trace: &Trace{Off: true}, Tasks: ts}).Run()
			}
			if st, n := pool.Stats(), runtime.NumGoroutine(); st.Idle != tt.want || n != before+tt.want {
				t.Fatalf("%+v idle, %d goroutines: want %d idle, %d goroutines", st, n, tt.want, before+tt.want)
			}
			pool.Release()
			if st, n := pool.Stats(), runtime.NumGoroutine(); st.Idle != 0 || n != before {
				t.Fatalf("after Release: %+v, %d goroutines, want none idle and %d", st, n, before)
			}
			goleak.VerifyNone(t)
		})
	}
}

// TestPooledCoroutineAfterItsTaskEnded: the one coroutine of a run whose
// task crashed, was killed while blocked (its deferred unlock suspending
// again), or returned, runs the next run's task exactly as a fresh one:
// same steps, same crash stack.
func TestPooledCoroutineAfterItsTaskEnded(t *testing.T) {
	tests := []struct {
		name  string
		first func(t *Task, m *Mutex)
	}{
		{"returned", func(t *Task, m *Mutex) { t.Yield() }},
		{"crashed", func(t *Task, m *Mutex) { t.Yield(); panic("first task") }},
		{"killed while blocked", func(t *Task, m *Mutex) {
			m.Lock(t)
			defer func() { t.Yield() }() // a deferred call that suspends as it unwinds
			defer m.Unlock(t)
			(&Latch{Name: "never"}).Wait(t, -1)
		}},
		{"killed while asleep", func(t *Task, m *Mutex) { t.Sleep(time.Hour) }},
	}
	second := func(pool *Coroutines) string {
		var log strings.Builder
		s := NewScheduler(NewPRNG(7))
		ts := &Tasks{Sched: s, Pool: pool}
		ts.Go("second", func(t *Task) {
			for i := range 3 {
				t.Sleep(time.Second)
				fmt.Fprintf(&log, "step %d at %v\n", i, t.Now())
			}
			deepCall(6)
			panic("second task")
		})
		r := &Runner{Sched: s, Trace: &Trace{Off: true}, Tasks: ts, OnCrash: func(c *Crash) {
			fmt.Fprintf(&log, "crash %s, stack %v\n", c.Error(), c.Stack)
		}}
		fmt.Fprintf(&log, "violations %v\n", r.Run())
		return log.String()
	}
	want := second(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := &Coroutines{}
			defer pool.Release()
			s := NewScheduler(Fixed{})
			ts := &Tasks{Sched: s, Pool: pool}
			var m Mutex
			ts.Go("first", func(t *Task) { tt.first(t, &m) })
			(&Runner{Sched: s, Trace: &Trace{Off: true}, Tasks: ts, Horizon: time.Minute}).Run()
			if st := pool.Stats(); st.Idle != 1 {
				t.Fatalf("after the first run: %+v, want its coroutine kept", st)
			}
			if got := second(pool); got != want {
				t.Fatalf("second run on the first run's coroutine:\n%s\nwant (on a fresh one)\n%s", got, want)
			}
			if st := pool.Stats(); st.Reused != 1 || st.Made != 1 {
				t.Fatalf("%+v: want the second task on the first's coroutine", st)
			}
		})
	}
}

// TestCoroutinesSharedByConcurrentRuns: runs on several goroutines taking
// from and giving to one small pool do what runs on fresh coroutines do,
// and the pool stays within its bound (run with -race).
func TestCoroutinesSharedByConcurrentRuns(t *testing.T) {
	const workers, seeds = 4, 100
	want := make([]string, seeds)
	for i := range want {
		want[i] = taskProgram(uint64(i), nil)
	}
	pool := &Coroutines{Max: 3}
	defer pool.Release()
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range seeds {
				seed := (i + w*seeds/workers) % seeds
				if got := taskProgram(uint64(seed), pool); got != want[seed] {
					errs <- fmt.Sprintf("worker %d seed %d:\n%s\nwant\n%s", w, seed, got, want[seed])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if st := pool.Stats(); st.Idle > 3 || st.Reused == 0 {
		t.Fatalf("%+v: want at most 3 idle, and reuse", st)
	}
}
