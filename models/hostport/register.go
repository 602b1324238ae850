package hostport

import (
	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim/node"
)

// Register adds a user's manager to the model as variant name: scenario
// files, campaigns and scenariotest.Conformance naming it build it with
// build. Call it from the test (or TestMain) that uses it: the model
// records that test, files naming the variant say so, and they replay only
// in that test's process. remove takes the variant out again (t.Cleanup).
func Register(name, summary string, build Builder) (remove func(), err error) {
	return Variants.Add(Variant{Variant: models.Variant{Name: name, Summary: summary}, Build: build})
}

// StartNode is the node of c as the daemon first finds it: the scenario's
// node with its node faults (a missing or old tool) applied. A test's
// node constraint (scenariotest.Options.Keep) reads it, for example to
// keep only nodes whose nft a manager needs.
func StartNode(c *Case) (*node.Node, error) {
	n, err := c.Node.Build()
	if err != nil {
		return nil, err
	}
	for _, f := range c.Faults {
		if nf, ok := f.(faults.NodeFault); ok {
			nf.ApplyNode(n)
		}
	}
	return n, nil
}

// FaultNames lists the case's faults and its steps' data faults
// (models.FaultLister).
func (c *Case) FaultNames() []string {
	data := make([]string, len(c.Steps))
	for i, s := range c.Steps {
		data[i] = s.Fault
	}
	return modelkit.FaultNames(c.Faults, data...)
}
