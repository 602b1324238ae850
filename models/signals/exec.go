package signals

import (
	"errors"
	"fmt"
	"strconv"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// InvExecInTime is ExecSync's contract.
var InvExecInTime = sim.Invariant{Name: "exec-sync-in-time",
	Summary: "ExecSync with a timeout returns within timeout + Epsilon of its call, with the command's own exit code if it ended before the timeout; every process of a timed-out command's process group (the command and what it forked there) is gone within Epsilon of the return, unless a delivery fault lost or held back every signal it was sent"}

// TimedOutMessage is what ExecSync answers, with exit code -1, when its
// command ran past the timeout (conmon's TIMED_OUT_MESSAGE).
const TimedOutMessage = "command timed out"

// MaxExecChildren bounds an exec-sync step's children.
const MaxExecChildren = 2

// errNotRunning is ExecSync's answer for a container that is not running.
var errNotRunning = errors.New("container is not created or running")

// execCall is one ExecSync in flight.
type execCall struct {
	name    string
	at      time.Duration
	timeout time.Duration
	p       *proc.Proc
	// group is the command and the children it forked in its process
	// group (not those that setsid()'d).
	group    []*proc.Proc
	timedOut bool
	done     bool
}

// execSync is CRI-O's ExecSyncContainer: conmon (started with -e and,
// with a timeout, -T) runs the command in the container; the CRI server
// waits for conmon's answer on the sync pipe. At the timeout conmon
// SIGKILLs the command's process (group) and answers exit code -1 with
// TimedOutMessage, which CRI-O returns as the response (not an error) so
// that kubelet's probes see a failure. The exec'd process joins the
// container's scope, and CRI-O's stop loop kills the exec'd processes
// once the container is stopped (KillExecPIDs).
func (w *world) execSync(name string, timeout, runs time.Duration, children []Child) {
	now := w.sched.Now()
	if !w.trace.Off {
		w.trace.Send(now, "kubelet", "crio", "ExecSync %s timeout %s (the command runs %s)", name, sim.FormatDuration(timeout), sim.FormatDuration(runs))
	}
	x := w.crio.lookup(name)
	if x == nil || x.stopped || x.proc.Exited {
		if !w.trace.Off {
			w.trace.Send(now, "crio", "kubelet", "ExecSync %s: %v", name, errNotRunning)
		}
		return
	}
	bound := time.Duration(0)
	if timeout > 0 {
		bound = timeout + HangBound
	}
	pending := w.calls.Begin(sim.Call{Caller: "kubelet", Callee: "crio", What: "ExecSync", Of: name, At: now, Within: bound})
	call := &execCall{name: name, at: now, timeout: timeout}
	monitor := "conmon-exec-" + name
	call.p = w.procs.Spawn("exec-"+name+"-"+strconv.Itoa(len(x.execs)+1), proc.Behaviour{ExitAt: max(runs, time.Nanosecond)})
	x.execs = append(x.execs, call.p)
	if x.scope != nil {
		x.scope.PIDs = append(x.scope.PIDs, call.p.PID)
		x.cg.procs = append(x.cg.procs, call.p)
	}
	call.group = append(call.group, call.p)
	w.forkExecChildren(x, call, children)
	reply := func(code int, msg string) {
		if call.done {
			return
		}
		call.done = true
		w.calls.End(pending)
		if msg != "" {
			msg = ": " + msg
		}
		if !w.trace.Off {
			w.trace.Send(w.sched.Now(), "crio", "kubelet", "ExecSync %s returned exit code %d%s", name, code, msg)
		}
		w.oracle.execReturned(call, code)
	}
	call.p.Watch(func(p *proc.Proc) {
		if !call.timedOut {
			w.trace.Send(w.sched.Now(), monitor, "crio", "exec in %s exited: status %d", name, p.Status)
			reply(p.Status, "")
		}
	})
	if timeout > 0 {
		w.sched.After(timeout, monitor+" timeout", func() {
			if call.p.Exited {
				return
			}
			call.timedOut = true
			if !w.trace.Off {
				w.trace.Add(w.sched.Now(), monitor, "timed out after %s", sim.FormatDuration(timeout))
			}
			if k, ok := w.impl.Monitor.(ExecKiller); ok {
				k.ExecTimedOut(w.env, monitor, call.p)
			} else {
				conmonExecTimedOut(w.env, monitor, call.p)
			}
			reply(-1, TimedOutMessage)
		})
	}
}

// forkExecChildren has an exec'd command fork its children at its start,
// each joining the container's cgroup and scope as the command does; one
// with OwnGroup calls setsid. conmon never kills those: the container's
// end does: with host_pid the runtime's kill -a of its cgroup; else the
// kernel, which kills what is left of a pid namespace when its init exits
// (crun's exec joins the container's namespace; the model runs exec'd
// commands in the node's, so it does that kill here).
func (w *world) forkExecChildren(x *ctr, call *execCall, children []Child) {
	if len(children) == 0 {
		return
	}
	var forked []*proc.Proc
	defer func() {
		if x.spec.HostPID || len(forked) == 0 {
			return
		}
		x.proc.Watch(func(*proc.Proc) {
			for _, p := range forked {
				_ = w.procs.KernelKill("kernel", p)
			}
		})
	}()
	for i, ch := range children {
		p := w.forkChild(x, call.p, call.p.Name, call.p.Name+"-child-"+strconv.Itoa(i+1), ch)
		if p == nil {
			continue
		}
		if !ch.OwnGroup {
			call.group = append(call.group, p)
		}
		forked = append(forked, p)
		if x.scope != nil {
			x.joined(p)
		}
	}
}

// conmonExecTimedOut is conmon's end of a timed-out exec: SIGKILL to the
// command's process group (crun's exec made the command a session
// leader), or to the command alone when the group would be 1 (kill(-1)
// would signal everything); conmon then exits without waiting for it.
func conmonExecTimedOut(env *Env, monitor string, p *proc.Proc) {
	if pg := p.PGID(); pg > 1 {
		if !env.w.trace.Off {
			env.Log(monitor, "SIGKILL to the command's process group %d", pg)
		}
		_ = env.Procs.KillPIDFrom(monitor, -pg, syscall.SIGKILL)
		return
	}
	if !env.w.trace.Off {
		env.Log(monitor, "SIGKILL to the command")
	}
	_ = env.Procs.Kill(monitor, p, syscall.SIGKILL)
}

// killExecs is CRI-O's KillExecPIDs, once the container is stopped (its
// stop loop kills them after the container's process).
func (c *crio) killExecs(x *ctr) {
	for _, p := range x.execs {
		if !p.Exited {
			_ = c.w.procs.Kill("crio", p, syscall.SIGKILL)
		}
	}
}

// execReturned checks an ExecSync's answer.
func (o *oracle) execReturned(c *execCall, code int) {
	now := o.w.sched.Now()
	if c.timeout > 0 && now > c.at+c.timeout+Epsilon {
		o.report(InvExecInTime, "ExecSync %s (timeout %s, at %s) returned at %s: later than %s",
			c.name, sim.FormatDuration(c.timeout), sim.FormatDuration(c.at), sim.FormatDuration(now), sim.FormatDuration(c.at+c.timeout+Epsilon))
	}
	if c.p.Exited && c.p.KilledBy == 0 && code != c.p.Status {
		o.report(InvExecInTime, "ExecSync %s returned exit code %d; the command exited %d", c.name, code, c.p.Status)
	}
	// Only a timed-out command's group is killed: what a command that
	// ended by itself left behind is the container's (sh -c 'job &').
	group := c.group
	if !c.timedOut {
		group = group[:1]
	}
	// The signals sent by the return are the monitor's part; those sent
	// later (systemd, the stop loop) are not, even at the same instant.
	sent := make([]int, len(group))
	for i, p := range group {
		sent[i] = len(p.Sent)
	}
	o.w.sched.After(Epsilon, "exec-sync check", func() {
		for i, p := range group {
			if p.Exited || heldSince(p.Sent[:sent[i]], c.at) {
				continue
			}
			if p == c.p {
				o.report(InvExecInTime, "the command of ExecSync %s (at %s) still runs %s after the call returned", c.name, sim.FormatDuration(c.at), Epsilon)
			} else {
				o.report(InvExecInTime, "%s (pid %d), forked by the command of ExecSync %s (at %s) in its process group, still runs %s after the call returned", p.Name, p.PID, c.name, sim.FormatDuration(c.at), Epsilon)
			}
		}
	})
}

// heldSince reports whether, of the signals sent (a process's record up
// to the call's return), some came from the call (from) on and a delivery
// fault lost, or held back, every one: the monitor did its part, the node
// has not.
func heldSince(sent []proc.SentSignal, from time.Duration) bool {
	held := false
	for _, s := range sent {
		if s.At < from {
			continue
		}
		if !s.Held {
			return false
		}
		held = true
	}
	return held
}

// execLeftovers are the exec'd processes of stopped containers that still
// run.
func (w *world) execLeftovers(x *ctr) []string {
	var out []string
	if !x.stopped {
		return nil
	}
	for _, p := range x.execs {
		if !p.Exited {
			out = append(out, fmt.Sprintf("exec'd process %s (pid %d) of the stopped container %s still runs", p.Name, p.PID, x.spec.Name))
		}
	}
	return out
}
