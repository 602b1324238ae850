package cgroups

import "github.com/faultsim/faultsim/sim"

// RunBare runs the case without its faults, the oracle's observations and
// invariant checks, or trace. The simulated cgroupfs (the kernel taking in
// each call's writes) and the scheduler stay: they are the node the real
// library runs against. It is the baseline harness overhead is measured
// against (models.Barer).
func (c *Case) RunBare() error {
	_, err := run(c, nil, sim.Fixed{}, false, true)
	return err
}
