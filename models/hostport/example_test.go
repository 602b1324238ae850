package hostport_test

import (
	"fmt"

	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/sim"
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

// Race mode: RunConcurrent runs the case's sandboxes at once on a daemon
// of its variant, as a campaign with Isolate does in a child process after
// each deterministic run. A manager sharing memory unlocked dies there of
// Go's fatal concurrent map access or a race report.
func ExampleCase_RunConcurrent() {
	c := hostport.Generate(sim.NewPRNG(1), "reference", hostport.GenOptions{})
	fmt.Println(c.RunConcurrent(sim.NewPRNG(1)))
	// Output: <nil>
}
