package stopcheck

import (
	"cmp"
	"fmt"
	"slices"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// The invariants every StopContainer implementation keeps. They share their
// names with the discrete-event signals model; none of them names a bug.
// Each is stated so that it holds for every interleaving of a correct
// implementation: where two things happen at the same virtual instant (a
// process exiting exactly at its deadline), either order is accepted.
var (
	InvGracefulExit = sim.Invariant{Name: "graceful-exit-not-killed",
		Summary: "a process that exits on its own before its deadline (after its stop signal, or at the end of its life) is never SIGKILLed and keeps its own exit status"}
	InvNoEarlySIGKILL = sim.Invariant{Name: "no-early-sigkill",
		Summary: "no SIGKILL reaches the running process before the effective deadline, the earliest arrival + timeout over the calls (timeout 0 allows it at once)"}
	InvStopSignalFirst = sim.Invariant{Name: "stop-signal-first",
		Summary: "the first signal the running process gets is its stop signal; SIGKILL may come first only after a call with timeout 0 (containerd's semantics)"}
	InvStopReturnsInTime = sim.Invariant{Name: "stop-returns-in-time",
		Summary: "a Stop returns nil only when the process is gone, within epsilon of the later of its arrival and the exit, and no later than its own arrival + timeout + epsilon (or the end of an uninterruptible sleep spanning that deadline)"}
	InvStopNeverPanics = sim.Invariant{Name: "stop-never-panics",
		Summary: "Stop never panics"}
	InvStopIdempotent = sim.Invariant{Name: "stop-idempotent",
		Summary: "every Stop returns nil, also the calls made after the process was gone or while another call was stopping it"}
)

// Invariants lists the invariants the checker checks.
func Invariants() []sim.Invariant {
	return []sim.Invariant{InvGracefulExit, InvNoEarlySIGKILL, InvStopSignalFirst,
		InvStopReturnsInTime, InvStopNeverPanics, InvStopIdempotent}
}

// check returns the first violation of each invariant, ordered by when it
// happened.
func check(r *Result, epsilon time.Duration) []sim.Violation {
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
		add(InvNoEarlySIGKILL, kills[0].At, "SIGKILL at %s, before the effective deadline %s (earliest arrival + timeout)", kills[0].At, deadline)
	}

	if r.HasOwnExit && r.OwnExit < deadline {
		if len(kills) > 0 && kills[0].At <= r.OwnExit {
			add(InvGracefulExit, kills[0].At, "the process was due to exit on its own at %s, before its deadline %s, and was SIGKILLed at %s", r.OwnExit, deadline, kills[0].At)
		} else if !r.Exit.Own {
			add(InvGracefulExit, r.Exit.At, "the process was due to exit on its own at %s, before its deadline %s, and ended %s at %s", r.OwnExit, deadline, r.Exit.Status, r.Exit.At)
		}
	}

	for _, s := range r.Signals {
		if s.Outcome == NoSuchProcess {
			continue
		}
		if s.Signal != c.StopSignal && !(s.Signal == syscall.SIGKILL && timeoutZeroBy(c, s.At)) {
			add(InvStopSignalFirst, s.At, "the first signal the running process got was %s at %s, want its stop signal %s", signalName(s.Signal), s.At, signalName(c.StopSignal))
		}
		break
	}

	for i, cr := range r.Calls {
		n := i + 1
		own := c.Process.after(cr.Call.At+cr.Timeout) + epsilon
		switch {
		case !cr.Returned:
			add(InvStopReturnsInTime, own, "call %d (at %s, timeout %s) had not returned at %s, %s after its deadline", n, cr.Call.At, cr.Timeout, cr.At, cr.At-own+epsilon)
		case cr.Panic != "":
			add(InvStopNeverPanics, cr.At, "call %d (at %s, timeout %s) panicked: %s", n, cr.Call.At, cr.Timeout, cr.Panic)
		case cr.Err != nil:
			add(InvStopIdempotent, cr.At, "call %d (at %s, timeout %s) returned %q, want nil", n, cr.Call.At, cr.Timeout, cr.Err)
		case !cr.Gone:
			add(InvStopReturnsInTime, cr.At, "call %d (at %s, timeout %s) returned nil at %s while the process was still running", n, cr.Call.At, cr.Timeout, cr.At)
		case cr.At > own:
			add(InvStopReturnsInTime, own, "call %d (at %s, timeout %s) returned at %s, later than its deadline %s + %s", n, cr.Call.At, cr.Timeout, cr.At, own-epsilon, epsilon)
		case cr.At > max(cr.Call.At, r.Exit.At)+epsilon:
			add(InvStopReturnsInTime, max(cr.Call.At, r.Exit.At)+epsilon, "call %d (at %s, timeout %s) returned at %s, more than %s after the process exited at %s", n, cr.Call.At, cr.Timeout, cr.At, epsilon, r.Exit.At)
		}
	}
	slices.SortStableFunc(vs, func(a, b sim.Violation) int { return cmp.Compare(a.At, b.At) })
	return vs
}

// timeoutZeroBy reports whether a call with timeout 0 had arrived by at.
func timeoutZeroBy(c Case, at time.Duration) bool {
	return slices.ContainsFunc(c.Calls, func(call Call) bool { return call.Timeout == 0 && call.At <= at })
}
