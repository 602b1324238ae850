package annotations

import (
	"time"

	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// ConcurrentFor is how long RunConcurrent keeps a pod's request handlers
// going at once: long enough, on two cores, for Go's runtime to catch
// handlers that share a map unlocked.
const ConcurrentFor = 20 * time.Millisecond

// pod is a sandbox's create and the creates of its containers.
type pod struct {
	sandbox    *Step
	containers []*Step
}

// pods groups the case's creates by sandbox, in step order.
func (c *Case) pods() []*pod {
	var out []*pod
	byID := map[string]*pod{}
	for i := range c.Steps {
		s := &c.Steps[i]
		if s.Op != OpCreate {
			continue
		}
		spec, err := decodeShared(s.Spec)
		if err != nil {
			continue
		}
		ctype, err := TypeOf(spec)
		if err != nil {
			continue
		}
		if ctype != PodContainer {
			if byID[s.ID] == nil {
				byID[s.ID] = &pod{sandbox: s}
				out = append(out, byID[s.ID])
			}
			continue
		}
		if sb, _ := SandboxOf(spec); byID[sb] != nil {
			byID[sb].containers = append(byID[sb].containers, s)
		}
	}
	return out
}

// RunConcurrent serves the case's requests as containerd and the Kata
// shim do (campaign.Concurrent, race mode): each sandbox gets its shim,
// then containerd's requests arrive at once, each on its own goroutine as
// the shim's ttrpc server runs them, and repeat for ConcurrentFor: for
// each of the sandbox's containers create, state (its annotations and
// spec) and delete; beside them the status polling kubelet's relist
// causes (state of the sandbox and every container, and the PCIe ports).
// A sandbox without containers, or one the shim refuses, has nothing
// concurrent to run. A panic ends
// its handler only: the deterministic run reports it as a crash.
func (c *Case) RunConcurrent(sim.Chooser) error {
	v, err := Variants.Lookup(c.Variant)
	if err != nil {
		return err
	}
	quiet := func(string, ...any) {}
	for _, p := range c.pods() {
		if len(p.containers) == 0 {
			continue
		}
		sh := v.Build(c.PCI, c.Config, quiet)
		var refused error
		if !modelkit.Serve(func() error { refused = sh.Create(p.sandbox.ID, []byte(p.sandbox.Spec)); return refused }) || refused != nil {
			continue // a sandbox the shim refuses has no containers to race
		}
		var handlers []func() error
		for _, s := range p.containers {
			handlers = append(handlers, func() error {
				if err := sh.Create(s.ID, []byte(s.Spec)); err != nil {
					return nil // refused: the next round tries again
				}
				sh.Annotations(s.ID)
				sh.Spec(s.ID)
				return sh.Delete(s.ID)
			})
		}
		handlers = append(handlers, func() error {
			sh.Annotations(p.sandbox.ID)
			for _, s := range p.containers {
				sh.Annotations(s.ID)
				sh.Spec(s.ID)
			}
			sh.Registered()
			return nil
		})
		modelkit.RaceHandlers(ConcurrentFor, handlers...)
		modelkit.Serve(func() error { return sh.Delete(p.sandbox.ID) })
	}
	return nil
}
