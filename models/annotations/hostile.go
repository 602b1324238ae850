package annotations

import "github.com/faultsim/faultsim/models"

// hostile is the model's Hostile: ids and specs (config.json as the shim
// reads it, any text) take any string; PCI functions are patterns, so they
// stay as drawn.
func hostile(h models.HostileSource, mc models.Case) (string, error) {
	c := mc.(*Case)
	for i := range c.Steps {
		c.Steps[i].ID = h.String("id")
		if c.Steps[i].Op == OpCreate && h.Bool("hostile spec") {
			c.Steps[i].Spec = h.String("spec")
		}
	}
	return "", nil
}
