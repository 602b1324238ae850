package hostport

import (
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim/node"
)

// The operations a scenario step performs, as kubelet calls them.
const (
	OpRun  = "run-pod-sandbox"
	OpStop = "stop-pod-sandbox"
)

// Step is one kubelet call at a virtual time.
type Step struct {
	At      time.Duration
	Op      string
	Sandbox string
	// IPs are the pod's addresses (run only): one, or one per family.
	IPs []string
	// Ports are the CRI port mappings (run only).
	Ports []*PortMapping
	// Fault names the data fault that shaped the step, when one did.
	Fault string
}

// Case is everything one run needs: the node, the variant, the daemon's
// options, the faults and the steps.
type Case struct {
	Node    node.Spec
	Variant string
	Config  Config
	Faults  []faults.Fault
	Steps   []Step
}

// Size is a measure shrinking minimises: steps, mappings, addresses, faults.
func (c *Case) Size() int {
	n := len(c.Faults)
	for _, s := range c.Steps {
		n += 1 + len(s.Ports) + len(s.IPs)
	}
	return n
}

// Clone returns a deep copy.
func (c *Case) Clone() *Case {
	out := *c
	out.Faults = append([]faults.Fault(nil), c.Faults...)
	out.Node.Tools = append([]node.ToolSpec(nil), c.Node.Tools...)
	out.Steps = make([]Step, len(c.Steps))
	for i, s := range c.Steps {
		s.IPs = append([]string(nil), s.IPs...)
		ports := make([]*PortMapping, len(s.Ports))
		for j, p := range s.Ports {
			ports[j] = &PortMapping{Protocol: p.Protocol, ContainerPort: p.ContainerPort, HostPort: p.HostPort, HostIp: p.HostIp}
		}
		s.Ports = ports
		out.Steps[i] = s
	}
	return &out
}
