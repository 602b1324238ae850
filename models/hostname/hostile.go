package hostname

import (
	"fmt"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
)

// hostile is the model's Hostile: pod names take any string, and the codec
// must refuse one that is not a DNS-1123 subdomain at the first step
// naming it.
func hostile(h models.HostileSource, mc models.Case) (string, error) {
	c := mc.(*Case)
	r := modelkit.NewRenamer(h, "pod")
	for i := range c.Steps {
		c.Steps[i].Pod = r.Get(c.Steps[i].Pod)
	}
	for i, s := range c.Steps {
		if !ValidPodName(s.Pod) {
			return fmt.Sprintf("steps[%d].pod", i), nil
		}
	}
	return "", nil
}
