package hostport

import (
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// RunBare runs the case's kubelet calls directly on a daemon of its
// variant, in time order, on the node its host faults shape: no
// scheduler, timed faults (restarts), invariants, retries or trace. A crash restarts the daemon at once. It is the baseline harness
// overhead is measured against (models.Barer).
func (c *Case) RunBare(sim.Chooser) error {
	v, err := Variants.Lookup(c.Variant)
	if err != nil {
		return err
	}
	n, err := c.Node.Build()
	if err != nil {
		return err
	}
	h := netfilter.New(n)
	for _, f := range c.Faults {
		if hf, ok := f.(faults.NodeFault); ok {
			hf.ApplyNode(n) // the node as the scenario shapes it
		}
	}
	store := &Store{}
	quiet := func(string, ...any) {}
	// A daemon start may crash too (its start-up cleanup): it stays down.
	start := func() (d *Daemon) {
		sim.Protect(func() { d, _ = StartDaemon(h, c.Config, v.Build, store, quiet) })
		return d
	}
	d := start()
	for _, s := range modelkit.InTimeOrder(c.Steps, func(s *Step) time.Duration { return s.At }) {
		if d == nil {
			if d = start(); d == nil {
				continue
			}
		}
		crash := sim.Protect(func() {
			if s.Op == OpRun {
				_ = d.RunPodSandbox(s.Sandbox, s.IPs, s.Ports)
			} else {
				_ = d.StopPodSandbox(s.Sandbox)
			}
		})
		if crash != nil {
			d = nil
		}
	}
	return nil
}
