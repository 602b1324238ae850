package hostport

import (
	"fmt"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
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
	Node    sim.NodeSpec
	Variant string
	Config  Config
	Faults  []faults.Fault
	Steps   []Step
}

// Validate checks a case for what the model cannot run.
func (c *Case) Validate() error {
	if _, err := LookupVariant(c.Variant); err != nil {
		return err
	}
	for i, s := range c.Steps {
		if s.Sandbox == "" {
			return fmt.Errorf("step %d: sandbox: expected a sandbox name", i+1)
		}
		switch s.Op {
		case OpRun:
			if len(s.IPs) == 0 {
				return fmt.Errorf("step %d: ips: expected at least one pod address", i+1)
			}
			for _, ip := range s.IPs {
				if _, err := FamilyOf(ip); err != nil {
					return fmt.Errorf("step %d: ips: %w", i+1, err)
				}
			}
		case OpStop:
			if len(s.IPs) > 0 || len(s.Ports) > 0 {
				return fmt.Errorf("step %d: %s takes only a sandbox", i+1, OpStop)
			}
		default:
			return fmt.Errorf("step %d: op: unknown operation %q: expected %s or %s", i+1, s.Op, OpRun, OpStop)
		}
	}
	return nil
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
	out.Node.Tools = append([]sim.ToolSpec(nil), c.Node.Tools...)
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
