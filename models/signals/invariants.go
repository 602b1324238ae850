package signals

import (
	"fmt"
	"math"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
	"github.com/faultsim/faultsim/sim/systemd"
)

// Epsilon is how late, in virtual time, a StopContainer may return after
// the moment it should have: after the process exited (or its call
// arrived, if later), or after its deadline (or the end of an
// uninterruptible sleep spanning it). CRI-O's stop loop polls the
// container every 100 ms and retries SIGKILL with a back-off that starts
// at that, so a correct stop returns within a few polls; the signal faults
// of one case (a drop, a delay of at most 500 ms, a reorder) cost a
// correct stop loop one or two retries. Past the deadline, where the
// back-off may have grown to MaxKillBackoff, the model allows that too.
// The discrete-event model and stopcheck's checker of real goroutines use
// this one bound.
const Epsilon = 500 * time.Millisecond

// The generic invariants of a graceful stop, shared with stopcheck: each
// name means the same thing whichever checker reports it. None names a bug.
// A process's deadline is the earliest start of a stop path that reached
// it (a StopContainer call or the shutdown transaction) plus that path's
// timeout or grace period.
var (
	InvGracefulExit = sim.Invariant{Name: "graceful-exit-not-killed",
		Summary: "a process due to exit on its own before its deadline (its stop signal's handler finishing, or the end of its life) is never SIGKILLed or otherwise cut short, and its own exit status is the one reported"}
	InvNoEarlyKill = sim.Invariant{Name: "no-early-sigkill",
		Summary: "no SIGKILL reaches a running process before its deadline (a StopContainer with timeout 0 allows it at once)"}
	InvStopSignalFirst = sim.Invariant{Name: "stop-signal-first",
		Summary: "the first signal a running process gets on any stop path is its stop signal (or SIGKILL after a StopContainer with timeout 0)"}
	InvStopInTime = sim.Invariant{Name: "stop-returns-in-time",
		Summary: "StopContainer returns nil only when the process is gone, within Epsilon of the later of its arrival and the exit, and no later than its arrival + timeout + Epsilon (or, + MaxKillBackoff, the death of a process whose SIGKILL the node held back or the OCI runtime failed to send; + ExitFileWait where the container's monitor died)"}
	InvStopIdempotent = sim.Invariant{Name: "stop-idempotent",
		Summary: "every StopContainer call returns nil, also those made after the process was gone or while another call was stopping it"}
	InvScopeProps = sim.Invariant{Name: "scope-properties-as-requested",
		Summary: "a scope has the properties its annotations requested"}
)

// Invariants lists every invariant the model checks.
func Invariants() []sim.Invariant {
	return []sim.Invariant{sim.CrashInvariant, InvGracefulExit, InvNoEarlyKill, InvStopSignalFirst,
		InvStopInTime, InvStopIdempotent, InvScopeProps, InvExecInTime, InvRuntimeSignalsOwn, InvTreeGone, sim.HangInvariant, sim.ConvergedInvariant, sim.RunawayInvariant}
}

// oracle watches the node (signals sent, exits, CRI calls) and knows each
// container's stop deadline from the spec: the earliest of every stop
// path's start plus its grace. It never looks at the variant.
type oracle struct {
	w *world
	// watched are the containers' processes the oracle watches, in
	// creation order (a few: looked up by a scan).
	watched    []*watched
	watchedBuf [4]*watched
	pending    []sim.Violation
	calls      []*stopCall
	callBuf    [4]stopCall // where the first calls are kept
	// killing maps each task running the OCI runtime's kill to the
	// container it was asked to signal.
	killing map[*sim.Task]*ctr
}

type watched struct {
	x        *ctr
	deadline time.Duration // math.MaxInt64: no stop path yet
	// zero: a StopContainer with timeout 0 arrived, which asks for the
	// container to be killed at once (containerd sends only SIGKILL then).
	zero bool
	// lastKillFailed is when the OCI runtime last failed to run when
	// asked for SIGKILL (-1: never).
	lastKillFailed time.Duration
}

type stopCall struct {
	name    string
	at      time.Duration
	timeout time.Duration
}

