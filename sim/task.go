package sim

import (
	"iter"
	"time"

	"github.com/faultsim/faultsim/internal/block"
)

// Tasks runs a model's actors (a request handler, a stop loop, a watcher)
// as coroutines on a Scheduler. Exactly one runs at a time, and a task runs
// only from a scheduler event: every point where it interacts with the node
// or another actor (Yield, Sleep, a lock, a wait) suspends it and schedules
// the event that resumes it, so the Chooser decides who runs next among
// everything due at that instant. An interleaving inside a call is then a
// choice a seed replays and rapid shrinks, as in shuttle, loom and gosim.
// Under a Runner, a task whose wake-up would be the next event run, alone
// at its time, goes on without suspending: the run is the same, with two
// coroutine switches fewer.
//
// Tasks are built on iter.Pull: a suspended task is a parked coroutine, not
// a runnable goroutine, so Go's scheduler, GOMAXPROCS and the race detector
// have no say in the order. A coroutine whose task has returned runs the
// next task started (its stack already grown). Close ends every task still
// suspended and every idle coroutine, so a run leaves no goroutine behind;
// or, with Pool set, gives the idle ones to the pool for later runs.
// The zero value is not usable; set Sched.
type Tasks struct {
	Sched *Scheduler
	// Pool, when set, gives the tasks coroutines that earlier runs left
	// idle and keeps this run's idle ones at Close. Nil: every run makes
	// its own and ends them.
	Pool *Coroutines

	live    []*Task
	current *Task
	idle    []*worker
	wakeups []*wakeup
	// runner, set while a Runner runs the tasks' events, lets a task
	// about to suspend go on at once when its wake-up would run next
	// anyway (see Runner.resumeInline); firing is the task a wake-up
	// event is resuming, the only one it may let go on.
	runner *Runner
	firing *Task
	// tasks and wakes are allocated a few at a time.
	tasks block.Of[Task]
	wakes block.Of[wakeup]
	// The lists of idle coroutines and free wake-ups start in these.
	idleBuf [4]*worker
	wakeBuf [8]*wakeup
}

// slab is how many tasks or wake-ups are allocated at once.
const slab = 4

// worker is a coroutine that runs tasks one after another.
type worker struct {
	next  func() (struct{}, bool)
	stop  func()
	yield func(struct{}) bool
	task  *Task // the task it runs, nil while idle
}

// Task is one actor running as a coroutine.
type Task struct {
	// Name says who the task is ("crio StopContainer db"), for traces and
	// the hang violation.
	Name string

	ts *Tasks
	fn func(t *Task)
	w  *worker // nil until its first step
	// killed: Kill resumed it to unwind; returned: fn is over.
	killed, returned bool
	// waiting is what a suspended task waits on ("" while runnable):
	// "start", "yield", "sleep" or, when onQueue, a wait queue's name
	// (whatever it is); gen retires the wake-ups of an earlier block.
	waiting string
	onQueue bool
	gen     uint64
	// timed: the block has a timeout, so the task wakes by itself.
	timed bool
	woke  bool
	done  bool
	crash *Crash
	label Label
}

// taskKilled unwinds a task that Close or Kill ended while it was suspended.
type taskKilled struct{}

// taskCrash carries a task's panic, with the stack seen inside the task, to
// the event that resumed it.
type taskCrash struct{ c *Crash }

// Go starts fn as a task. It does not run at once: its first step is an
// event due now, ordered among the others by the Chooser.
func (ts *Tasks) Go(name string, fn func(t *Task)) *Task {
	t := ts.tasks.New(slab)
	*t = Task{Name: name, ts: ts, fn: fn, label: Label{"task ", name}}
	if ts.live == nil {
		ts.live = make([]*Task, 0, 8) // room for a run's first tasks at once
	}
	ts.live = append(ts.live, t)
	t.waiting = "start"
	t.schedule(0)
	return t
}

// worker takes an idle coroutine, or makes one.
func (ts *Tasks) worker() *worker {
	if n := len(ts.idle); n > 0 {
		w := ts.idle[n-1]
		ts.idle = ts.idle[:n-1]
		return w
	}
	if ts.Pool != nil {
		if w := ts.Pool.take(); w != nil {
			return w
		}
	}
	w := &worker{}
	w.next, w.stop = iter.Pull(func(yield func(struct{}) bool) {
		w.yield = yield
		growStack(0)
		for {
			t := w.task
			t.body(t.fn)
			t.returned = true
			w.task = nil
			if !yield(struct{}{}) { // idle until the next task
				return
			}
		}
	})
	return w
}

// taskStack is the stack a coroutine grows to before its first task:
// task bodies run deep, and a stack grown once while it is shallow is
// copied cheaply, where growing it inside a task copies and adjusts every
// frame of the task's call chain, at each doubling.
const taskStack = 4 << 10

// growStack makes the goroutine's stack big enough for a frame of
// taskStack bytes; i keeps the frame from being optimised away.
//
//go:noinline
func growStack(i int) byte {
	var buf [taskStack]byte
	buf[i] = 1
	return buf[i/2]
}

