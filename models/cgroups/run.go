package cgroups

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/systemd"
)

// KubeletRetry is how long kubelet waits before retrying a failed stop.
const KubeletRetry = time.Second

// Settle is how long a run goes on after its last step.
const Settle = 10 * time.Second

// maxReplays bounds the replays that teach the tree the kernel's answers.
const maxReplays = 8

// Run executes a case with the controller build makes (nil: the case's
// variant) on a fresh simulated node, removed (or kept for the next run,
// reading as a fresh one then: see cgroupfs) before Run returns. Ties
// between simultaneous events are broken by ch. When a run meets a kernel
// answer the plain tree could not give synchronously, the scenario is run
// again from the start with that answer planned, the same choices replayed,
// until the run is faithful; the result is the last run's.
func Run(c *Case, build Builder, ch sim.Chooser, trace bool) (sim.Result, error) {
	return run(c, build, ch, trace, false)
}

// run is Run; bare leaves the oracle's observations and checks out.
func run(c *Case, build Builder, ch sim.Chooser, trace, bare bool) (sim.Result, error) {
	return runs(c, build, ch, trace, bare, false)
}

// runs runs the case until a run learns nothing; whole runs each to its
// end, where a run that will be replayed otherwise stops at what it
// learned (the result is the same: a test compares them).
func runs(c *Case, build Builder, ch sim.Chooser, trace, bare, whole bool) (sim.Result, error) {
	if build == nil {
		v, err := Variants.Lookup(c.Variant)
		if err != nil {
			return sim.Result{}, err
		}
		build = v.Build
	}
	rec := &recorder{ch: ch}
	var plan cgroupfs.Plan
	for attempt := 0; ; attempt++ {
		rec.pos = 0
		res, learned, err := runOnce(c, build, rec, trace, bare, plan, whole || attempt == maxReplays)
		if err != nil || learned.Empty() || attempt == maxReplays {
			return res, err
		}
		plan = plan.With(learned)
	}
}

// recorder replays a run's choices, then draws new ones from ch.
type recorder struct {
	ch  sim.Chooser
	log []int
	pos int
}

// Intn implements sim.Chooser.
func (r *recorder) Intn(n int) int {
	if r.pos < len(r.log) && r.log[r.pos] < n {
		v := r.log[r.pos]
		r.pos++
		return v
	}
	v := r.ch.Intn(n)
	r.log = append(r.log[:r.pos], v)
	r.pos++
	return v
}

