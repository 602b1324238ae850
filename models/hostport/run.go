package hostport

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

// KubeletRetry is how long kubelet waits before retrying a failed stop.
const KubeletRetry = time.Second

// Settle is how long a run goes on after its last step, so retries and
// restarts play out.
const Settle = 15 * time.Second

// Run executes a case with the manager build makes (nil: the case's
// variant). Ties between simultaneous events are broken by ch. With trace
// false only violations are recorded (campaign speed).
func Run(c *Case, build Builder, ch sim.Chooser, trace bool) (sim.Result, error) {
	if build == nil {
		v, err := Variants.Lookup(c.Variant)
		if err != nil {
			return sim.Result{}, err
		}
		build = v.Build
	}
	n, err := StartNode(c)
	if err != nil {
		return sim.Result{}, err
	}
	h := netfilter.New(n)
	w := &world{host: h, build: build, cfg: c.Config, sched: sim.NewScheduler(ch), trace: &sim.Trace{Off: !trace}}
	w.store, w.runner = &w.own.store, &w.own.runner
	if trace { // the daemon runs the node's tools: calls from crio to them
		n.OnExec = w.execed
		n.OnLack = w.lacked
	}
	if !w.trace.Off { // a fault is formatted only for a trace
		for _, f := range c.Faults {
			if _, ok := f.(faults.NodeFault); ok {
				w.trace.Fault(0, "fault %s", faults.Format(f))
			}
		}
	}
	w.oracle = newOracle(h, c.Config)
	*w.runner = sim.Runner{Sched: w.sched, Trace: w.trace, OnCrash: w.crashed, Calls: &w.calls,
		Check: func(now time.Duration) []sim.Violation { return w.oracle.check(h, now, w.runner.Reported) }}
	var last time.Duration
	for _, f := range c.Faults {
		if tf, ok := f.(faults.DaemonRestart); ok {
			w.sched.At(tf.Time(), f.Name(), w.restart)
			last = max(last, tf.Time())
		}
	}
	for i := range c.Steps {
		s := &c.Steps[i]
		last = max(last, s.At)
		switch s.Op {
		case OpRun:
			w.sched.AtLabel(s.At, sim.L("kubelet run ", s.Sandbox), func() { w.run(s) })
		case OpStop:
			w.sched.AtLabel(s.At, sim.L("kubelet stop ", s.Sandbox), func() { w.stop(s.Sandbox) })
		}
	}
	w.runner.Horizon = last + Settle
	w.runner.Liveness = w.liveness(last)
	// The daemon boots before kubelet's first call, as on a node.
	w.runner.Do("daemon start", func() { w.start("boot") })
	vs := w.runner.Run()
	w.oracle.release()
	return sim.Result{Violations: vs, Trace: w.trace, Events: w.runner.Events()}, nil
}

// world is one run's state: the node, the daemon (nil while down), its
// persisted store, the supervisor, kubelet's view and the oracle.
type world struct {
	host   *netfilter.Tables
	build  Builder
	cfg    Config
	store  *Store
	daemon *Daemon
	sup    sim.Supervisor
	sched  *sim.Scheduler
	trace  *sim.Trace
	runner *sim.Runner
	oracle *oracle
	// calls are kubelet's CRI calls in flight; stops are its
	// StopPodSandbox retry loops.
	calls sim.Calls
	stops []*stopLoop
	// own holds what store and runner point to: one allocation with the world.
	own struct {
		store  Store
		runner sim.Runner
	}
}

// errDaemonDown is what kubelet gets from a daemon that is not running.
var errDaemonDown = errors.New("connection refused: the daemon is not running")

// report records a violation of inv now, unless one is recorded already
// (the runner keeps the first of each): the message is formatted only then.
func (w *world) report(inv sim.Invariant, format string, args ...any) {
	if w.runner.Reported(inv.Name) {
		return
	}
	w.runner.Report(sim.Violation{Invariant: inv.Name, At: w.sched.Now(), Message: fmt.Sprintf(format, args...)})
}

