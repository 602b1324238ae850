package annotations

import (
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
)

// Register adds a user's shim to the model as variant name:
// scenario files, campaigns and scenariotest.Conformance naming it build it
// with build. Call it from the test (or TestMain) that uses it: the model
// records that test, files naming the variant say so, and they replay only
// in that test's process. remove takes the variant out again (t.Cleanup).
func Register(name, summary string, build Builder) (remove func(), err error) {
	return Variants.Add(Variant{Variant: models.Variant{Name: name, Summary: summary}, Build: build})
}

// FaultNames lists the faults that shaped the node's IOMMU groups and the
// case's specs (models.FaultLister).
func (c *Case) FaultNames() []string {
	var data []string
	for _, f := range c.PCI.Functions {
		data = append(data, f.Fault)
	}
	for _, s := range c.Steps {
		data = append(data, s.Faults...)
	}
	return modelkit.FaultNames(nil, data...)
}
