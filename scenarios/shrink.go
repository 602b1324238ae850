package scenarios

import (
	"time"

	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/sim"
)

// Shrink minimises a failing case while it still breaks the invariant
// target under the same seed: it removes faults, steps, addresses and
// mappings, clears options and pulls step times earlier, greedily, until no
// single change keeps the failure. It is deterministic: the same case, seed
// and target always give the same minimal case. runs counts the replays.
func Shrink(c *hostport.Case, seed uint64, target string) (min *hostport.Case, runs int) {
	fails := func(cand *hostport.Case) bool {
		runs++
		r, err := hostport.Run(cand, nil, sim.NewPRNG(seed), false)
		return err == nil && r.Has(target)
	}
	best := c.Clone()
	for progress := true; progress && runs < 5000; {
		progress = false
		for _, cand := range candidates(best) {
			if fails(cand) {
				best, progress = cand, true
				break
			}
		}
	}
	return best, runs
}

// candidates returns the one-change simplifications of c, biggest first.
func candidates(c *hostport.Case) []*hostport.Case {
	var out []*hostport.Case
	for i := range c.Steps {
		d := c.Clone()
		d.Steps = append(d.Steps[:i], d.Steps[i+1:]...)
		out = append(out, d)
	}
	for i := range c.Faults {
		d := c.Clone()
		d.Faults = append(d.Faults[:i], d.Faults[i+1:]...)
		out = append(out, d)
	}
	if c.Config.DisableHostportMapping {
		d := c.Clone()
		d.Config.DisableHostportMapping = false
		out = append(out, d)
	}
	for i, s := range c.Steps {
		for j := range s.Ports {
			d := c.Clone()
			d.Steps[i].Ports = append(d.Steps[i].Ports[:j], d.Steps[i].Ports[j+1:]...)
			out = append(out, d)
		}
		for j := 1; j < len(s.IPs); j++ {
			d := c.Clone()
			d.Steps[i].IPs = append(d.Steps[i].IPs[:j], d.Steps[i].IPs[j+1:]...)
			out = append(out, d)
		}
		if len(s.IPs) > 1 {
			d := c.Clone()
			d.Steps[i].IPs = d.Steps[i].IPs[1:]
			out = append(out, d)
		}
		var floor time.Duration
		if i > 0 {
			floor = c.Steps[i-1].At
		}
		if s.At > floor { // pull this step and the later ones earlier
			d := c.Clone()
			for k := i; k < len(d.Steps); k++ {
				d.Steps[k].At -= s.At - floor
			}
			out = append(out, d)
		}
	}
	return out
}
