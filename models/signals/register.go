package signals

import (
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
)

// Register adds a user's implementation of the model's parts (Impl: the
// OCI runtime, the monitor, the CRI server's stop loop; a nil part is the
// reference's) to the model as variant name: scenario files, campaigns and scenariotest.Conformance naming it build it
// with build. Call it from the test (or TestMain) that uses it: the model
// records that test, files naming the variant say so, and they replay only
// in that test's process. remove takes the variant out again (t.Cleanup).
func Register(name, summary string, build Impl) (remove func(), err error) {
	return Variants.Add(Variant{Variant: models.Variant{Name: name, Summary: summary}, Build: build})
}

// FaultNames lists the case's faults (models.FaultLister).
func (c *Case) FaultNames() []string { return modelkit.FaultNames(c.Faults) }
