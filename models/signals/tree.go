package signals

import (
	"errors"
	"fmt"
	"strconv"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
	"github.com/faultsim/faultsim/sim/proc"
)

// Child is a process a container's process forks at its start: a shell's
// job, a supervisor's worker, a daemon that left for a group of its own.
type Child struct {
	// OnStop is its disposition for SIGTERM, SIGINT and the container's
	// stop signal: SIG_DFL (the zero value), a handler that cleans up for
	// Cleanup and exits 0, or SIG_IGN.
	OnStop  proc.Disposition
	Cleanup time.Duration
	// OwnGroup: it moves to a process group of its own (setsid), as a
	// daemon does, so a signal forwarded to its parent's group misses it.
	OwnGroup bool
	// Respawn makes it a supervisor: it runs a worker for Respawn and
	// forks a new one each time the last exits (0: none).
	Respawn time.Duration
}

// InvTreeGone is the contract on what a container's process forked.
var InvTreeGone = sim.Invariant{Name: "container-tree-gone",
	Summary: "no process a container's process forked (a child, a daemon in a group of its own) still runs Epsilon after a StopContainer on the container returns nil, unless it was sent SIGKILL by then (a delivery the node holds back); once the container has exited and its stop was asked for or its exit recorded, none outlives the liveness phase (converged)"}

// Cgroup is a container's cgroup as the OCI runtime sees it: the processes
// in it (its process, what that forked, the exec'd commands) and the files
// that act on all of them. The node's cgroup mode and kernel decide which
// files exist: cgroup.kill on cgroup v2 from 5.14, cgroup.freeze on v2
// from 5.2, the v1 freezer's freezer.state on v1 and hybrid nodes. What a
// frozen cgroup stops is forks: a supervisor's fork waits for the thaw.
// Simplified: a frozen process's own timers run on, and the signals to it
// are delivered as usual (on v1 a SIGKILL waits for the thaw, which comes
// within the same call).
type Cgroup struct {
	Path   string
	w      *world
	procs  []*proc.Proc
	frozen bool
	// thawed are the forks waiting for the thaw.
	thawed []func()
}

// Procs is cgroup.procs: the processes in the cgroup that have not
// exited, in the order they joined it.
func (cg *Cgroup) Procs() []*proc.Proc {
	var out []*proc.Proc
	for _, p := range cg.procs {
		if !p.Exited {
			out = append(out, p)
		}
	}
	return out
}

// Init is the container's process, the first in the cgroup (the pid
// crun's state file holds), exited or not.
func (cg *Cgroup) Init() *proc.Proc { return cg.procs[0] }

// errNoFile is a write to an interface file the node does not have.
func (cg *Cgroup) errNoFile(file string) error {
	n := cg.w.node
	return fmt.Errorf("%s/%s (cgroup %s, kernel %s): %w", cg.Path, file, n.Cgroup, n.Kernel, syscall.ENOENT)
}

// Kill writes 1 to cgroup.kill: the kernel SIGKILLs every process in the
// cgroup at once (no kill(2), so no delivery fault applies).
func (cg *Cgroup) Kill() error {
	n := cg.w.node
	if n.Cgroup != node.Unified || !n.Has(node.CgroupKill) {
		return cg.errNoFile("cgroup.kill")
	}
	if !cg.w.trace.Off {
		cg.w.trace.Add(cg.w.sched.Now(), "kernel", "cgroup.kill of %s: SIGKILL to %d process(es)", cg.Path, len(cg.Procs()))
	}
	for _, p := range cg.Procs() {
		_ = cg.w.procs.KernelKill("kernel", p)
	}
	return nil
}

// freezeFile is the file that freezes the cgroup on this node, or "".
func (cg *Cgroup) freezeFile() string {
	n := cg.w.node
	switch {
	case n.Cgroup != node.Unified:
		return "freezer.state"
	case n.Has(node.CgroupFreeze):
		return "cgroup.freeze"
	}
	return ""
}

// Freeze freezes the cgroup (cgroup.freeze, or the v1 freezer).
func (cg *Cgroup) Freeze() error { return cg.setFrozen(true) }

// Thaw thaws it again.
func (cg *Cgroup) Thaw() error { return cg.setFrozen(false) }

// Frozen reports whether the cgroup is frozen.
func (cg *Cgroup) Frozen() bool { return cg.frozen }

func (cg *Cgroup) setFrozen(on bool) error {
	f := cg.freezeFile()
	if f == "" {
		return cg.errNoFile("cgroup.freeze")
	}
	cg.frozen = on
	what := "thawed"
	if on {
		what = "frozen"
	}
	if !cg.w.trace.Off {
		cg.w.trace.Add(cg.w.sched.Now(), "kernel", "%s %s (%s)", cg.Path, what, f)
	}
	if !on {
		for _, fn := range cg.thawed {
			cg.w.sched.After(0, "a fork after the thaw", fn)
		}
		cg.thawed = nil
	}
	return nil
}