// runOnce runs the case once with a plan. A run that is not the last
// one allowed stops at the first window that teaches the tree a kernel
// answer (see world.stopped): it is replayed from the start anyway, and
// what it would do afterwards is discarded with it.
func runOnce(c *Case, build Builder, ch sim.Chooser, trace, bare bool, plan cgroupfs.Plan, final bool) (res sim.Result, learned cgroupfs.Plan, err error) {
	node, err := nodeSpec(c)
	if err != nil {
		return sim.Result{}, learned, err
	}
	fs, err := cgroupfs.New(node.FS)
	if err != nil {
		return sim.Result{}, learned, err
	}
	defer func() {
		if cerr := fs.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	w := &world{c: c, build: build, fs: fs, node: node, sched: sim.NewScheduler(ch), trace: &sim.Trace{Off: !trace}, bare: bare, replayable: !final}
	fs.SetPlan(plan)
	fs.Log = w.log("kernel")
	w.sd = &systemd.Systemd{Version: node.FS.Systemd, Unavailable: node.BusDown, OnStart: w.scopeStarted, OnStop: w.unitStopped}
	w.oracle = newOracle(w)
	w.trace.Add(0, "node", "%s", node.FS.Profile)
	for _, f := range c.Faults {
		if !w.trace.Off { // a fault is formatted only for a trace
			w.trace.Fault(0, "fault %s", faults.Format(f))
		}
	}
	if !plan.Empty() {
		w.trace.Add(0, "node", "replay with %d kernel answer(s) learned from an earlier run of this scenario", len(plan.Entries))
	}
	if err := w.setupNode(); err != nil {
		return sim.Result{}, learned, err
	}
	w.runner = &sim.Runner{Sched: w.sched, Trace: w.trace, OnCrash: w.crashed, Check: w.check, Calls: &w.calls}
	if bare {
		w.runner.Check = nil
	}
	last := w.schedule()
	w.runner.Horizon = last + Settle
	w.runner.Liveness = w.liveness(last)
	vs := w.runner.Run()
	if w.err != nil {
		return sim.Result{}, learned, w.err
	}
	return sim.Result{Violations: vs, Trace: w.trace, Events: w.runner.Events()}, fs.Learned(), nil
}

// world is one run: the node, its systemd, the sandboxes and the oracle.
type world struct {
	c      *Case
	build  Builder
	fs     *cgroupfs.FS
	sd     *systemd.Systemd
	node   CgroupNode
	sched  *sim.Scheduler
	trace  *sim.Trace
	runner *sim.Runner
	oracle *oracle
	sbs    []*sandbox
	// current is the sandbox whose shim is running a call (a crash kills it).
	current *sandbox
	// calls are kubelet's calls to containerd and containerd's to the shims
	// in flight.
	calls sim.Calls
	// err is a failure of the simulation itself (not of the runtime).
	err error
	// bare leaves the oracle's observations and checks out (RunBare).
	bare bool
	// replayable is set when a kernel answer learned makes the run be
	// replayed; stopped once one is: events and checks then do nothing.
	replayable, stopped bool
}

// settled is told the answers of a window the kernel settled: a run
// that will be replayed once it learned something stops.
func (w *world) settled(sb *sandbox, refusals []cgroupfs.Refusal) {
	sb.refused = append(sb.refused, refusals...)
	if w.replayable && !w.fs.Learned().Empty() {
		w.stopped = true
	}
}

// event is fn as a scheduled event: nothing once the run stopped.
func (w *world) event(fn func()) func() {
	return func() {
		if !w.stopped {
			fn()
		}
	}
}

// check is the oracle's check after an event, until the run stopped.
func (w *world) check(now time.Duration) []sim.Violation {
	if w.stopped {
		return nil
	}
	return w.oracle.check(now)
}

func (w *world) log(actor string) func(string, ...any) {
	return func(format string, args ...any) { w.note(actor, format, args...) }
}

// note adds a trace line, with the tree's temporary directory shown as the
// node's /sys/fs/cgroup so that traces do not depend on where it is.
func (w *world) note(actor, format string, args ...any) {
	if w.trace.Off {
		return
	}
	w.trace.Add(w.sched.Now(), actor, "%s", w.clean(fmt.Sprintf(format, args...)))
}

// send records a call or a reply from one actor to another, cleaned as
// note's lines are.
func (w *world) send(from, to, format string, args ...any) {
	if w.trace.Off {
		return
	}
	w.trace.Send(w.sched.Now(), from, to, "%s", w.clean(fmt.Sprintf(format, args...)))
}

// clean rewrites the tree's paths in a message as the node's.
func (w *world) clean(s string) string {
	return strings.ReplaceAll(s, w.fs.Mountpoint(), "/sys/fs/cgroup")
}

// schedule puts the steps and timed faults on the scheduler and returns
// the time of the last.
func (w *world) schedule() time.Duration {
	var last time.Duration
	for i := range w.c.Steps {
		s := &w.c.Steps[i]
		last = max(last, s.At)
		w.sched.AtLabel(s.At, sim.L(s.Op, " ", s.Sandbox), w.event(func() { w.step(s) }))
	}
	for _, f := range w.c.Faults {
		if v, ok := f.(CgroupVanishes); ok {
			last = max(last, v.At)
			w.sched.AtLabel(v.At, sim.L("cgroup-vanishes ", v.Sandbox), w.event(func() { w.vanish(v.Sandbox) }))
		}
	}
	return last
}

func (w *world) step(s *Step) {
	defer w.after()
	switch s.Op {
	case OpRun:
		w.run(s)
	case OpAdd, OpRemove:
		w.container(s)
	case OpStop:
		w.stop(s.Sandbox)
	}
}

// after is what the node does once a step is over: systemd collects
// empty scopes; the oracle notes where each sandbox's processes live.
func (w *world) after() {
	w.collectScopes()
	if !w.bare {
		w.oracle.observe()
	}
}

// call runs one of the runtime's calls inside a cgroupfs window: the
// kernel takes in what it did when it returns, or when it panics.
func (w *world) call(sb *sandbox, what string, fn func() error) (err error) {
	if berr := w.fs.Begin(); berr != nil {
		w.fail(berr)
		return berr
	}
	w.current = sb
	c := w.begin("containerd", "shim-"+sb.id, what, "")
	defer func() {
		w.calls.End(c)
		w.current = nil
		refusals, serr := w.fs.Settle()
		if serr != nil {
			w.fail(serr)
		}
		w.settled(sb, refusals)
	}()
	w.send("containerd", "shim-"+sb.id, "%s", what)
	return fn()
}

// sync is Env.Sync: the window so far is settled and a new one opened.
func (w *world) sync(sb *sandbox) {
	refusals, err := w.fs.Settle()
	if err != nil {
		w.fail(err)
	}
	w.settled(sb, refusals)
	if err := w.fs.Begin(); err != nil {
		w.fail(err)
	}
}

// v1Mounted reports whether the node mounts a v1 hierarchy for a
// subsystem ("systemd" for the named one): its mount table, fixed when
// the node was built.
func (w *world) v1Mounted(subsystem string) bool {
	if w.node.FS.Mode == cgroupfs.Unified {
		return false
	}
	if subsystem == "systemd" {
		subsystem = ""
	}
	return w.fs.MountsV1(subsystem)
}

func (w *world) fail(err error) {
	if w.err == nil {
		w.err = fmt.Errorf("simulation: %w", err)
	}
}

// crashed is told of a panic in the runtime: the shim of the sandbox
// whose call it was died; containerd sees its ttrpc connection close.
func (w *world) crashed(c *sim.Crash) {
	sb := w.current
	if sb == nil {
		for _, s := range w.sbs {
			if s.state == creating {
				sb = s
			}
		}
	}
	if sb == nil {
		return
	}
	// containerd sees the shim's connection close and answers kubelet.
	w.calls.EndAll("shim-" + sb.id)
	w.calls.End(sb.request)
	w.note("containerd", "task create %s failed: ttrpc: closed: unknown (the shim died)", sb.id)
	sb.crashed = true
	w.createFailed(sb, fmt.Errorf("ttrpc: closed: %s", c.Value))
	w.after()
}

// kill ends a process the node kills (systemd stopping a scope).
func (w *world) kill(pid int, why string) {
	if !w.fs.Alive(pid) {
		return
	}
	w.note("node", "process %d exits (%s)", pid, why)
	if err := w.fs.Exit(pid); err != nil {
		w.fail(err)
	}
}

func (w *world) find(id string) *sandbox {
	for i := len(w.sbs) - 1; i >= 0; i-- {
		if w.sbs[i].id == id {
			return w.sbs[i]
		}
	}
	return nil
}

// vanish removes a sandbox's cgroups behind the runtime's back, as far as
// no process is in them (rmdir refuses otherwise).
func (w *world) vanish(id string) {
	defer w.after()
	sb := w.find(id)
	if sb == nil || sb.state != live {
		return
	}
	for _, rel := range slices.Backward(sb.ownedList()) {
		if w.fs.Exists(rel) && w.fs.Remove(rel) == nil {
			w.note("node", "cgroup %s vanished (removed behind the runtime's back)", rel)
			sb.degraded = true
		}
	}
}
