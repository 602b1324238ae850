package hostport

import (
	"slices"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim/node"
)

// hostile is the model's Hostile: sandbox names and node.distro take any
// string; host_ip and ips are addresses, tools and kernel versions, so
// they stay as drawn; a distro must be one the node knows, so the codec
// must refuse any other.
func hostile(h models.HostileSource, mc models.Case) (string, error) {
	c := mc.(*Case)
	if h.Bool("hostile distro") {
		if c.Node.Distro = h.String("distro"); !slices.Contains(node.DistroNames(), c.Node.Distro) {
			return "node.distro", nil
		}
	}
	r := modelkit.NewRenamer(h, "sandbox")
	for i := range c.Steps {
		c.Steps[i].Sandbox = r.Get(c.Steps[i].Sandbox)
	}
	return "", nil
}
