package sim

import "time"

// schedule makes the task runnable d from now: an event whose order among
// those due at the same instant the Chooser decides.
func (t *Task) schedule(d time.Duration) {
	ts := t.ts
	var w *wakeup
	if n := len(ts.wakeups); n > 0 {
		w, ts.wakeups = ts.wakeups[n-1], ts.wakeups[:n-1]
	} else {
		w = ts.wakes.New(slab)
		*w = wakeup{ts: ts}
		w.do = w.fire
	}
	w.t, w.gen = t, t.gen
	ts.Sched.AfterLabel(d, t.label, w.do)
}

// wakeup is a scheduled resumption of a task, made stale by a later
// block or wake (gen); the objects are reused, so a yield allocates none.
type wakeup struct {
	ts  *Tasks
	t   *Task
	gen uint64
	do  func()
}

func (w *wakeup) fire() {
	t, gen := w.t, w.gen
	w.t = nil
	if w.ts.wakeups == nil {
		w.ts.wakeups = w.ts.wakeBuf[:0]
	}
	w.ts.wakeups = append(w.ts.wakeups, w)
	if gen == t.gen && !t.done {
		t.resumed()
		prev := w.ts.firing
		w.ts.firing = t
		t.resume()
		w.ts.firing = prev
	}
}

// goOn is where a task about to suspend until its wake-up d from now
// (waiting on what it has set) asks to go on at once: when it runs
// straight from its wake-up event and that wake-up would be the next
// event run, alone at its time, the Runner does what lies between the two
// events and the task goes on as its wake-up would have resumed it.
func (t *Task) goOn(d time.Duration) bool {
	ts := t.ts
	if ts.runner == nil || ts.firing != t || ts.current != t || !ts.runner.resumeInline(d) {
		return false
	}
	t.resumed()
	return true
}

// resumed is the task's state once its wake-up is taken, fired or gone on
// inline: its other wake-ups stale, waiting on nothing.
func (t *Task) resumed() {
	t.gen++
	t.waiting, t.onQueue, t.timed = "", false, false
}