// daemonLog records what the daemon logs in the trace.
func (w *world) daemonLog(format string, args ...any) {
	w.trace.Add(w.sched.Now(), "crio", format, args...)
}

// send records a call or a reply between two actors now.
func (w *world) send(from, to, format string, args ...any) {
	w.trace.Send(w.sched.Now(), from, to, format, args...)
}

// execed records the daemon running one of the node's tools.
func (w *world) execed(name string, args []string, err error) {
	if err != nil {
		w.send("crio", name, "%v", err) // the error names the command
		return
	}
	w.send("crio", name, "%s", strings.Join(args, " "))
}

// lacked records what the node's kernel did without a feature a tool asked
// of it (the real kernel does it silently).
func (w *world) lacked(tool string, f node.Feature, what string) {
	w.trace.Add(w.sched.Now(), tool, "kernel %s lacks %s (Linux %s): %s", w.host.Node().Kernel, f.Name, f.Since, what)
}

// tracing reports whether the run records a trace. A trace line's arguments
// are built only when it does: boxing them costs allocations an untraced
// (campaign) run does not need.
func (w *world) tracing() bool { return !w.trace.Off }

// start starts the daemon under the supervisor's start limit.
func (w *world) start(why string) {
	now := w.sched.Now()
	if !w.sup.Start(now) {
		w.trace.Add(now, "supervisor", "start request repeated too quickly, refusing to start")
		w.report(InvCrashLoop, "the daemon crashed on every restart until systemd's start limit (5 starts in 10s) was hit")
		return
	}
	if w.tracing() {
		w.send("supervisor", "crio", "starting daemon (%s)", why)
	}
	d, err := StartDaemon(w.host, w.cfg, w.build, w.store, w.daemonLog)
	if err != nil {
		if w.tracing() {
			w.trace.Add(w.sched.Now(), "crio", "refusing to start: %v", err)
		}
		return
	}
	w.daemon = d
	w.trace.Add(w.sched.Now(), "crio", "ready")
}

// crashed is told of a panic: the daemon is gone; systemd restarts it.
func (w *world) crashed(c *sim.Crash) {
	w.daemon = nil
	w.calls.EndAll("crio") // its connections close with it
	if w.sup.Failed() {
		return
	}
	w.sched.After(w.sup.Delay(), "daemon restart", func() { w.start("restart after crash") })
}

func (w *world) restart() {
	if w.daemon == nil {
		return
	}
	w.send("supervisor", "crio", "restarting daemon (fault)")
	w.daemon = nil
	w.start("restart")
}

func (w *world) run(s *Step) {
	now := w.sched.Now()
	if w.tracing() {
		w.send("kubelet", "crio", "RunPodSandbox %s ips=%s ports=%s", s.Sandbox, ipList(s.IPs), mappingList(s.Ports))
	}
	if w.oracle.find(s.Sandbox) != nil {
		if w.tracing() {
			w.trace.Add(now, "kubelet", "sandbox %s exists already, skipped", s.Sandbox)
		}
		return
	}
	ips, addrs := canonicalIPs(s.IPs)
	w.oracle.addProbes(s.Ports)
	want, invalid, hard, soft := w.oracle.expected(s.Sandbox, ips, s.Ports)
	before, failures := w.oracle.sortedForwards(w.host), w.host.Node().Failures
	var err error
	if w.daemon == nil {
		err = errDaemonDown
	} else {
		c := w.call("RunPodSandbox", s.Sandbox)
		err = w.daemon.RunPodSandbox(s.Sandbox, s.IPs, s.Ports)
		w.calls.End(c)
	}
	toolFailed := w.host.Node().Failures > failures
	if err != nil {
		if w.tracing() && w.daemon == nil {
			w.trace.Add(w.sched.Now(), "kubelet", "RunPodSandbox %s failed: %v", s.Sandbox, err)
		} else if w.tracing() {
			w.send("crio", "kubelet", "RunPodSandbox %s failed: %v", s.Sandbox, err)
		}
		if w.daemon != nil && !invalid && !hard && !soft && !toolFailed {
			w.report(InvRefusals, "RunPodSandbox %s was refused though its mappings %s conflict with nothing: %v", s.Sandbox, mappingList(s.Ports), err)
		}
		if after := w.oracle.sortedForwards(w.host); !slices.Equal(after, before) {
			w.report(InvFailedChangesNothing, "RunPodSandbox %s failed but changed what the node forwards:\nbefore: %v\nafter:  %v", s.Sandbox, before, after)
		}
		return
	}
	if w.tracing() {
		w.send("crio", "kubelet", "RunPodSandbox %s ok", s.Sandbox)
	}
	if invalid || hard {
		what := "a host port above 65535"
		if hard {
			what = "mappings that conflict with a live sandbox's or each other"
		}
		w.report(InvRefusals, "RunPodSandbox %s succeeded with %s: %s", s.Sandbox, what, mappingList(s.Ports))
	}
	w.oracle.add(&oracleSandbox{id: s.Sandbox, owner: SandboxHash(s.Sandbox), ips: ips, addrs: addrs, state: live, expect: want})
}

