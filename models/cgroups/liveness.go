package cgroups

import (
	"fmt"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// RuntimeRequestTimeout bounds each call: kubelet's CRI calls to
// containerd and containerd's ttrpc calls to a sandbox's shim (kubelet's
// --runtime-request-timeout, 2 minutes by default, is the deadline of the
// context containerd passes on).
const RuntimeRequestTimeout = 2 * time.Minute

// begin enters a call about of ("" for nothing) in the run's ledger.
func (w *world) begin(caller, callee, what, of string) *sim.Call {
	return w.calls.Begin(sim.Call{Caller: caller, Callee: callee, What: what, Of: of, At: w.sched.Now(), Within: RuntimeRequestTimeout})
}

// liveness is the run's liveness phase: after the last step or timed
// fault systemd's bus comes back and kubelet's retries run fault-free for
// Settle.
func (w *world) liveness(last time.Duration) *sim.Liveness {
	l := &sim.Liveness{From: last, Heal: func() { w.sd.Unavailable = false }}
	if !w.bare {
		l.Leftovers = w.leftovers
	}
	return l
}

// leftovers is what a sandbox kubelet stopped left behind after the
// liveness phase: a StopPodSandbox that never succeeded, a process, a
// cgroup it used or its systemd scope. A sandbox whose hypervisor is still
// exiting (hypervisor-exit-slow) is not done yet: its stop ends after the
// run does.
func (w *world) leftovers() []string {
	if w.stopped { // the run is replayed: what it would have done is discarded
		return nil
	}
	var left []string
	for _, sb := range w.sbs {
		if sb.state != stopping && sb.state != deleted || sb.vmmExits > w.sched.Now() {
			continue
		}
		if sb.state == stopping {
			left = append(left, fmt.Sprintf("StopPodSandbox %s never succeeded", sb.id))
		}
		r := w.remains(sb, true)
		for _, pid := range r.pids {
			left = append(left, fmt.Sprintf("process %d of stopped sandbox %s", pid, sb.id))
		}
		for _, rel := range r.cgroups {
			left = append(left, fmt.Sprintf("cgroup %s of stopped sandbox %s", w.clean(rel), sb.id))
		}
		for _, u := range r.units {
			left = append(left, fmt.Sprintf("systemd unit %s of stopped sandbox %s", u, sb.id))
		}
	}
	return left
}