// initOracle readies o to watch w's processes.
func initOracle(o *oracle, w *world) {
	*o = oracle{w: w}
	o.watched = o.watchedBuf[:0]
	w.procs.OnSend = o.sent
	w.procs.OnExit = o.exited
}

func (o *oracle) report(inv sim.Invariant, format string, args ...any) {
	if o.has(inv.Name) {
		return // the runner keeps only the first violation of each invariant
	}
	o.pending = append(o.pending, sim.Violation{Invariant: inv.Name, At: o.w.sched.Now(), Message: fmt.Sprintf(format, args...)})
}

// has reports whether a violation of the invariant is recorded already
// or waits to be: the runner would drop another.
func (o *oracle) has(invariant string) bool {
	if o.w.runner.Reported(invariant) {
		return true
	}
	for _, v := range o.pending {
		if v.Invariant == invariant {
			return true
		}
	}
	return false
}

// check hands the runner what was seen during the last event.
func (o *oracle) check(time.Duration) []sim.Violation {
	vs := o.pending
	o.pending = nil
	return vs
}

// created checks the scope against the annotations that asked for it.
func (o *oracle) created(x *ctr, ann []Annotation) {
	x.watch = watched{x: x, deadline: math.MaxInt64, lastKillFailed: -1}
	x.wt = &x.watch
	o.watched = append(o.watched, x.wt)
	var buf [8]systemd.Property
	props, err := appendAnnotationProperties(buf[:0], ann)
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
	if wt := x.wt; wt != nil && !x.proc.Exited {
		wt.deadline = min(wt.deadline, deadline)
	}
}

// runtimeFailed records the OCI runtime failing to run (the node's tool
// failed) when asked to send sig to a running process. CRI-O's stop loop
// drops a failed stop signal (a finding: the process's first signal is
// then SIGKILL at the deadline) and retries only SIGKILL.
func (o *oracle) runtimeFailed(x *ctr, sig syscall.Signal) {
	wt := x.wt
	if wt == nil || x.proc.Exited {
		return
	}
	if sig == syscall.SIGKILL {
		wt.lastKillFailed = o.w.sched.Now()
	}
}

func (o *oracle) stopCalled(name string, timeout time.Duration) *stopCall {
	now := o.w.sched.Now()
	if x := o.w.crio.lookup(name); x != nil {
		o.startPath(x, now+timeout)
		if wt := x.wt; wt != nil && timeout == 0 {
			wt.zero = true
		}
	}
	var c *stopCall
	if n := len(o.calls); n < len(o.callBuf) {
		c = &o.callBuf[n]
	} else {
		c = new(stopCall)
	}
	*c = stopCall{name: name, at: now, timeout: timeout}
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
	o.treeReturned(x)
	// Past its deadline the stop loop checks only between SIGKILLs, whose
	// back-off grows to MaxKillBackoff: an exit there (a SIGKILL held back
	// by an uninterruptible sleep spanning the deadline, or delayed by the
	// node) may be seen that much later.
	// The loop's deadline is the earliest of the stop calls made on the
	// container so far: a call with a shorter timeout brings it forward.
	deadline := c.at + c.timeout
	killFrom := deadline
	for _, oc := range o.calls {
		if oc.name == c.name {
			killFrom = min(killFrom, oc.at+oc.timeout)
		}
	}
	exitSlack := Epsilon
	if x.proc.ExitedAt >= killFrom {
		exitSlack = Epsilon + MaxKillBackoff
	}

	// A SIGKILL the node held back (an uninterruptible sleep spanning the
	// deadline, a delayed or reordered signal; the node never loses one)
	// or the OCI runtime failed to send
	// moves the bound to when the process did die: the loop sees it at its
	// next retry.
	bound, slack := deadline, Epsilon
	if wt := x.wt; wt != nil && wt.lastKillFailed >= killFrom && x.proc.Exited && x.proc.ExitedAt >= wt.lastKillFailed {
		bound, slack = max(bound, x.proc.ExitedAt), exitSlack
	}
	if b := x.proc.B; b.DFor > 0 {
		if dEnd := x.proc.Start + b.DFrom + b.DFor; dEnd >= killFrom {
			bound, slack = max(bound, dEnd), max(slack, Epsilon+MaxKillBackoff)
		}
	}
	if k, ok := firstKill(x.proc, killFrom); ok && x.proc.Exited && x.proc.ExitedAt > k {
		bound, slack = max(bound, x.proc.ExitedAt), exitSlack
	}
	if x.monitorDead { // a wait for the exit file nobody writes
		slack, exitSlack = slack+ExitFileWait, exitSlack+ExitFileWait
	}
	switch since := max(c.at, x.proc.ExitedAt); {
	case now > bound+slack:
		o.report(InvStopInTime, "StopContainer %s (timeout %s, at %s) returned at %s: later than %s + %s",
			c.name, sim.FormatDuration(c.timeout), sim.FormatDuration(c.at), sim.FormatDuration(now), sim.FormatDuration(bound), slack)
	case x.proc.Exited && now > since+exitSlack:
		o.report(InvStopInTime, "StopContainer %s (timeout %s, at %s) returned at %s: more than %s after the process exited at %s",
			c.name, sim.FormatDuration(c.timeout), sim.FormatDuration(c.at), sim.FormatDuration(now), exitSlack, sim.FormatDuration(x.proc.ExitedAt))
	}
}