// KillAll is the OCI runtime's `kill --all <id> <signal>` once the CRI
// server has executed it: every process in the container's cgroup must
// get sig, also those forked meanwhile. env.Procs sends kill(2) (a
// process named by its pid, which a reaped process no longer holds).
type KillAll interface {
	KillAll(t *sim.Task, env *Env, cg *Cgroup, sig syscall.Signal) error
}

// crunKillAll is crun's libcrun_cgroup_killall (cgroup_killall_path).
type crunKillAll struct{}

// KillAll writes cgroup.kill for SIGKILL where the node has it; otherwise
// it freezes the cgroup (best effort: it goes on unfrozen where it
// cannot), reads cgroup.procs, sends kill(2) to each pid (a process gone
// meanwhile, ESRCH, is skipped), and thaws the cgroup. Each file access
// and system call is a yield point.
func (crunKillAll) KillAll(t *sim.Task, env *Env, cg *Cgroup, sig syscall.Signal) error {
	if sig == syscall.SIGKILL {
		t.Yield() // open and write cgroup.kill
		err := cg.Kill()
		if err == nil {
			return nil
		}
		if !env.w.trace.Off {
			env.Log("crun", "kill -a: %v; freezing, then kill(2) to each process", err)
		}
	}
	t.Yield()
	frozen := cg.Freeze() == nil
	if !frozen {
		env.Log("crun", "kill -a: cannot freeze %s: signalling its processes unfrozen", cg.Path)
	}
	t.Yield() // read cgroup.procs
	var pids []int
	for _, p := range cg.Procs() {
		pids = append(pids, p.PID)
	}
	var err error
	for _, pid := range pids {
		t.Yield() // kill(2)
		if e := env.Procs.Kill("crun", env.Procs.Root().Lookup(pid), sig); e != nil && !errors.Is(e, proc.ErrNoSuchProcess) {
			err = fmt.Errorf("kill process %d: %w", pid, e)
			break
		}
	}
	if frozen {
		t.Yield()
		_ = cg.Thaw()
	}
	return err
}

// forkChildren has the container's process fork its children, each
// joining its cgroup and scope.
func (c *crio) forkChildren(x *ctr) {
	for i, ch := range x.spec.Children {
		p := c.w.forkChild(x, x.proc, x.spec.Name, x.spec.Name+"-child-"+strconv.Itoa(i+1), ch)
		if p == nil {
			continue
		}
		x.joined(p)
		if ch.Respawn > 0 {
			c.forkWorker(x, p, ch.Respawn, 1)
		}
	}
}

// forkChild has parent (actor in the trace) fork the child ch of
// container x, which calls setsid when ch.OwnGroup; nil when the fork
// fails.
func (w *world) forkChild(x *ctr, parent *proc.Proc, actor, name string, ch Child) *proc.Proc {
	b := proc.Behaviour{StopSignal: x.spec.StopSignal, OnStop: ch.OnStop, Cleanup: ch.Cleanup, Reaps: ch.Respawn > 0}
	p, err := w.procs.Fork(parent, name, b)
	if err != nil {
		if !w.trace.Off {
			w.trace.Add(w.sched.Now(), actor, "fork: %v", err)
		}
		return nil
	}
	if ch.OwnGroup {
		_ = w.procs.Setpgid(p, 0)
		if !w.trace.Off {
			w.trace.Add(w.sched.Now(), p.Name, "in a process group of its own (setsid)")
		}
	}
	return p
}

// joined adds a process the container's processes forked to its cgroup
// and scope.
func (x *ctr) joined(p *proc.Proc) {
	if x.children == nil {
		x.children = x.childBuf[:0]
	}
	x.children = append(x.children, p)
	x.cg.procs = append(x.cg.procs, p)
	x.scope.PIDs = append(x.scope.PIDs, p.PID)
}

// forkWorker has a supervisor fork its n-th worker, which runs for d; the
// worker's exit has the supervisor fork the next, a step of its own at
// that instant (its SIGCHLD handler): it waits while the cgroup is frozen,
// and does not happen once the supervisor is gone or was sent SIGKILL (a
// fatal signal pending fails fork).
func (c *crio) forkWorker(x *ctr, sup *proc.Proc, d time.Duration, n int) {
	if _, killed := firstKill(sup, 0); sup.Exited || killed {
		return
	}
	if x.cg.frozen {
		x.cg.thawed = append(x.cg.thawed, func() { c.forkWorker(x, sup, d, n) })
		return
	}
	w := c.w
	p, err := w.procs.Fork(sup, sup.Name+"-worker-"+strconv.Itoa(n), proc.Behaviour{StopSignal: x.spec.StopSignal, ExitAt: d})
	if err != nil {
		if !w.trace.Off {
			w.trace.Add(w.sched.Now(), sup.Name, "fork: %v", err)
		}
		return
	}
	x.joined(p)
	if !w.trace.Off {
		w.trace.Add(w.sched.Now(), sup.Name, "forks %s (pid %d)", p.Name, p.PID)
	}
	p.Watch(func(*proc.Proc) {
		w.sched.AfterLabel(0, sim.L(sup.Name, " forks a worker"), func() { c.forkWorker(x, sup, d, n+1) })
	})
}

