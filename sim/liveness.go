package sim

import (
	"fmt"
	"strings"
	"time"
)

// ConvergedInvariant: once the faults stop, the system settles. After a
// model's liveness phase nothing it made for a request that is over is
// left behind.
var ConvergedInvariant = Invariant{"converged",
	"after the last fault and a fault-free liveness phase nothing is left over: no pending call, stray process, scope, rule or cgroup"}

// Liveness is a run's liveness phase, as in TigerBeetle's VOPR: from the
// last fault or step on, the model lifts the faults still in force (a
// signal that would be dropped is delivered, a dead monitor stays dead
// but no new one dies) and the system runs fault-free to the horizon; then
// every call must have returned and the model must have converged.
type Liveness struct {
	// From is the time of the last fault or step: the phase starts with
	// the first event after it.
	From time.Duration
	// Heal lifts the faults still in force when the phase starts (nil:
	// nothing to lift).
	Heal func()
	// Leftovers lists, in a stable order, what the model left behind at
	// the end of the phase (nil: the model does not say).
	Leftovers func() []string

	started bool
}

// startPhase runs Heal once, before the first event past From.
func (r *Runner) startPhase(at time.Duration) {
	l := r.Liveness
	if l == nil || l.started || at <= l.From {
		return
	}
	l.started = true
	if !r.Trace.Off {
		r.Trace.Add(at, "check", "liveness phase: no fault after %s, running fault-free", FormatDuration(l.From))
	}
	if l.Heal != nil {
		r.do(Label{"liveness phase"}, l.Heal)
	}
}

// overdue reports a call pending past its bound as a hang (at the bound:
// it is seen at the first event after), at most once per run.
func (r *Runner) overdue(now time.Duration) {
	if r.Calls == nil || r.Calls.bounded == 0 || r.Reported(HangInvariant.Name) {
		return
	}
	for _, c := range r.Calls.pending {
		if c.Within > 0 && now > c.At+c.Within {
			r.Report(r.hangViolation(c.At+c.Within, fmt.Sprintf("%s did not return within %s", c.String(), FormatDuration(c.Within))))
			return
		}
	}
}

// hangViolation names every pending call and every blocked task.
func (r *Runner) hangViolation(now time.Duration, head string) Violation {
	var parts []string
	if r.Calls != nil {
		for _, c := range r.Calls.pending {
			parts = append(parts, c.String())
		}
	}
	if r.Tasks != nil {
		for _, t := range r.Tasks.Blocked() {
			parts = append(parts, t.String())
		}
	}
	return Violation{Invariant: HangInvariant.Name, At: now, Message: head + ": " + strings.Join(parts, "; ")}
}

// endChecks are the checks at the end of a run: calls that never
// returned, tasks blocked for good, and what did not converge.
func (r *Runner) endChecks(end time.Duration) {
	if !r.Reported(HangInvariant.Name) {
		n := 0
		if r.Calls != nil {
			n = len(r.Calls.pending)
		}
		if n > 0 {
			r.Report(r.hangViolation(end, fmt.Sprintf("%d call(s) never returned", n)))
		} else if r.Tasks != nil {
			if b := len(r.Tasks.Blocked()); b > 0 {
				r.Report(r.hangViolation(end, fmt.Sprintf("%d actor(s) blocked for good", b)))
			}
		}
	}
	if l := r.Liveness; l != nil && l.Leftovers != nil {
		if left := l.Leftovers(); len(left) > 0 {
			r.Report(Violation{Invariant: ConvergedInvariant.Name, At: end,
				Message: fmt.Sprintf("%d thing(s) left over after the liveness phase: %s", len(left), strings.Join(left, "; "))})
		}
	}
}
