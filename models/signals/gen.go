package signals

import (
	"syscall"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
	"github.com/faultsim/faultsim/sim/proc"
)

// The values the generator draws from; the simplest come first, since
// rapid shrinks draws towards 0.
var (
	graces       = []time.Duration{30 * time.Second, 2 * time.Second, 5 * time.Second, time.Second, 10 * time.Second}
	cleanups     = []time.Duration{time.Second, 0, 500 * time.Millisecond, 3 * time.Second, 10 * time.Second, 45 * time.Second}
	timeouts     = []time.Duration{10 * time.Second, 0, time.Second, 2 * time.Second, 30 * time.Second}
	execTimeouts = []time.Duration{time.Second, 0, 2 * time.Second, 5 * time.Second} // a probe's timeoutSeconds; 0: none
	execRuns     = []time.Duration{500 * time.Millisecond, 2 * time.Second, 10 * time.Second, time.Minute}
	gaps         = []time.Duration{time.Second, 0, 2 * time.Second, 5 * time.Second, 100 * time.Millisecond}
	delays       = []time.Duration{100 * time.Millisecond, 50 * time.Millisecond, 500 * time.Millisecond}
	stopSignals  = []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT}
	systemds     = []int{257, 252, 219}
	shutdownGPs  = []time.Duration{0, 10 * time.Second, 30 * time.Second, 5 * time.Second}
	containerIDs = []string{"db", "web", "cache"}
	respawns     = []time.Duration{time.Second, 5 * time.Second}
	maxSteps     = 4
	cgroupModes  = []string{"v1", "hybrid", "v2"}
	pidfdKernels = kernelsWith(node.PidfdOpen)
)

// kernelsWith lists the kernels of node.Kernels that have f.
func kernelsWith(f node.Feature) []string {
	var out []string
	for _, k := range node.Kernels {
		if sim.MustVersion(k).AtLeast(f.Since) {
			out = append(out, k)
		}
	}
	return out
}

// firstWithoutLegacyCgroups is the first systemd that refuses to boot on
// cgroup v1, legacy or hybrid (systemd v256's release notes), and
// legacySystemd the systemd a node drawn with them runs instead.
const (
	firstWithoutLegacyCgroups = 256
	legacySystemd             = 252
)

// drawNode draws the node's kernel and cgroup mode; 0, what rapid shrinks
// to, keeps the distro's. The kernels are those with pidfd_open: below it
// crun signals with kill(2) after its start-time check, a window a reused
// pid can hit (scenarios/corpus/finding-signals-pid-reuse-kill-without-pidfd.yaml),
// so campaigns would report that known limit on the reference. On v1 and
// hybrid a systemd too new for them is the last one that boots there.
func drawNode(c sim.Chooser, n *node.Spec) {
	if k := c.Intn(1 + len(pidfdKernels)); k > 0 {
		n.Kernel = pidfdKernels[k-1]
	}
	if m := c.Intn(1 + len(cgroupModes)); m > 0 {
		n.Cgroup = cgroupModes[m-1]
		if n.Cgroup != "v2" && n.Systemd >= firstWithoutLegacyCgroups {
			n.Systemd = legacySystemd
		}
	}
}

// swarmKinds are the fault kinds the generator draws, in the order their
// swarm choices are drawn. It does not draw tool-fails for crun: the
// reference is CRI-O's stop loop, which drops a failed stop signal
// (scenarios/corpus/finding-signals-failed-stop-signal-kill-means-sigkill.yaml),
// so campaigns would report that known finding on every reference run.
var swarmKinds = []string{
	SignalDrop{}.Name(), SignalDelay{}.Name(), SignalDup{}.Name(), SignalReorder{}.Name(),
	ExitAtDeadline{}.Name(), IgnoresStopSignal{}.Name(), DiesOnStopSignal{}.Name(), DState{}.Name(),
	ExitsOnItsOwn{}.Name(), MonitorDies{}.Name(), HandlersLate{}.Name(), PidNamespaceInit{}.Name(),
	PidReuse{}.Name(),
}

