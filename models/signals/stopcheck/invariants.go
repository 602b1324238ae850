package stopcheck

import (
	"cmp"
	"fmt"
	"slices"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/sim"
)

// The invariants the checker checks are the signals model's (a name means
// one thing whichever checker reports it), with a panic in Stop reported
// as the model's crash. Each is stated so that it holds for every
// interleaving of a correct implementation: where two things happen at the
// same virtual instant (a process exiting exactly at its deadline), either
// order is accepted.
//
// Invariants lists them.
func Invariants() []sim.Invariant {
	return []sim.Invariant{signals.InvGracefulExit, signals.InvNoEarlyKill, signals.InvStopSignalFirst,
		signals.InvStopInTime, sim.CrashInvariant, signals.InvStopIdempotent}
}

// check returns the first violation of each invariant, ordered by when it
// happened.
func check(r *Result) []sim.Violation {
	const epsilon = signals.Epsilon
	var vs []sim.Violation
	add := func(inv sim.Invariant, at time.Duration, format string, args ...any) {
		for _, v := range vs {
			if v.Invariant == inv.Name {
				return
			}
		}
		vs = append(vs, sim.Violation{Invariant: inv.Name, At: at, Message: fmt.Sprintf(format, args...)})
	}
	c := r.Case
	deadline := c.Deadline()

	// SIGKILLs that reached the process: sent while it was alive.
	var kills []SignalRecord
	for _, s := range r.Signals {
		if s.Signal == syscall.SIGKILL && s.Outcome != NoSuchProcess {
			kills = append(kills, s)
		}
	}

	if len(kills) > 0 && kills[0].At < deadline {
		add(signals.InvNoEarlyKill, kills[0].At, "SIGKILL at %s, before the effective deadline %s (earliest arrival + timeout)", kills[0].At, deadline)
	}

	if r.HasOwnExit && r.OwnExit < deadline {
		if len(kills) > 0 && kills[0].At <= r.OwnExit {
			add(signals.InvGracefulExit, kills[0].At, "the process was due to exit on its own at %s, before its deadline %s, and was SIGKILLed at %s", r.OwnExit, deadline, kills[0].At)
		} else if !r.Exit.Own {
			add(signals.InvGracefulExit, r.Exit.At, "the process was due to exit on its own at %s, before its deadline %s, and ended %s at %s", r.OwnExit, deadline, r.Exit.Status, r.Exit.At)
		}
	}

	for _, s := range r.Signals {
		if s.Outcome == NoSuchProcess {
			continue
		}
		if s.Signal != c.StopSignal && !(s.Signal == syscall.SIGKILL && timeoutZeroBy(c, s.At)) {
			add(signals.InvStopSignalFirst, s.At, "the first signal the running process got was %s at %s, want its stop signal %s", signalName(s.Signal), s.At, signalName(c.StopSignal))
		}
		break
	}

	for i, cr := range r.Calls {
		n := i + 1
		own := c.Process.after(cr.Call.At+cr.Timeout) + epsilon
		switch {
		case !cr.Returned:
			add(signals.InvStopInTime, own, "call %d (at %s, timeout %s) had not returned at %s, %s after its deadline", n, cr.Call.At, cr.Timeout, cr.At, cr.At-own+epsilon)
		case cr.Panic != "":
			add(sim.CrashInvariant, cr.At, "call %d (at %s, timeout %s) panicked: %s", n, cr.Call.At, cr.Timeout, cr.Panic)
		case cr.Err != nil:
			add(signals.InvStopIdempotent, cr.At, "call %d (at %s, timeout %s) returned %q, want nil", n, cr.Call.At, cr.Timeout, cr.Err)
		case !cr.Gone:
			add(signals.InvStopInTime, cr.At, "call %d (at %s, timeout %s) returned nil at %s while the process was still running", n, cr.Call.At, cr.Timeout, cr.At)
		case cr.At > own:
			add(signals.InvStopInTime, own, "call %d (at %s, timeout %s) returned at %s, later than its deadline %s + %s", n, cr.Call.At, cr.Timeout, cr.At, own-epsilon, epsilon)
		case cr.At > max(cr.Call.At, r.Exit.At)+epsilon:
			add(signals.InvStopInTime, max(cr.Call.At, r.Exit.At)+epsilon, "call %d (at %s, timeout %s) returned at %s, more than %s after the process exited at %s", n, cr.Call.At, cr.Timeout, cr.At, epsilon, r.Exit.At)
		}
	}
	slices.SortStableFunc(vs, func(a, b sim.Violation) int { return cmp.Compare(a.At, b.At) })
	return vs
}

// timeoutZeroBy reports whether a call with timeout 0 had arrived by at.
func timeoutZeroBy(c Case, at time.Duration) bool {
	return slices.ContainsFunc(c.Calls, func(call Call) bool { return call.Timeout == 0 && call.At <= at })
}
