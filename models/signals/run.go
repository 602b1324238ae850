package signals

import (
	"fmt"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
	"github.com/faultsim/faultsim/sim/proc"
	"github.com/faultsim/faultsim/sim/systemd"
)

// Settle is how long the liveness phase runs: fault-free, after the stop
// paths of the last step have had their time (see faultWindow).
const Settle = 2 * time.Minute

// world is one run: the node (processes, systemd), kubelet, the CRI server.
type world struct {
	c       *Case
	impl    Impl
	env     *Env
	sched   *sim.Scheduler
	trace   *sim.Trace
	procs   *proc.Procs
	node    *node.Node
	sd      *systemd.Systemd
	stopper *systemd.Stopper
	crio    *crio
	oracle  *oracle
	runner  *sim.Runner
	// daemon is the CRI server's process: its stop loops end with it;
	// kubelet is kubelet's. A call's connection closes when either exits.
	daemon, kubelet *proc.Proc
	// down is set once the node shuts down: kubelet makes no more calls;
	// off once the shutdown is complete and the node powers off.
	down, off bool
	// calls are the CRI calls in flight; stopCalls the StopContainer
	// calls made, by container.
	calls     sim.Calls
	stopCalls map[string][]*sim.Call
	// tasks run the CRI server's request handlers and stop loops.
	tasks *sim.Tasks
	// exitsInsideKill counts the processes that exited inside crun's kill,
	// after it found them and before its signal.
	exitsInsideKill int
	// reusesInsideKill counts the container pids a host process took while
	// the OCI runtime's kill for that container was under way.
	reusesInsideKill int
	// parts hold what the pointers above point to, allocated with the
	// world in one piece.
	parts struct {
		procs    proc.Procs
		env      Env
		sd       systemd.Systemd
		stopper  systemd.Stopper
		crio     crio
		tasks    sim.Tasks
		oracle   oracle
		runner   sim.Runner
		liveness sim.Liveness
	}
}

// Run executes a case; ties between simultaneous events are broken by ch.
// With trace false only violations are recorded (campaign speed).
func Run(c *Case, ch sim.Chooser, trace bool) (sim.Result, error) {
	return run(c, ch, trace, false)
}

// run is Run; bare leaves the invariant checks out.
func run(c *Case, ch sim.Chooser, trace, bare bool) (sim.Result, error) {
	v, err := Variants.Lookup(c.Variant)
	if err != nil {
		return sim.Result{}, err
	}
	sched := sim.NewScheduler(ch)
	tr := &sim.Trace{Off: !trace}
	w := &world{c: c, impl: v.Build.parts(), sched: sched, trace: tr}
	w.parts.procs = proc.Procs{Sched: sched, Trace: tr}
	w.procs = &w.parts.procs
	nd, err := c.Node.Build()
	if err != nil {
		return sim.Result{}, err
	}
	for _, f := range c.Faults {
		if nf, ok := f.(faults.NodeFault); ok {
			nf.ApplyNode(nd)
			if !tr.Off { // a fault is formatted only for a trace
				tr.Fault(0, "fault %s", faults.Format(f))
			}
		}
	}
	w.node = nd
	w.parts.env = Env{Node: nd, Procs: w.procs, w: w}
	w.env = &w.parts.env
	w.parts.sd = systemd.Systemd{Version: nd.Systemd}
	w.sd = &w.parts.sd
	w.parts.stopper = systemd.Stopper{SD: w.sd, Procs: w.procs}
	w.stopper = &w.parts.stopper
	w.parts.crio = crio{w: w}
	w.parts.crio.ctrs = w.parts.crio.ctrBuf[:0]
	w.crio = &w.parts.crio
	w.parts.tasks = sim.Tasks{Sched: sched, Pool: &taskCoroutines}
	w.tasks = &w.parts.tasks
	w.oracle = &w.parts.oracle
	initOracle(w.oracle, w)
	w.parts.runner = sim.Runner{Sched: sched, Trace: tr, Check: w.oracle.check, Calls: &w.calls, Tasks: w.tasks}
	w.runner = &w.parts.runner
	onExit := w.procs.OnExit
	w.procs.OnExit = func(p *proc.Proc) {
		onExit(p)
		switch p {
		case w.daemon:
			w.crio.exited()        // its goroutines end with it
			w.calls.EndAll("crio") // and its connections close
		case w.kubelet:
			w.calls.EndAll("kubelet")
		}
	}
	if bare {
		w.runner.Check = nil
	}
	for _, f := range c.Faults {
		if df, ok := f.(DeliveryFault); ok {
			w.procs.Faults = append(w.procs.Faults, df.Delivery())
			if !tr.Off { // a fault is formatted only for a trace
				tr.Fault(0, "fault %s", faults.Format(f))
			}
		}
	}
	last := time.Duration(0)
	for _, f := range c.Faults {
		if md, ok := f.(MonitorDies); ok {
			sched.At(md.At, "monitor-dies", func() { w.killMonitor(md.Container) })
			last = max(last, md.At)
		}
	}
	last = max(last, w.schedulePidReuse())
	for i := range c.Steps {
		s := &c.Steps[i]
		last = max(last, s.At)
		sched.AtLabel(s.At, sim.L("kubelet ", s.Op), func() { w.step(s) })
	}
	// The faults stay in force while the stop paths the steps started run
	// (up to their deadlines and the SIGKILLs after); then the liveness
	// phase lifts the delivery faults and lets the node run fault-free for
	// Settle, and what it leaves over is checked at the end. The process
	// faults are the processes' own nature and stay.
	from := last + c.faultWindow()
	w.runner.Horizon = from + Settle
	w.parts.liveness = sim.Liveness{From: from, Leftovers: w.leftovers, Heal: w.heal}
	w.runner.Liveness = &w.parts.liveness
	w.runner.Do("boot", w.boot)
	vs := w.runner.Run()
	if testHook != nil {
		testHook(w)
	}
	return sim.Result{Violations: vs, Trace: tr, Events: w.runner.Events()}, nil
}