// body runs fn and turns a panic into a Crash with the task's own stack.
func (t *Task) body(fn func(t *Task)) {
	defer t.recovered()
	fn(t)
}

func (t *Task) recovered() {
	r := recover()
	if r == nil {
		return
	}
	if _, ok := r.(taskKilled); ok {
		return
	}
	t.crash = newCrash(r)
}

// Blocked lists the tasks blocked with no wake-up of their own (no
// timeout, not sleeping), in start order: only another actor can wake
// them, and at the end of a run each is an actor that never finished.
func (ts *Tasks) Blocked() []*Task {
	var out []*Task
	for _, t := range ts.live {
		if t.blocked() {
			out = append(out, t)
		}
	}
	return out
}

func (t *Task) blocked() bool { return t.onQueue && !t.done && !t.timed }

// Current is the task running now, nil outside every task (a plain
// scheduler event): how an observer of the node tells which actor made a
// call.
func (ts *Tasks) Current() *Task { return ts.current }

// Live is how many tasks have not finished.
func (ts *Tasks) Live() int { return len(ts.live) }

// Close ends every task that has not finished, unwinding each (its
// deferred calls run) in start order, and then the idle coroutines, or
// gives them to the Pool.
func (ts *Tasks) Close() {
	for len(ts.live) > 0 {
		t := ts.live[0]
		ts.Kill(t)
	}
	idle := ts.idle
	if ts.Pool != nil {
		idle = ts.Pool.give(idle)
	}
	for _, w := range idle {
		w.stop()
	}
	clear(ts.idle)
	ts.idle = nil
}

// Kill ends a suspended task: it unwinds from the point where it waits,
// as a goroutine of a process that exited. Killing a finished task, or the
// task running now, does nothing.
func (ts *Tasks) Kill(t *Task) {
	if t.done || t == ts.current {
		return
	}
	t.gen++ // its pending wake-ups are stale
	t.waiting, t.onQueue = "", false
	if t.w == nil { // never ran
		t.finish()
		return
	}
	t.killed = true
	t.step()
}

func (t *Task) finish() {
	t.done = true
	for i, x := range t.ts.live {
		if x == t {
			t.ts.live = append(t.ts.live[:i], t.ts.live[i+1:]...)
			break
		}
	}
}

// Done reports whether the task has returned (or was killed).
func (t *Task) Done() bool { return t.done }

// Now is the virtual time.
func (t *Task) Now() time.Duration { return t.ts.Sched.Now() }

// String renders the task as "name waits on what" or "name".
func (t *Task) String() string {
	if t.waiting != "" {
		return t.Name + " waits on " + t.waiting
	}
	return t.Name
}

// resume runs the task until it next suspends or returns. It is the body
// of the task's scheduler events.
func (t *Task) resume() {
	if t.done {
		return
	}
	if t.w == nil {
		t.w = t.ts.worker()
		t.w.task = t
	}
	t.step()
	if c := t.crash; c != nil {
		t.crash = nil
		panic(taskCrash{c})
	}
}

// step switches to the task's coroutine until the task suspends or
// returns; a returned task's coroutine goes idle.
func (t *Task) step() {
	ts := t.ts
	prev := ts.current
	ts.current = t
	t.w.next()
	ts.current = prev
	if t.returned {
		if ts.idle == nil {
			ts.idle = ts.idleBuf[:0]
		}
		ts.idle = append(ts.idle, t.w)
		t.w = nil
		t.finish()
	}
}

// suspend hands control back to the event that resumed the task.
func (t *Task) suspend() {
	if t.ts.current != t {
		panic("sim: a task may only suspend itself, from inside itself")
	}
	if !t.w.yield(struct{}{}) || t.killed {
		panic(taskKilled{})
	}
}

// Yield is a yield point: the task lets everything else due now run
// first, in an order the Chooser picks, and goes on at the same instant.
// Put one wherever the real code makes a system call or touches state
// another actor shares.
func (t *Task) Yield() {
	t.waiting = "yield"
	if t.goOn(0) {
		return
	}
	t.schedule(0)
	t.suspend()
}

// Sleep suspends the task for d of virtual time.
func (t *Task) Sleep(d time.Duration) {
	t.waiting = "sleep"
	if t.goOn(max(d, 0)) {
		return
	}
	t.schedule(max(d, 0))
	t.suspend()
}

// block suspends the task until wake is called for it, or until timeout
// (a negative timeout: none). It reports whether it was woken.
func (t *Task) block(what string, timeout time.Duration) bool {
	if what == "" {
		what = "an unnamed wait"
	}
	t.waiting, t.onQueue = what, true
	t.woke = false
	t.timed = timeout >= 0
	if timeout >= 0 {
		// Woken by nothing before its timeout, when that is the next event.
		if t.goOn(timeout) {
			return false
		}
		t.schedule(timeout)
	}
	t.suspend()
	return t.woke
}

// wake makes a blocked task runnable now; a task not blocked is left
// alone.
func (t *Task) wake() {
	if !t.onQueue || t.done {
		return
	}
	t.gen++ // its timeout is stale
	t.woke = true
	t.schedule(0)
}
