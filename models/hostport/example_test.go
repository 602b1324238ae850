package hostport_test

import (
	"fmt"

	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// Plugging in a manager: Register makes it a variant of the model, which
// scenario files, campaigns and scenariotest.Conformance then run. Here the
// reference stands in for a user's own.
func ExampleRegister() {
	remove, err := hostport.Register("mine", "my hostport manager", func(h *netfilter.Tables) (hostport.Manager, error) {
		return hostport.NewReference(h)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer remove()
	v, _ := hostport.Model.Variant("mine")
	fmt.Println(v.Name, v.Origin != nil)
	// Output: mine true
}
