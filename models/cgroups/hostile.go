package cgroups

import (
	"fmt"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
)

// hostile is the model's Hostile: container names take any string;
// sandbox IDs name cgroups, so the codec must refuse any that is not a
// containerd identifier (ValidSandboxID), at the first fault or step naming
// one.
func hostile(h models.HostileSource, mc models.Case) (string, error) {
	c := mc.(*Case)
	r := modelkit.NewRenamer(h, "sandbox")
	fs, err := modelkit.RenameFaults(c.Faults, "sandbox", r)
	if err != nil {
		return "", err
	}
	c.Faults = fs
	for i := range c.Steps {
		c.Steps[i].Sandbox = r.Get(c.Steps[i].Sandbox)
		if c.Steps[i].Container != "" {
			c.Steps[i].Container = h.String("container")
		}
	}
	for i, f := range c.Faults {
		if sf, ok := f.(SandboxFault); ok && !ValidSandboxID(sf.Target()) {
			return fmt.Sprintf("faults[%d].sandbox", i), nil
		}
	}
	for i, s := range c.Steps {
		if !ValidSandboxID(s.Sandbox) {
			return fmt.Sprintf("steps[%d].sandbox", i), nil
		}
	}
	return "", nil
}