// drawTree draws a container's process tree: mostly none (0, what rapid
// shrinks to); else one or two children in a pid namespace of their own,
// or host_pid with none to two, some of them supervisors; tini -g's
// forwarding now and then.
func drawTree(c sim.Chooser, ct *Container) {
	n := 0
	switch x := c.Intn(10); {
	case x < 8:
		return
	case x == 8:
		n = 1 + c.Intn(2)
	default:
		ct.HostPID = true
		n = c.Intn(3)
	}
	for range n {
		ch := drawChild(c)
		if r := c.Intn(6 + len(respawns)); r >= 6 { // a supervisor, 1 in 4
			ch.Respawn = respawns[r-6]
		}
		ct.Children = append(ct.Children, ch)
	}
	ct.ForwardToGroup = c.Intn(2) == 1
}

// drawExecChildren draws what an exec'd command forks: mostly nothing (0,
// what rapid shrinks to); 1 in 5 one or two children, a third of them in
// a session of their own.
func drawExecChildren(c sim.Chooser) []Child {
	if c.Intn(5) != 4 {
		return nil
	}
	out := make([]Child, 1+c.Intn(MaxExecChildren))
	for i := range out {
		out[i] = drawChild(c)
	}
	return out
}

// drawChild draws a forked child: what it does on a stop signal, how long
// its cleanup takes, and whether it calls setsid (1 in 3).
func drawChild(c sim.Chooser) Child {
	return Child{
		OnStop:   []proc.Disposition{proc.Terminate, proc.Handle, proc.Ignore}[c.Intn(3)],
		Cleanup:  cleanups[c.Intn(len(cleanups))],
		OwnGroup: c.Intn(3) == 2,
	}
}

// Generate draws a case for a variant: the containers, the node's
// configuration, the faults and the stop calls. Every list item is one draw
// whose value 0 means "no more", and every fault its own toggle, so rapid
// deletes items by lowering draws and a seed replays the same case.
func Generate(c sim.Chooser, variant string) *Case {
	g := &draw{cs: Case{Node: node.Default(), Variant: variant}}
	cs := &g.cs
	cs.Node.Systemd = systemds[c.Intn(len(systemds))]
	cs.Config.ShutdownGracePeriod = shutdownGPs[c.Intn(len(shutdownGPs))]
	// Every container, step and fault is drawn as one group (sim.Group), so
	// rapid deletes it whole; a group whose first draw is 0 means "no more".
	// That draw is made after the last item even when the list is full, so
	// deleting an item never makes the next list's first item read as this
	// list's. The first container always exists and reads 0 as SIGTERM.
	// One function draws each list's items (g.i is the item's index).
	container := g.container
	for g.i, g.more = 0, true; g.more; g.i++ {
		sim.Group(c, container)
	}
	step := g.step
	for g.i, g.more = 0, true; g.more; g.i++ {
		sim.Group(c, step)
	}
	// Faults are drawn after the steps so their times can line up with the
	// steps' (races at the same instant); each is a toggle (1 in 6) and its
	// parameters, in one group.
	// The swarm is drawn with the faults, after the steps, so that the
	// steps' draws come first, as rapid's shrinker likes them.
	g.swarm = modelkit.DrawSwarm(c, swarmKinds)
	g.times = [...]time.Duration{g.at, 0, time.Second, 5 * time.Second}
	fault := g.fault
	for g.i = range faultDraws {
		sim.Group(c, fault)
	}
	// The node is drawn last, so a seed draws the containers, steps and
	// faults it drew before the node was.
	sim.Group(c, func(c sim.Chooser) { drawNode(c, &cs.Node) })
	return cs
}

// draw is a case being drawn, and where Generate is in its lists.
type draw struct {
	cs Case
	// i is the index of the item being drawn; more is false once a
	// list's "no more" is drawn.
	i    int
	more bool
	// at is the time of the last step drawn.
	at    time.Duration
	swarm modelkit.Swarm
	// times are the instants a timed fault draws from: the last step's,
	// the start, and a little after it.
	times [4]time.Duration
}

// container draws the i-th container, or "no more".
func (g *draw) container(c sim.Chooser) {
	x := c.Intn(1 + len(stopSignals))
	if (x == 0 && g.i > 0) || g.i == len(containerIDs) {
		g.more = false
		return
	}
	ct := Container{Name: containerIDs[g.i], Grace: graces[c.Intn(len(graces))], Cleanup: cleanups[c.Intn(len(cleanups))]}
	if x > 1 {
		ct.StopSignal = stopSignals[x-1]
	}
	drawTree(c, &ct)
	g.cs.Containers = append(g.cs.Containers, ct)
}

