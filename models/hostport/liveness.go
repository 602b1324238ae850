package hostport

import (
	"fmt"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// RuntimeRequestTimeout bounds each CRI call kubelet makes to the daemon:
// kubelet's --runtime-request-timeout (2 minutes by default) after which
// it gives up on the call.
const RuntimeRequestTimeout = 2 * time.Minute

// call enters one CRI call from kubelet to the daemon in the ledger; the
// caller ends it when the daemon answers. A crash of the daemon ends it
// too: the connection closes with the process.
func (w *world) call(what, id string) *sim.Call {
	return w.calls.Begin(sim.Call{Caller: "kubelet", Callee: "crio", What: what, Of: id, At: w.sched.Now(), Within: RuntimeRequestTimeout})
}

// liveness is the run's liveness phase: from the last step or fault on,
// a tool that was made to fail works again (a node's missing or old tool
// is its nature and stays), and kubelet's retries play out fault-free for
// Settle.
func (w *world) liveness(from time.Duration) *sim.Liveness {
	return &sim.Liveness{From: from, Leftovers: w.leftovers, Heal: func() {
		for _, name := range Model.Tools {
			if t, err := w.host.Node().LookPath(name); err == nil {
				t.FailNext = 0
			}
		}
	}}
}

// leftovers is what the run left behind once kubelet's retries had the
// fault-free phase to finish: a StopPodSandbox kubelet still retries
// against a running daemon (one that refused to start, or that systemd
// gave up on, answers nothing: crash-loop says so), and any forwarding of
// a sandbox kubelet asked to stop.
func (w *world) leftovers() []string {
	var left []string
	for _, l := range w.stops {
		if !l.done && w.daemon != nil {
			left = append(left, fmt.Sprintf("kubelet still retries StopPodSandbox %s", l.id))
		}
	}
	for _, f := range w.oracle.sortedForwards(w.host) {
		if sb := w.oracle.byOwner(f.Owner); sb != nil && sb.state != live {
			left = append(left, fmt.Sprintf("the node still forwards %s of stopped sandbox %s", f, sb.id))
		}
	}
	return left
}

// stopLoop is kubelet's StopPodSandbox of one sandbox, retried every
// KubeletRetry until the daemon answers it.
type stopLoop struct {
	w    *world
	id   string
	sb   *oracleSandbox // nil: the oracle knew no live sandbox id
	done bool
	// retry is call, made once for every retry the loop schedules.
	retry func()
}
