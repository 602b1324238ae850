package annotations

import (
	"fmt"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// ShimCallTimeout bounds each of containerd's ttrpc calls to a shim: the
// CRI plugin passes on kubelet's context, whose --runtime-request-timeout
// is 2 minutes by default.
const ShimCallTimeout = 2 * time.Minute

// shimActor names the shim of sandbox sbID in traces and the call ledger.
func shimActor(sbID string) string { return "kata/" + sbID }

// begin enters containerd's call to a shim (its actor) in the ledger.
func (w *world) begin(actor, what, id string) *sim.Call {
	return w.calls.Begin(sim.Call{Caller: "containerd", Callee: actor, What: what, Of: id, At: w.sched.Now(), Within: ShimCallTimeout})
}

// leftovers is what a shim still holds, once the run has settled, of
// what containerd deleted: a container's annotations or spec, or the
// PCIe port registrations of a sandbox it deleted. A shim that died holds
// nothing.
func (w *world) leftovers() []string {
	var left []string
	for _, e := range w.shims {
		if e.sb.state == crashed {
			continue
		}
		for _, id := range e.sb.gone {
			_, ann := e.shim.Annotations(id)
			_, spec := e.shim.Spec(id)
			if ann || spec {
				left = append(left, fmt.Sprintf("shim of sandbox %s still holds deleted container %s", e.sb.id, id))
			}
		}
		if e.sb.state == exited {
			if regs := e.shim.Registered(); len(regs) > 0 {
				left = append(left, fmt.Sprintf("shim of deleted sandbox %s still registers %d PCIe function(s)", e.sb.id, len(regs)))
			}
		}
	}
	return left
}
