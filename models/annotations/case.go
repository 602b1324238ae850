package annotations

import (
	"slices"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim/node"
)

// The operations a step performs, as containerd's task service receives
// them from the CRI plugin or from ctr.
const (
	OpCreate = "create"
	OpDelete = "delete"
)

// Step is one request at a virtual time.
type Step struct {
	At time.Duration
	Op string
	// ID is the container's id; a sandbox's id is its sandbox container's.
	ID string
	// Spec is the bundle's config.json (create only), byte for byte as the
	// shim reads it.
	Spec string
	// Faults name the data faults that shaped Spec when it was drawn.
	Faults []string
}

// Case is everything one run needs: the node's PCI functions, the shim's
// configuration, the variant and the requests.
type Case struct {
	// Node is the node the shim runs on (distro, kernel, tools): nothing
	// of the shim depends on it yet.
	Node    node.Spec
	Variant string
	// PCI are the host's PCI functions by IOMMU group.
	PCI    Node
	Config Config
	Steps  []Step
}

// Size is what shrinking minimises: steps, PCI functions, and the members
// and items of every spec.
func (c *Case) Size() int {
	n := len(c.PCI.Functions)
	for _, s := range c.Steps {
		n++
		if s.Op != OpCreate {
			continue
		}
		if doc, err := faults.ParseJSON([]byte(s.Spec)); err == nil {
			n += doc.Nodes()
		} else {
			n++
		}
	}
	return n
}

// Clone returns a deep copy.
func (c *Case) Clone() *Case {
	out := *c
	out.Node.Tools = slices.Clone(c.Node.Tools)
	out.PCI.Functions = append([]PCIFunction(nil), c.PCI.Functions...)
	out.Steps = make([]Step, len(c.Steps))
	for i, s := range c.Steps {
		s.Faults = append([]string(nil), s.Faults...)
		out.Steps[i] = s
	}
	return &out
}
