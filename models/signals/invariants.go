package signals

import (
	"fmt"
	"math"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// Epsilon bounds how late StopContainer may return after its deadline (or
// after the process could first be killed, if it was in uninterruptible
// sleep): polling, SIGKILL back-off and a delayed or reordered signal.
const Epsilon = 3 * time.Second

// The generic invariants of a graceful stop.
var (
	InvGracefulExit = sim.Invariant{Name: "graceful-exit-not-killed",
		Summary: "a process that exits within its grace period after its stop signal is never SIGKILLed and keeps its own exit status"}
	InvNoEarlyKill = sim.Invariant{Name: "no-early-sigkill",
		Summary: "nothing is SIGKILLed before its grace period has elapsed, unless the timeout was 0"}
	InvStopSignalFirst = sim.Invariant{Name: "stop-signal-first",
		Summary: "the first signal a running container gets on any stop path is its stop signal (or SIGKILL after a timeout of 0)"}
	InvStopInTime = sim.Invariant{Name: "stop-returns-in-time",
		Summary: "StopContainer returns within its timeout plus epsilon, and the process is gone when it returns"}
	InvStopIdempotent = sim.Invariant{Name: "stop-idempotent",
		Summary: "every StopContainer call succeeds, repeated or late"}
	InvScopeProps = sim.Invariant{Name: "scope-properties-as-requested",
		Summary: "a scope has the properties its annotations requested"}
)

// Invariants lists every invariant the model checks.
func Invariants() []sim.Invariant {
	return []sim.Invariant{sim.CrashInvariant, InvGracefulExit, InvNoEarlyKill, InvStopSignalFirst,
		InvStopInTime, InvStopIdempotent, InvScopeProps, sim.HangInvariant, sim.ConvergedInvariant, sim.RunawayInvariant}
}

// oracle watches the node (signals sent, exits, CRI calls) and knows each
// container's stop deadline from the spec: the earliest of every stop
// path's start plus its grace. It never looks at the variant.
type oracle struct {
	w       *world
	byProc  map[*proc.Proc]*watched
	pending []sim.Violation
	calls   []*stopCall
}

type watched struct {
	x        *ctr
	deadline time.Duration // math.MaxInt64: no stop path yet
	// zero: a StopContainer with timeout 0 arrived, which asks for the
	// container to be killed at once (containerd sends only SIGKILL then).
	zero bool
}

type stopCall struct {
	name    string
	at      time.Duration
	timeout time.Duration
}

func newOracle(w *world) *oracle {
	o := &oracle{w: w, byProc: map[*proc.Proc]*watched{}}
	w.procs.OnSend = o.sent
	w.procs.OnExit = o.exited
	return o
}

func (o *oracle) report(inv sim.Invariant, format string, args ...any) {
	o.pending = append(o.pending, sim.Violation{Invariant: inv.Name, At: o.w.sched.Now(), Message: fmt.Sprintf(format, args...)})
}

// check hands the runner what was seen during the last event.
func (o *oracle) check(time.Duration) []sim.Violation {
	vs := o.pending
	o.pending = nil
	return vs
}

// created checks the scope against the annotations that asked for it.
func (o *oracle) created(x *ctr, ann []Annotation) {
	o.byProc[x.proc] = &watched{x: x, deadline: math.MaxInt64}
	props, err := annotationProperties(ann)
	if err != nil {
		return
	}
	for _, p := range props {
		if !requestedMatches(x.scope, p) {
			got, _ := x.scope.Get(p.Name)
			o.report(InvScopeProps, "scope %s: annotation asked for %s, the scope has %s=%s", x.scope.Name, p, p.Name, got)
		}
	}
}

// startPath records a stop path reaching a container: its deadline can
// only move earlier.
func (o *oracle) startPath(x *ctr, deadline time.Duration) {
	if wt := o.byProc[x.proc]; wt != nil && !x.proc.Exited {
		wt.deadline = min(wt.deadline, deadline)
	}
}

func (o *oracle) stopCalled(name string, timeout time.Duration) *stopCall {
	now := o.w.sched.Now()
	if x := o.w.crio.lookup(name); x != nil {
		o.startPath(x, now+timeout)
		if wt := o.byProc[x.proc]; wt != nil && timeout == 0 {
			wt.zero = true
		}
	}
	c := &stopCall{name: name, at: now, timeout: timeout}
	o.calls = append(o.calls, c)
	return c
}

// shutdownStarted: the shutdown transaction is a stop path with the pod's
// grace period (what the scope's TimeoutStopUSec was asked to be).
func (o *oracle) shutdownStarted() {
	now := o.w.sched.Now()
	for _, x := range o.w.crio.ctrs {
		o.startPath(x, now+x.spec.Grace)
	}
}

func (o *oracle) stopReturned(c *stopCall, err error) {
	now := o.w.sched.Now()
	if err != nil {
		o.report(InvStopIdempotent, "StopContainer %s (timeout %s, at %s) failed: %v", c.name, sim.FormatDuration(c.timeout), sim.FormatDuration(c.at), err)
		return
	}
	x := o.w.crio.lookup(c.name)
	if x == nil {
		return
	}
	if !x.proc.Exited {
		o.report(InvStopInTime, "StopContainer %s returned while its process is still running", c.name)
	}
	bound := c.at + c.timeout
	if b := x.proc.B; b.DFor > 0 {
		bound = max(bound, x.proc.Start+b.DFrom+b.DFor)
	}
	if now > bound+Epsilon {
		o.report(InvStopInTime, "StopContainer %s (timeout %s, at %s) returned at %s: later than %s + %s",
			c.name, sim.FormatDuration(c.timeout), sim.FormatDuration(c.at), sim.FormatDuration(now), sim.FormatDuration(bound), Epsilon)
	}
}

// sent sees every signal sent on the node.
func (o *oracle) sent(p *proc.Proc, s proc.SentSignal) {
	wt := o.byProc[p]
	if wt == nil {
		return
	}
	if len(p.Sent) == 1 && s.Sig != p.StopSignal() && !(s.Sig == syscall.SIGKILL && wt.zero) {
		o.report(InvStopSignalFirst, "%s's first signal was %s from %s, not its stop signal %s",
			p.Name, proc.SignalName(s.Sig), s.From, proc.SignalName(p.StopSignal()))
	}
	if s.Sig == syscall.SIGKILL && s.At < wt.deadline {
		if wt.deadline == math.MaxInt64 {
			o.report(InvNoEarlyKill, "%s was sent SIGKILL by %s with no stop requested", p.Name, s.From)
		} else {
			o.report(InvNoEarlyKill, "%s was sent SIGKILL by %s at %s, before its grace period ends at %s",
				p.Name, s.From, sim.FormatDuration(s.At), sim.FormatDuration(wt.deadline))
		}
	}
}

// exited sees every exit.
func (o *oracle) exited(p *proc.Proc) {
	wt := o.byProc[p]
	if wt == nil {
		return
	}
	if p.KilledBy == syscall.SIGKILL && p.Handling && p.HandledAt < wt.deadline {
		o.report(InvGracefulExit, "%s was SIGKILLed at %s while cleaning up; it would have exited at %s, within its grace period (until %s)",
			p.Name, sim.FormatDuration(p.ExitedAt), sim.FormatDuration(p.HandledAt), sim.FormatDuration(wt.deadline))
	}
}

// reported checks the status the CRI server reports for a stopped
// container: one whose handler finished within its grace period reports
// the handler's own status, 0 (unknown is allowed when its monitor died).
func (o *oracle) reported(x *ctr) {
	wt := o.byProc[x.proc]
	p := x.proc
	if wt != nil && x.exitKnown && p.Handling && p.HandledAt < wt.deadline && x.exitFile != 0 {
		o.report(InvGracefulExit, "%s: reported exit status %d, but its handler would have exited 0 at %s, within its grace period",
			x.spec.Name, x.exitFile, sim.FormatDuration(p.HandledAt))
	}
}

// leftovers is what a run leaves over once its liveness phase is over: a
// container whose stop was asked for (a StopContainer or the shutdown)
// whose process still runs, and a stop loop of a live CRI server that
// never finished. A node that has powered off has nothing left.
func (w *world) leftovers() []string {
	if w.off {
		return nil
	}
	var out []string
	for _, x := range w.crio.ctrs {
		wt := w.oracle.byProc[x.proc]
		if wt != nil && wt.deadline != math.MaxInt64 && !x.proc.Exited {
			out = append(out, fmt.Sprintf("process %s (pid %d) still runs; its stop was asked for with a deadline of %s",
				x.proc.Name, x.proc.PID, sim.FormatDuration(wt.deadline)))
		}
		if x.stop.stopping && !x.stop.done.IsOpen() && !w.daemon.Exited {
			out = append(out, fmt.Sprintf("the stop loop of %s never finished", x.spec.Name))
		}
	}
	return out
}
