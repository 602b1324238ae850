package signals

import "github.com/faultsim/faultsim/sim"

// RunBare runs the case without invariant checks or trace. The faults
// stay: they are how the node's processes behave (a delayed signal, a
// monitor that dies), so leaving them out would change the work, not the
// harness's cost. The model's processes, stop loops and timeouts live in
// virtual time, so the scheduler stays too: here it is part of the model.
// It is the baseline harness overhead is measured against (models.Barer).
func (c *Case) RunBare(ch sim.Chooser) error {
	_, err := run(c, ch, false, true)
	return err
}
