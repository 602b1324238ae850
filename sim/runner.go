package sim

import (
	"fmt"
	"time"
)

// Violation is a broken invariant: which one, when, and what was seen.
type Violation struct {
	Invariant string
	At        time.Duration
	Message   string
	// Site is where the code crashed, for a crash.
	Site *Site
}

// String renders the violation in one line.
func (v Violation) String() string {
	return fmt.Sprintf("%s at %s: %s", v.Invariant, FormatDuration(v.At), v.Message)
}

// Result is the outcome of one run of a model: the violations (first of
// each invariant, in order), the trace, and how many events ran.
type Result struct {
	Violations []Violation
	Trace      *Trace
	Events     int
}

// Violated returns the name of the first violated invariant, or "".
func (r Result) Violated() string {
	if len(r.Violations) == 0 {
		return ""
	}
	return r.Violations[0].Invariant
}

// Has reports whether an invariant was violated.
func (r Result) Has(name string) bool {
	for _, v := range r.Violations {
		if v.Invariant == name {
			return true
		}
	}
	return false
}

// Invariant names a property every correct implementation keeps, with one
// line saying what it guarantees.
type Invariant struct {
	Name    string
	Summary string
}

// The invariants the runner itself checks.
var (
	// CrashInvariant: simulated code never panics.
	CrashInvariant = Invariant{"crash", "the daemon never panics"}
	// RunawayInvariant: a run ends within its event budget.
	RunawayInvariant = Invariant{"runaway", "a scenario ends within its event budget (no livelock)"}
)

// Runner executes the events of a Scheduler one at a time, runs each inside
// Protect so a panic becomes a "crash" violation, and checks the invariants
// after every event. It keeps the first violation of each invariant and goes
// on, so a crash can be followed by what it leads to (a crash loop).
type Runner struct {
	Sched *Scheduler
	Trace *Trace
	// Check returns the invariants broken now; called after every event.
	Check func(now time.Duration) []Violation
	// OnCrash is told of every crash, to restart the daemon that died.
	OnCrash func(c *Crash)
	// Horizon ends the run at this virtual time (0: run until idle).
	Horizon time.Duration
	// MaxEvents bounds the run (0: 10000).
	MaxEvents int
	// Calls, when set, is the ledger of the calls between the run's
	// actors: a call still pending when the run ends is a hang.
	Calls *Calls
	// Tasks, when set, are the run's actors running as tasks: one blocked
	// for good when the run ends is named in the hang, and every task
	// still suspended is ended once the run is over.
	Tasks *Tasks
	// Liveness, when set, is the run's liveness phase: faults lifted after
	// its From, and the converged check at the end.
	Liveness *Liveness

	violations []Violation
	seen       map[string]bool
	events     int
	budget     int
	// inEvent is set while the loop runs an event (see resumeInline);
	// noInline, for tests, has every task suspend.
	inEvent, noInline bool
}

// Report records a violation unless one of the same invariant is recorded already.
func (r *Runner) Report(v Violation) {
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[v.Invariant] {
		return
	}
	r.seen[v.Invariant] = true
	r.violations = append(r.violations, v)
	r.Trace.Violation(v)
}

// Reported reports whether a violation of the invariant is recorded
// already: a check may skip work that could only find it again.
func (r *Runner) Reported(invariant string) bool { return r.seen[invariant] }

// Run executes events until none is left, the horizon or the event budget
// is reached, and returns the violations in the order they first happened.
func (r *Runner) Run() []Violation {
	if r.Tasks != nil {
		// Also when the Chooser aborts the run (rapid's draws run out).
		defer r.Tasks.Close()
	}
	r.budget = r.MaxEvents
	if r.budget == 0 {
		r.budget = 10000
	}
	if r.Tasks != nil && !r.noInline {
		r.Tasks.runner = r
		defer func() { r.Tasks.runner = nil }()
	}
	for {
		ev := r.Sched.Next()
		if ev == nil || (r.Horizon > 0 && ev.At > r.Horizon) {
			break
		}
		r.events++
		if r.events > r.budget {
			r.Report(Violation{Invariant: RunawayInvariant.Name, At: ev.At, Message: fmt.Sprintf("more than %d events", r.budget)})
			break
		}
		r.startPhase(ev.At)
		r.inEvent = true
		r.do(ev.Name, ev.Do)
		r.inEvent = false
		// A task resumed inline may have moved the clock past ev.At.
		r.overdue(r.Sched.Now())
	}
	if !r.Reported(RunawayInvariant.Name) {
		end := r.Sched.Now()
		if r.Horizon > 0 && end > r.Horizon {
			end = r.Horizon // the event that ended the run lies past it
		}
		r.endChecks(end)
	}
	return r.violations
}

// Do runs one action now, outside the queue, as Run runs an event: a panic
// becomes a crash violation and the invariants are checked after it.
func (r *Runner) Do(name string, fn func()) { r.do(Label{name}, fn) }

func (r *Runner) do(name Label, fn func()) {
	crash := Protect(fn)
	// Read after fn: a task resumed inline in fn may have moved the clock
	// (see resumeInline); otherwise it is the event's time.
	now := r.Sched.Now()
	if crash != nil {
		if !r.Trace.Off {
			r.Trace.Crash(now, name.String(), crash)
		}
		site := crash.Site
		r.Report(Violation{Invariant: CrashInvariant.Name, At: now, Message: crash.Error(), Site: &site})
		if r.OnCrash != nil {
			r.OnCrash(crash)
		}
	}
	r.check(now)
}

// check reports what the invariants find now.
func (r *Runner) check(now time.Duration) {
	if r.Check != nil {
		for _, v := range r.Check(now) {
			r.Report(v)
		}
	}
}

// resumeInline is what the loop would do between the end of the event
// running now and the start of a task's wake-up d from now, when that
// wake-up would be the next event and the only one due at its time (no
// choice between them, nothing else runs first): the checks after the
// event, the count and the liveness phase before the next. It reports
// whether it did them, in which case the task goes on without suspending:
// the same run, verdicts and trace, without two coroutine switches and an
// event. It declines outside the loop's events, past the horizon and at
// the event budget, where the loop itself decides.
func (r *Runner) resumeInline(d time.Duration) bool {
	s := r.Sched
	at := s.now + d
	if !r.inEvent || !s.alone(at) || (r.Horizon > 0 && at > r.Horizon) || r.events >= r.budget {
		return false
	}
	r.check(s.now)
	r.overdue(s.now)
	s.now = at
	r.events++
	r.startPhase(at)
	return true
}

// Events returns how many events ran.
func (r *Runner) Events() int { return r.events }
