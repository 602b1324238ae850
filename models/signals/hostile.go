package signals

import (
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
)

// hostile is the model's Hostile: container names take any string,
// renamed in the steps and the faults that name them.
func hostile(h models.HostileSource, mc models.Case) (string, error) {
	c := mc.(*Case)
	r := modelkit.NewRenamer(h, "container")
	for i := range c.Containers {
		c.Containers[i].Name = r.Get(c.Containers[i].Name)
	}
	for i := range c.Steps {
		if c.Steps[i].Container != "" {
			c.Steps[i].Container = r.Get(c.Steps[i].Container)
		}
	}
	fs, err := modelkit.RenameFaults(c.Faults, "container", r)
	c.Faults = fs
	return "", err
}