// firstKill is when the first SIGKILL at or after from was sent to p.
func firstKill(p *proc.Proc, from time.Duration) (time.Duration, bool) {
	for _, s := range p.Sent {
		if s.Sig == syscall.SIGKILL && s.At >= from {
			return s.At, true
		}
	}
	return 0, false
}

// ownExit is when p exits on its own: its stop handler finishing or the
// end of its life, whichever comes first; ok is false if neither is due.
func ownExit(p *proc.Proc) (at time.Duration, ok bool) {
	if p.Handling {
		at, ok = p.HandledAt, true
	}
	if p.B.ExitAt > 0 && (!ok || p.Start+p.B.ExitAt < at) {
		at, ok = p.Start+p.B.ExitAt, true
	}
	return at, ok
}

// watching returns what the oracle watches of a container's process p,
// or nil for any other process.
func (o *oracle) watching(p *proc.Proc) *watched {
	for _, wt := range o.watched {
		if wt.x.proc == p {
			return wt
		}
	}
	return nil
}

// sent sees every signal sent on the node.
func (o *oracle) sent(p *proc.Proc, s proc.SentSignal) {
	o.runtimeSent(p, s)
	wt := o.watching(p)
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
	wt := o.watching(p)
	if wt == nil {
		return
	}
	if own, ok := ownExit(p); ok && p.KilledBy == syscall.SIGKILL && own < wt.deadline {
		doing := "while cleaning up"
		if !p.Handling || own < p.HandledAt {
			doing = "before the end of its life"
		}
		o.report(InvGracefulExit, "%s was SIGKILLed at %s %s; it would have exited at %s, within its grace period (until %s)",
			p.Name, sim.FormatDuration(p.ExitedAt), doing, sim.FormatDuration(own), sim.FormatDuration(wt.deadline))
	}
}

// reported checks the status the CRI server reports for a stopped
// container: one whose handler finished within its grace period reports
// the handler's own status, 0 (unknown is allowed when its monitor died).
func (o *oracle) reported(x *ctr) {
	wt := x.wt
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
		wt := x.wt
		if wt != nil && wt.deadline != math.MaxInt64 && !x.proc.Exited {
			out = append(out, fmt.Sprintf("process %s (pid %d) still runs; its stop was asked for with a deadline of %s",
				x.proc.Name, x.proc.PID, sim.FormatDuration(wt.deadline)))
		}
		out = append(out, w.execLeftovers(x)...)
		out = append(out, w.treeLeftovers(x, wt != nil && wt.deadline != math.MaxInt64)...)
		if x.stop.stopping && !x.stop.done.IsOpen() && !w.daemon.Exited {
			out = append(out, fmt.Sprintf("the stop loop of %s never finished", x.spec.Name))
		}
	}
	return out
}