// heal lifts the faults that are not the processes' own nature: the
// signal delivery faults and the tools' failures.
func (w *world) heal() {
	w.procs.Faults = nil
	w.node.EndToolFailures()
}

// faultWindow is how long after the last step the stop paths it started
// may still be running: the longest grace period or timeout, a process's
// uninterruptible sleep, and the SIGKILL back-off; and an ExecSync's
// command, until it ends or times out.
func (c *Case) faultWindow() time.Duration {
	d := c.Config.ShutdownGracePeriod
	for _, x := range c.Containers {
		d = max(d, x.Grace)
	}
	for _, s := range c.Steps {
		d = max(d, s.Timeout)
		if s.Op == OpExecSync {
			d = max(d, s.Runs)
		}
	}
	return d + MaxDState + Epsilon
}

// testHook, set by tests only, sees each run's world when it ends.
var testHook func(*world)

// behaviour is the container's process behaviour after the faults.
func (w *world) behaviour(spec *Container) proc.Behaviour {
	b := proc.Behaviour{StopSignal: spec.StopSignal, OnStop: proc.Handle, Cleanup: spec.Cleanup, ForwardToGroup: spec.ForwardToGroup}
	if len(spec.Children) > 0 {
		b.Reaps = true
		b.NewPidNS = !spec.HostPID
	}
	var bp *proc.Behaviour // b on the heap, only when a fault changes it
	for _, f := range w.c.Faults {
		if bf, ok := f.(BehaviourFault); ok && bf.Target() == spec.Name {
			if bp == nil {
				bp = new(proc.Behaviour)
				*bp = b
			}
			bf.ApplyBehaviour(bp, spec.Grace)
		}
	}
	if bp != nil {
		return *bp
	}
	return b
}

// boot starts the services and kubelet's containers at time 0.
func (w *world) boot() {
	for _, svc := range []struct{ name, unit, after string }{{"crio", "crio.service", ""}, {"kubelet", "kubelet.service", "crio.service"}} {
		p := w.procs.Spawn(svc.name, proc.Behaviour{OnStop: proc.Handle, Cleanup: 50 * time.Millisecond})
		props := []systemd.Property{{Name: "Description", Value: svc.name}}
		if svc.after != "" {
			props = append(props, systemd.Property{Name: "After", Value: svc.after})
		}
		u, err := w.sd.StartTransientUnit(svc.unit, props)
		if err != nil {
			panic(fmt.Sprintf("boot: %v", err)) // the model's own services always start
		}
		u.PIDs = []int{p.PID}
		switch svc.name {
		case "crio":
			w.daemon = p
		case "kubelet":
			w.kubelet = p
		}
	}
	if !w.trace.Off {
		w.trace.Add(0, "systemd", "started crio.service and kubelet.service (systemd %d)", w.sd.Version)
	}
	for i := range w.c.Containers {
		spec := &w.c.Containers[i]
		if !w.trace.Off {
			w.trace.Send(0, "kubelet", "crio", "CreateContainer+StartContainer %s (grace %s)", spec.Name, sim.FormatDuration(spec.Grace))
		}
		if err := w.crio.create(spec); err != nil {
			if !w.trace.Off {
				w.trace.Send(0, "crio", "kubelet", "CreateContainer %s: %v", spec.Name, err)
			}
		}
	}
}