// step draws the i-th step, or "no more".
func (g *draw) step(c sim.Chooser) {
	x := c.Intn(5) // 0: no more steps
	if x == 0 || g.i == maxSteps {
		g.more = false
		return
	}
	g.at += gaps[c.Intn(len(gaps))]
	at, cs := g.at, &g.cs
	switch x {
	case 1:
		cs.Steps = append(cs.Steps, Step{At: at, Op: OpStop, Container: g.pick(c), Timeout: timeouts[c.Intn(len(timeouts))]})
	case 2:
		cs.Steps = append(cs.Steps, Step{At: at, Op: OpDelete, Container: g.pick(c)})
	case 3:
		cs.Steps = append(cs.Steps, Step{At: at, Op: OpShutdown})
	case 4:
		cs.Steps = append(cs.Steps, Step{At: at, Op: OpExecSync, Container: g.pick(c),
			Timeout: execTimeouts[c.Intn(len(execTimeouts))], Runs: execRuns[c.Intn(len(execRuns))], Children: drawExecChildren(c)})
	}
}

// fault draws whether the i-th kind of faultDraws is in the case, and its
// parameters.
func (g *draw) fault(c sim.Chooser) {
	f := &faultDraws[g.i]
	if g.swarm.Hit(c, f.kind.Name(), 6) {
		if flt := f.mk(g, c); flt != nil {
			g.cs.Faults = append(g.cs.Faults, flt)
		}
	}
}

// pick draws one of the containers.
func (g *draw) pick(c sim.Chooser) string { return g.cs.Containers[c.Intn(len(g.cs.Containers))].Name }

// when draws one of the times.
func (g *draw) when(c sim.Chooser) time.Duration { return g.times[c.Intn(len(g.times))] }

// nth draws which signal a delivery fault hits.
func nth(c sim.Chooser) int { return 1 + c.Intn(4) }

// faultDraws are the fault kinds Generate draws, in order, each with how
// its parameters are drawn (nil: none fits the case).
var faultDraws = []struct {
	kind faults.Fault
	mk   func(g *draw, c sim.Chooser) faults.Fault
}{
	{SignalDrop{}, func(g *draw, c sim.Chooser) faults.Fault { return SignalDrop{Nth: nth(c)} }},
	{SignalDelay{}, func(g *draw, c sim.Chooser) faults.Fault {
		return SignalDelay{Nth: nth(c), Delay: delays[c.Intn(len(delays))]}
	}},
	{SignalDup{}, func(g *draw, c sim.Chooser) faults.Fault { return SignalDup{Nth: nth(c)} }},
	{SignalReorder{}, func(g *draw, c sim.Chooser) faults.Fault { return SignalReorder{Nth: nth(c)} }},
	{ExitAtDeadline{}, func(g *draw, c sim.Chooser) faults.Fault { return ExitAtDeadline{Container: g.pick(c)} }},
	{IgnoresStopSignal{}, func(g *draw, c sim.Chooser) faults.Fault { return IgnoresStopSignal{Container: g.pick(c)} }},
	{DiesOnStopSignal{}, func(g *draw, c sim.Chooser) faults.Fault { return DiesOnStopSignal{Container: g.pick(c)} }},
	{DState{}, func(g *draw, c sim.Chooser) faults.Fault {
		return DState{Container: g.pick(c), At: g.when(c), For: []time.Duration{time.Second, 3 * time.Second}[c.Intn(2)]}
	}},
	{ExitsOnItsOwn{}, func(g *draw, c sim.Chooser) faults.Fault { return ExitsOnItsOwn{Container: g.pick(c), At: g.when(c)} }},
	{MonitorDies{}, func(g *draw, c sim.Chooser) faults.Fault { return MonitorDies{Container: g.pick(c), At: g.when(c)} }},
	{HandlersLate{}, func(g *draw, c sim.Chooser) faults.Fault { return HandlersLate{Container: g.pick(c), After: g.when(c)} }},
	{PidNamespaceInit{}, func(g *draw, c sim.Chooser) faults.Fault {
		// A host-pid container has no pid namespace of its own.
		if name := g.pick(c); !g.cs.container(name).HostPID {
			return PidNamespaceInit{Container: name}
		}
		return nil
	}},
	{PidReuse{}, func(g *draw, c sim.Chooser) faults.Fault {
		at := g.when(c)
		if at == 0 { // the container takes its pid at 0: a wrap onto it comes later
			at = time.Second
		}
		return PidReuse{Container: g.pick(c), At: at}
	}},
}
