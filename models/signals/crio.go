package signals

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
	"github.com/faultsim/faultsim/sim/proc"
	"github.com/faultsim/faultsim/sim/systemd"
)

// Stop-loop timing of the CRI server.
const (
	// PollInterval is how often the stop loop checks the container's state.
	PollInterval = 100 * time.Millisecond
	// MaxKillBackoff caps the back-off between SIGKILLs at the deadline.
	MaxKillBackoff = time.Second
)

// ctr is the CRI server's view of a container.
type ctr struct {
	spec    *Container
	proc    *proc.Proc
	monitor *proc.Proc
	scope   *systemd.Unit
	// exitFile is what conmon wrote: the exit status, once known.
	exitFile    int
	exitKnown   bool
	monitorDead bool // the monitor has died

	// The stop loop: running, its deadline, the callers waiting, and a
	// generation that retires stale deadline timers.
	looping bool
	// signalled: the stop signal was sent; killing: SIGKILLs have begun.
	signalled, killing bool
	deadline           time.Duration
	gen                int
	waiters            []func(error)
	stopped            bool
	backoff            time.Duration
	// pollFn is the poll event's function, made once per container.
	pollFn func()
}

// crio is the CRI server.
type crio struct {
	w    *world
	ctrs []*ctr
}

func (c *crio) lookup(name string) *ctr {
	for _, x := range c.ctrs {
		if x.spec.Name == name {
			return x
		}
	}
	return nil
}

// create is CreateContainer+StartContainer: annotations for the scope, the
// OCI runtime's create (scope and process), and conmon watching the exit.
func (c *crio) create(spec *Container) error {
	w := c.w
	now := w.sched.Now()
	x := &ctr{spec: spec}
	x.proc = w.procs.Spawn(spec.Name, w.behaviour(spec))
	ann := crioAnnotations(spec.Grace, w.sd.Version, x.proc.StopSignal(), w.variant.AskKillSignal)
	w.trace.Send(now, "crio", "crun", "create %s (%d annotations)", spec.Name, len(ann))
	props, err := w.variant.Scope(ann, "kubepods-besteffort.slice", x.proc.PID)
	if err == nil {
		x.scope, err = w.sd.StartTransientUnit("crio-"+spec.Name+".scope", props)
	}
	if err != nil {
		w.trace.Add(now, "crun", "create %s failed: %v", spec.Name, err)
		_ = w.procs.Kill("crun", x.proc, syscall.SIGKILL)
		return err
	}
	x.scope.PIDs = []int{x.proc.PID}
	w.trace.Send(now, "crun", "systemd", "StartTransientUnit %s %s", x.scope.Name, lazyProps(props))
	w.oracle.created(x, ann)
	x.monitor = w.procs.Spawn("conmon-"+spec.Name, proc.Behaviour{OnStop: proc.Terminate})
	x.monitor.Watch(func(*proc.Proc) { x.monitorDead = true })
	x.proc.Watch(func(p *proc.Proc) {
		if !x.monitor.Exited {
			x.exitFile, x.exitKnown = p.Status, true
			w.trace.Send(w.sched.Now(), "conmon-"+spec.Name, "crio", "%s exited: status %d", spec.Name, p.Status)
		}
	})
	c.ctrs = append(c.ctrs, x)
	return nil
}

// errNoSuchContainer is StopContainer's answer for an unknown id.
var errNoSuchContainer = errors.New("container not found")

// StopContainer with CRI-O's semantics: the first caller starts the stop
// loop; every call may only move the deadline earlier; each caller is
// answered when the container has stopped.
func (c *crio) StopContainer(name string, timeout time.Duration, reply func(error)) {
	w := c.w
	x := c.lookup(name)
	if x == nil {
		reply(fmt.Errorf("StopContainer %s: %w", name, errNoSuchContainer))
		return
	}
	if x.stopped {
		reply(nil)
		return
	}
	now := w.sched.Now()
	deadline := now + timeout
	x.waiters = append(x.waiters, reply)
	if x.looping {
		if deadline < x.deadline {
			w.trace.Add(now, "crio", "%s: deadline moved earlier to %s", name, sim.FormatDuration(deadline))
			c.setDeadline(x, deadline)
		}
		return
	}
	x.looping = true
	c.setDeadline(x, deadline)
	// The liveness check and the kill are separate steps: the process may
	// exit in between, and the runtime then answers "no such process".
	if x.proc.Exited {
		c.finish(x)
		return
	}
	w.sched.AfterLabel(0, sim.L("crio kill ", name), func() {
		if x.stopped {
			return
		}
		// The loop sends the stop signal before it waits for the deadline,
		// so SIGKILL can never overtake it; timeout 0 means SIGKILL at once.
		c.kill(x, x.proc.StopSignal())
		x.signalled = true
		if w.sched.Now() >= x.deadline {
			c.expired(x)
		}
	})
	c.poll(x)
}