// canonicalIPs writes addresses as netip does, as the node's rules give
// them back (an unparsable one is kept as written), and returns them
// parsed too (the zero Addr for an unparsable one).
func canonicalIPs(ips []string) ([]string, []netip.Addr) {
	out, addrs := make([]string, len(ips)), make([]netip.Addr, len(ips))
	var buf [64]byte
	for i, ip := range ips {
		out[i] = ip
		if a, err := netip.ParseAddr(ip); err == nil {
			addrs[i] = a
			if b := a.AppendTo(buf[:0]); string(b) != ip {
				out[i] = string(b)
			}
		}
	}
	return out, addrs
}

// stop is kubelet's StopPodSandbox, retried until it succeeds. A stop of a
// sandbox the oracle does not know (stopped already, or a same-time run
// that has not happened yet) is still a call: CRI makes StopPodSandbox
// idempotent, so the daemon answers it, and the trace shows it.
func (w *world) stop(id string) {
	l := &stopLoop{w: w, id: id, sb: w.oracle.find(id)}
	l.retry = l.call
	w.stops = append(w.stops, l)
	l.call()
}

// call is one StopPodSandbox of the loop; it schedules the next first.
func (l *stopLoop) call() {
	w, id, sb := l.w, l.id, l.sb
	if l.done || (sb != nil && sb.state == gone) {
		l.done = true
		return
	}
	if sb != nil {
		w.oracle.setState(sb, stopping)
	}
	now := w.sched.Now()
	// Schedule the retry first: a crash below unwinds this event.
	w.sched.AfterLabel(KubeletRetry, sim.L("kubelet retry stop ", id), l.retry)
	if w.tracing() {
		w.send("kubelet", "crio", "StopPodSandbox %s", id)
	}
	if w.daemon == nil {
		if w.tracing() {
			w.trace.Add(now, "kubelet", "StopPodSandbox %s failed: connection refused", id)
		}
		return
	}
	c := w.call("StopPodSandbox", id)
	err := w.daemon.StopPodSandbox(id)
	w.calls.End(c)
	if err != nil {
		if w.tracing() {
			w.send("crio", "kubelet", "StopPodSandbox %s failed: %v", id, err)
		}
		return
	}
	if w.tracing() {
		w.send("crio", "kubelet", "StopPodSandbox %s ok", id)
	}
	l.done = true
	if sb != nil {
		w.oracle.setState(sb, gone)
	}
}

// sortForwards sorts forwards in a stable order and returns them.
func sortForwards(fs []Forward) []Forward {
	slices.SortFunc(fs, func(a, b Forward) int {
		return cmp.Or(cmp.Compare(a.Family, b.Family), cmp.Compare(a.Proto, b.Proto), cmp.Compare(a.HostIP, b.HostIP),
			cmp.Compare(a.HostPort, b.HostPort), cmp.Compare(a.PodIP, b.PodIP), cmp.Compare(a.PodPort, b.PodPort),
			cmp.Compare(a.Owner, b.Owner))
	})
	return fs
}