// step runs one scenario step.
func (w *world) step(s *Step) {
	now := w.sched.Now()
	if w.down {
		if !w.trace.Off {
			w.trace.Add(now, "node", "%s %s skipped: the node is shut down", s.Op, s.Container)
		}
		return
	}
	switch s.Op {
	case OpStop:
		w.stopContainer(s.Container, s.Timeout, "crictl")
	case OpDelete:
		spec := w.c.container(s.Container)
		grace := MinGrace
		if spec != nil {
			grace = max(spec.Grace, MinGrace)
		}
		w.stopContainer(s.Container, grace, "kubelet")
	case OpShutdown:
		w.shutdown()
	case OpExecSync:
		w.execSync(s.Container, s.Timeout, s.Runs, s.Children)
	}
}

// stopContainer is a CRI StopContainer call from a client, observed by the oracle.
func (w *world) stopContainer(name string, timeout time.Duration, from string) {
	now := w.sched.Now()
	if !w.trace.Off {
		w.trace.Send(now, from, "crio", "StopContainer %s timeout %s", name, sim.FormatDuration(timeout))
	}
	call := w.oracle.stopCalled(name, timeout)
	pending := w.beginStop(from, name, timeout)
	w.crio.StopContainer(name, timeout, func(err error) {
		w.calls.End(pending)
		if !w.trace.Off {
			w.trace.Send(w.sched.Now(), "crio", from, "StopContainer %s returned %v", name, errText(err))
		}
		w.oracle.stopReturned(call, err)
	})
}

// beginStop records a StopContainer call in flight, bounded by hangBound.
func (w *world) beginStop(from, name string, timeout time.Duration) *sim.Call {
	c := w.calls.Begin(sim.Call{Caller: from, Callee: "crio", What: "StopContainer", Of: name, At: w.sched.Now(), Within: w.hangBound(name, timeout)})
	if w.stopCalls == nil {
		w.stopCalls = map[string][]*sim.Call{}
	}
	w.stopCalls[name] = append(w.stopCalls[name], c)
	return c
}

// runtimeFailed gives the StopContainer calls on a container HangBound
// again from now: the OCI runtime failed to run, and until it runs no
// CRI server can stop the container.
func (w *world) runtimeFailed(name string) {
	now := w.sched.Now()
	for _, c := range w.stopCalls[name] {
		c.Within = max(c.Within, now-c.At+HangBound)
	}
}

// hangBound is how long a StopContainer may take before it is a hang: its
// timeout, the uninterruptible sleep of its process, and HangBound.
func (w *world) hangBound(name string, timeout time.Duration) time.Duration {
	d := timeout + HangBound
	if x := w.crio.lookup(name); x != nil {
		d += x.proc.B.DFor
	}
	return d
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// shutdown is the node shutting down: kubelet's graceful node shutdown if
// enabled (stop every pod with min(grace, period), up to the period), then
// systemd's shutdown transaction.
func (w *world) shutdown() {
	now := w.sched.Now()
	w.trace.Add(now, "node", "shutdown requested")
	period := w.c.Config.ShutdownGracePeriod
	if period <= 0 {
		w.transaction()
		return
	}
	left := 0
	started := false
	done := func() {
		if !started {
			started = true
			w.transaction()
		}
	}
	for _, x := range w.crio.ctrs {
		if x.stopped {
			continue
		}
		left++
		name := x.spec.Name
		timeout := min(x.spec.Grace, period)
		if !w.trace.Off {
			w.trace.Send(now, "kubelet", "crio", "StopContainer %s timeout %s (graceful node shutdown)", name, sim.FormatDuration(timeout))
		}
		call := w.oracle.stopCalled(name, timeout)
		pending := w.beginStop("kubelet", name, timeout)
		w.crio.StopContainer(name, timeout, func(err error) {
			w.calls.End(pending)
			if !w.trace.Off {
				w.trace.Send(w.sched.Now(), "crio", "kubelet", "StopContainer %s returned %v", name, errText(err))
			}
			w.oracle.stopReturned(call, err)
			if left--; left == 0 {
				done()
			}
		})
	}
	if left == 0 {
		done()
		return
	}
	w.sched.After(period, "kubelet shutdown grace period over", done)
}

// transaction runs systemd's shutdown; kubelet is gone from then on.
func (w *world) transaction() {
	w.down = true
	w.oracle.shutdownStarted()
	w.stopper.Shutdown(func() { w.off = true })
}

// killMonitor kills a container's conmon.
func (w *world) killMonitor(name string) {
	if x := w.crio.lookup(name); x != nil && x.monitor != nil {
		_ = w.procs.Kill("node", x.monitor, syscall.SIGKILL)
	}
}
