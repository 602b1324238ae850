package signals

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// InvRuntimeSignalsOwn is the contract of the OCI runtime's kill: whatever
// the kernel, it signals the container it was asked to, or nothing.
var InvRuntimeSignalsOwn = sim.Invariant{Name: "runtime-signals-own-container",
	Summary: "a signal the OCI runtime sends for a container reaches only a process of that container, never another process that holds one of its pids since"}

func pidReuseFaultSpecs() []faults.Spec {
	return []faults.Spec{{
		Name: "pid-reuse", Kind: faults.Timing,
		Summary: "the node's pid allocator has wrapped around (pid_max reached) to just below the container's pid when a host process starts: if the container's process has exited and been reaped by then, the host process takes its pid",
		Params: []faults.Param{{Name: "container", Type: faults.String, Summary: "the container whose pid the allocator reaches"},
			{Name: "at", Type: faults.Duration, Summary: "virtual time the host process starts (after 0, when the container took its pid)"}},
		Build: func(a faults.Args) (faults.Fault, error) {
			f := PidReuse{Container: a.Get("container"), At: a.Duration("at")}
			if f.At <= 0 {
				return nil, fmt.Errorf("at: %s: expected a time after 0 (the container's process takes its pid at 0; a wrap onto it comes later)", sim.FormatDuration(f.At))
			}
			return f, nil
		},
	}}
}

// PidReuse starts a host process at At with the node's ns_last_pid just
// below the container's pid: the allocator's cursor after a wrap of pid_max.
// The host process takes the pid if no process holds it then, else the next
// free one; it runs until the end with every signal's default action.
type PidReuse struct {
	Container string
	At        time.Duration
}

// Name implements Fault.
func (PidReuse) Name() string { return "pid-reuse" }

// Args implements Fault.
func (f PidReuse) Args() faults.Args {
	return faults.Args{{Name: "container", Value: f.Container}, {Name: "at", Value: sim.FormatDuration(f.At)}}
}

// Target names the container whose pid the allocator reaches.
func (f PidReuse) Target() string { return f.Container }

// Time implements TimedFault.
func (f PidReuse) Time() time.Duration { return f.At }

// schedulePidReuse schedules the case's pid-reuse faults and returns the
// latest of their times (0 if none).
func (w *world) schedulePidReuse() time.Duration {
	last, n := time.Duration(0), 0
	for _, f := range w.c.Faults {
		pr, ok := f.(PidReuse)
		if !ok {
			continue
		}
		n++
		name := "host-job-" + strconv.Itoa(n)
		w.sched.At(pr.At, "pid-reuse", func() { w.hostProcess(name, pr.Container) })
		last = max(last, pr.At)
	}
	return last
}

// hostProcess starts a host process with the allocator's cursor just below
// the container's pid.
func (w *world) hostProcess(name, container string) {
	x := w.crio.lookup(container)
	if x == nil { // its create failed: no pid to come back to
		w.trace.Add(w.sched.Now(), "node", "pid-reuse: %s has no process", container)
		return
	}
	w.procs.Root().SetLastPID(x.proc.PID - 1)
	p := w.procs.Spawn(name, proc.Behaviour{})
	if p.PID == x.proc.PID && w.oracle.killingFor(x) {
		w.reusesInsideKill++
	}
	if !w.trace.Off {
		how := "free"
		if p.PID != x.proc.PID {
			how = "taken"
		}
		w.trace.Fault(w.sched.Now(), "pid allocator wrapped to %s's pid %d (%s): %s started with pid %d", container, x.proc.PID, how, name, p.PID)
	}
}

// runtimeKill marks the running task as the OCI runtime's kill for x until
// the returned function is called: the signals it sends are for x.
func (o *oracle) runtimeKill(t *sim.Task, x *ctr) func() {
	if o.killing == nil {
		o.killing = map[*sim.Task]*ctr{}
	}
	o.killing[t] = x
	return func() { delete(o.killing, t) }
}

// killingFor reports whether an OCI runtime's kill for x is under way.
func (o *oracle) killingFor(x *ctr) bool {
	for _, k := range o.killing {
		if k == x {
			return true
		}
	}
	return false
}

// runtimeSent checks a signal sent by the task running now, if it is the
// OCI runtime's kill for a container.
func (o *oracle) runtimeSent(p *proc.Proc, s proc.SentSignal) {
	t := o.w.tasks.Current()
	if t == nil {
		return
	}
	x := o.killing[t]
	if x == nil || x.owns(p) {
		return
	}
	o.report(InvRuntimeSignalsOwn, "%s for %s reached %s (pid %d), not a process of %s (its process had pid %d)",
		proc.SignalName(s.Sig), x.spec.Name, p.Name, p.PID, x.spec.Name, x.proc.PID)
}

// owns reports whether p is a process of the container: one that joined
// its cgroup, its first process, a process of its pid namespace, one
// exec'd in it, or a descendant of one of these.
func (x *ctr) owns(p *proc.Proc) bool {
	if x.cg != nil && slices.Contains(x.cg.procs, p) {
		return true
	}
	for q := p; q != nil; q = q.Parent {
		if q == x.proc || (x.proc.B.NewPidNS && q.NS() == x.proc.NS()) {
			return true
		}
		for _, e := range x.execs {
			if q == e {
				return true
			}
		}
	}
	return false
}
