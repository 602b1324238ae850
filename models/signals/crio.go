package signals

import (
	"syscall"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
	"github.com/faultsim/faultsim/sim/systemd"
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
	// execs are the processes ExecSync started in it; children those its
	// process forked; cg its cgroup.
	execs    []*proc.Proc
	children []*proc.Proc
	childBuf [ctrProcs]*proc.Proc // children starts in it
	cg       *Cgroup
	// cgroup is what cg points to, and cgProcs where its list starts:
	// allocated with the container.
	cgroup  Cgroup
	cgProcs [ctrProcs]*proc.Proc
	// scopePID is where the list of its scope's processes starts.
	scopePID [ctrProcs]int
	// wt is what the oracle watches of it (nil until it is created), in
	// watch.
	wt    *watched
	watch watched
	// statusFinal: UpdateContainerStatus recorded the exit status from
	// the exit file, and skips from then on.
	statusFinal bool

	// stopped: the CRI server has recorded the container as stopped
	// (its state after the stop loop, or a process found gone).
	stopped bool
	stop    stopState
}

// ctrProcs is how many processes a container's cgroup and scope lists
// have room for before they grow: its own and a few it forks or execs.
const ctrProcs = 4

// crio is the CRI server.
type crio struct {
	w    *world
	ctrs []*ctr
	// ctrBuf is where ctrs starts: allocated with the run.
	ctrBuf [3]*ctr
	// tasks are its request handlers and stop loops, which end with it;
	// they start in taskBuf.
	tasks   []*sim.Task
	taskBuf [8]*sim.Task
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
	ann := crioAnnotations(spec.Grace, w.sd.Version, x.proc.StopSignal(), w.impl.AskKillSignal)
	if !w.trace.Off {
		w.trace.Send(now, "crio", "crun", "create %s (%d annotations)", spec.Name, len(ann))
	}
	const slice = "kubepods-besteffort.slice"
	props, err := w.impl.Scope(ann, slice, x.proc.PID)
	if err == nil {
		x.scope, err = w.sd.StartTransientUnit("crio-"+spec.Name+".scope", props)
	}
	if err != nil {
		if !w.trace.Off {
			w.trace.Add(now, "crun", "create %s failed: %v", spec.Name, err)
		}
		_ = w.procs.Kill("crun", x.proc, syscall.SIGKILL)
		return err
	}
	x.scopePID[0] = x.proc.PID
	x.scope.PIDs = x.scopePID[:1]
	if !w.trace.Off {
		w.trace.Send(now, "crun", "systemd", "StartTransientUnit %s %s", x.scope.Name, lazyProps(props))
	}
	w.oracle.created(x, ann)
	x.monitor = w.procs.Spawn("conmon-"+spec.Name, proc.Behaviour{OnStop: proc.Terminate, Reaps: true})
	x.monitor.Watch(func(*proc.Proc) { x.monitorDead = true })
	// crun's create exits and conmon, a subreaper, adopts the process: it
	// reaps it as it exits (its SIGCHLD handler), which frees the pid; once
	// conmon is gone, the node's init does.
	w.procs.Adopt(x.monitor, x.proc)
	x.proc.Watch(func(p *proc.Proc) {
		if x.monitor.Exited {
			return
		}
		if x.exitFile, x.exitKnown = w.impl.Monitor.ProcessExited(spec.Name, p.Status); x.exitKnown {
			if !w.trace.Off {
				w.trace.Send(w.sched.Now(), "conmon-"+spec.Name, "crio", "%s exited: status %d", spec.Name, x.exitFile)
			}
			if spec.HostPID && !w.daemon.Exited { // handleExit
				c.goTask("crio exit of "+spec.Name, func(t *sim.Task) { c.updateStatus(t, x) })
			}
		}
	})
	x.cgProcs[0] = x.proc
	x.cgroup = Cgroup{Path: slice + "/" + x.scope.Name, w: w, procs: x.cgProcs[:1]}
	x.cg = &x.cgroup
	c.forkChildren(x)
	c.ctrs = append(c.ctrs, x)
	return nil
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
