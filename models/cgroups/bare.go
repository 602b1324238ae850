package cgroups

import "github.com/faultsim/faultsim/sim"

// RunBare runs the case without the oracle's observations and invariant
// checks, or trace. The faults stay (they make the node: its kernel,
// cgroup mode, systemd, a cgroup removed behind the runtime's back), and
// so do the simulated cgroupfs and the scheduler: they are the node the
// real library runs against, not the harness. It is the baseline harness
// overhead is measured against (models.Barer).
func (c *Case) RunBare(ch sim.Chooser) error {
	_, err := run(c, nil, ch, false, true)
	return err
}