// kill runs the OCI runtime's kill; "no such process" means stopped. The
// runtime is the node's crun: when an invocation fails, the stop loop
// drops the error, as CRI-O does (the stop signal is not sent again; the
// SIGKILLs after the deadline are retried with back-off). crun signals
// through a pidfd where the kernel has pidfd_open (5.3), and otherwise
// with kill(2) once it has checked that the pid still has the container's
// start time.
func (c *crio) kill(x *ctr, sig syscall.Signal) {
	w := c.w
	if w.daemon.Exited {
		return
	}
	now := w.sched.Now()
	w.trace.Send(now, "crio", "crun", "kill %s %s", x.spec.Name, proc.SignalName(sig))
	if err := w.node.Exec("crun", "kill", x.spec.Name, proc.SignalName(sig)); err != nil {
		w.trace.Send(now, "crun", "crio", "kill %s failed: %v", x.spec.Name, err)
		return
	}
	if !w.trace.Off && !w.node.Has(node.PidfdOpen) {
		w.trace.Add(now, "crun", "no pidfd_open on kernel %s: kill(2) after checking the pid's start time", w.node.Kernel)
	}
	if err := w.procs.Kill("crun", x.proc, sig); errors.Is(err, proc.ErrNoSuchProcess) {
		w.trace.Add(now, "crun", "kill %s: no such process", x.spec.Name)
	}
}

func (c *crio) setDeadline(x *ctr, at time.Duration) {
	x.deadline = at
	x.gen++
	gen := x.gen
	c.w.sched.AtLabel(at, sim.L("crio stop deadline ", x.spec.Name), func() {
		if gen == x.gen && x.signalled {
			c.expired(x)
		}
	})
}

// expired starts the SIGKILLs once the deadline has passed.
func (c *crio) expired(x *ctr) {
	if x.stopped || x.killing {
		return
	}
	x.killing = true
	c.w.trace.Send(c.w.sched.Now(), "crio", "crio", "%s: stop timeout reached", x.spec.Name)
	x.backoff = PollInterval
	c.killLoop(x)
}

// killLoop sends SIGKILL with back-off until the process is gone.
func (c *crio) killLoop(x *ctr) {
	if x.stopped || x.proc.Exited {
		return
	}
	c.kill(x, syscall.SIGKILL)
	d := x.backoff
	x.backoff = min(2*x.backoff, MaxKillBackoff)
	c.w.sched.AfterLabel(d, sim.L("crio kill back-off ", x.spec.Name), func() { c.killLoop(x) })
}

// poll checks the container's state every PollInterval.
func (c *crio) poll(x *ctr) {
	if x.stopped || c.w.daemon.Exited {
		return
	}
	if x.proc.Exited {
		c.finish(x)
		return
	}
	if x.pollFn == nil {
		x.pollFn = func() { c.poll(x) }
	}
	c.w.sched.AfterLabel(PollInterval, sim.L("crio poll ", x.spec.Name), x.pollFn)
}

// finish marks the container stopped and answers every waiting caller.
func (c *crio) finish(x *ctr) {
	w := c.w
	x.stopped, x.looping = true, false
	if !w.trace.Off {
		status := "unknown (monitor gone)"
		if x.exitKnown {
			status = fmt.Sprint(x.exitFile)
		}
		w.trace.Add(w.sched.Now(), "crio", "%s stopped, exit status %s", x.spec.Name, status)
	}
	w.oracle.reported(x)
	ws := x.waiters
	x.waiters = nil
	for _, reply := range ws {
		reply(nil)
	}
}

// lazyProps formats a property list only when the trace is on.
type lazyProps []systemd.Property

func (l lazyProps) String() string {
	s := ""
	for i, p := range l {
		if i > 0 {
			s += " "
		}
		s += p.String()
	}
	return s
}