// ExitFileWait is how long CRI-O's UpdateContainerStatus waits for the
// exit file of a container whose process is gone (waitForExitFile: 500 ms,
// then 1.2 times longer each time, six looks): a monitor that died never
// writes it.
const ExitFileWait = 3720800 * time.Microsecond

// updateStatus is CRI-O's UpdateContainerStatus of a container in the
// node's pid namespace, which runs after every StopContainer and when
// conmon writes the exit file (handleExit): under opLock, crun state; once
// the process is gone, a wait for the exit file (opLock released), crun
// state again and, the kernel not killing the rest of a pid namespace the
// container does not own, `crun kill -a <id> 9`. Once an exit status is
// recorded, later calls skip. Elsewhere it acts on nothing the model
// holds, and is left out.
func (c *crio) updateStatus(t *sim.Task, x *ctr) {
	st := &x.stop
	x.initStop()
	st.opLock.Lock(t)
	if x.statusFinal {
		st.opLock.Unlock(t)
		return
	}
	t.Yield() // crun state
	if !x.proc.Exited {
		st.opLock.Unlock(t)
		return
	}
	if !x.exitKnown {
		st.opLock.Unlock(t)
		d := 500 * time.Millisecond
		for i := 1; i < 6 && !x.exitKnown; i++ {
			t.Sleep(d)
			d = d * 6 / 5
		}
		if !x.exitKnown {
			c.w.env.Log("crio", "failed to find the exit file of %s", x.spec.Name)
		}
		st.opLock.Lock(t)
		t.Yield() // crun state again
	}
	x.statusFinal = x.exitKnown
	_ = c.killAll(t, x, syscall.SIGKILL) // ContainerStateToDisk only logs it
	st.opLock.Unlock(t)
}

// killAll runs the OCI runtime's kill --all.
func (c *crio) killAll(t *sim.Task, x *ctr, sig syscall.Signal) error {
	w := c.w
	now := t.Now()
	if !w.trace.Off {
		w.trace.Send(now, "crio", "crun", "kill -a %s %s", x.spec.Name, proc.SignalName(sig))
	}
	if err := w.node.Exec("crun", "kill", "-a", x.spec.Name, proc.SignalName(sig)); err != nil {
		if !w.trace.Off {
			w.trace.Send(now, "crun", "crio", "kill -a %s failed: %v", x.spec.Name, err)
		}
		return err
	}
	defer w.oracle.runtimeKill(t, x)()
	err := w.impl.KillAll.KillAll(t, w.env, x.cg, sig)
	if err != nil {
		if !w.trace.Off {
			w.trace.Send(t.Now(), "crun", "crio", "kill -a %s failed: %v", x.spec.Name, err)
		}
	}
	return err
}

// treeReturned checks, Epsilon after a StopContainer returned nil, that
// nothing the container's process forked still runs unless it was sent
// SIGKILL by the return.
func (o *oracle) treeReturned(x *ctr) {
	if len(x.children) == 0 {
		return
	}
	at := o.w.sched.Now()
	o.w.sched.After(Epsilon, "container-tree check", func() {
		for _, p := range x.children {
			// A SIGKILL sent by then that the node holds back (a late or
			// reordered delivery) is judged by the liveness phase.
			if k, ok := firstKill(p, 0); !p.Exited && !(ok && k <= at) {
				o.report(InvTreeGone, "%s (pid %d), forked by %s, still runs %s after StopContainer %s returned at %s",
					p.Name, p.PID, x.spec.Name, Epsilon, x.spec.Name, sim.FormatDuration(at))
			}
		}
	})
}

// treeLeftovers are the forked processes of a container that has exited
// and whose stop was asked for or whose exit the CRI server recorded.
func (w *world) treeLeftovers(x *ctr, stopAsked bool) []string {
	if !x.proc.Exited || !(stopAsked || x.exitKnown) {
		return nil
	}
	var out []string
	for _, p := range x.children {
		if !p.Exited {
			out = append(out, fmt.Sprintf("%s (pid %d), forked by the exited container %s, still runs (%s)", p.Name, p.PID, x.spec.Name, InvTreeGone.Name))
		}
	}
	return out
}

// postStop is the rest of CRI-O's stopContainer once the runtime's
// StopContainer is over: postStopCleanup writes the state to disk through
// UpdateContainerStatus, then the caller is answered.
func (c *crio) postStop(t *sim.Task, x *ctr, reply func(error)) {
	if x.spec.HostPID {
		c.updateStatus(t, x)
	}
	reply(nil)
}
