package hostport

import (
	"fmt"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
)

// GenOptions bound what Generate draws.
type GenOptions struct {
	MaxSteps    int // default 8
	MaxMappings int // per sandbox, default 3
}

// hostFaultChoices are the node faults a generator draws from; the first
// choice (no fault) is the simplest, so shrinking removes faults.
var hostFaultChoices = []func() faults.Fault{
	nil,
	func() faults.Fault { return faults.ToolMissing{Tool: "iptables"} },
	func() faults.Fault { return faults.ToolMissing{Tool: "ip6tables"} },
	func() faults.Fault { return faults.ToolMissing{Tool: "nft"} },
	func() faults.Fault { return faults.ToolVersion{Tool: "nft", Version: sim.MustVersion("0.9.8")} },
	func() faults.Fault { return faults.ToolFails{Tool: "nft", Times: 1} },
	func() faults.Fault { return faults.ToolFails{Tool: "iptables-restore", Times: 1} },
}

var hostPorts = []int32{8080, 443, 80}

// Generate draws a case for a variant: the node's faults, a daemon restart,
// and kubelet's calls with port mappings shaped by the data faults. Every
// decision goes through c, so a seed replays it and rapid can shrink it.
func Generate(c sim.Chooser, variant string, opt GenOptions) *Case {
	if opt.MaxSteps == 0 {
		opt.MaxSteps = 8
	}
	if opt.MaxMappings == 0 {
		opt.MaxMappings = 3
	}
	cs := &Case{Node: sim.DefaultNode(), Variant: variant}
	for n := c.Intn(3); n > 0; n-- {
		if f := hostFaultChoices[c.Intn(len(hostFaultChoices))]; f != nil {
			cs.Faults = append(cs.Faults, f())
		}
	}
	if c.Intn(8) == 1 {
		cs.Config.DisableHostportMapping = true
	}
	mfaults := faults.MappingFaults()
	var at time.Duration
	var earlier []*PortMapping
	var sandboxes []string
	steps := 1 + c.Intn(opt.MaxSteps)
	for i := 0; i < steps; i++ {
		at += time.Duration(c.Intn(3)) * time.Second
		if len(sandboxes) > 0 && c.Intn(3) == 1 {
			id := sandboxes[c.Intn(len(sandboxes))]
			cs.Steps = append(cs.Steps, Step{At: at, Op: OpStop, Sandbox: id})
			continue
		}
		id := fmt.Sprintf("pod%d", len(sandboxes)+1)
		sandboxes = append(sandboxes, id)
		n := len(sandboxes)
		s := Step{At: at, Op: OpRun, Sandbox: id, IPs: []string{fmt.Sprintf("10.88.0.%d", n+1)}}
		if c.Intn(4) == 1 {
			s.IPs = append(s.IPs, fmt.Sprintf("fd00::%d", n+1))
			s.Fault = "dual-stack-pod"
		}
		for k := c.Intn(opt.MaxMappings + 1); k > 0; k-- {
			m := &PortMapping{Protocol: runtimeapi.Protocol_TCP, HostPort: hostPorts[c.Intn(len(hostPorts))], ContainerPort: 80}
			if c.Intn(2) == 1 {
				f := mfaults[c.Intn(len(mfaults))]
				f.Mutate(c, m, earlier)
				s.Fault = f.Name()
			}
			s.Ports = append(s.Ports, m)
			earlier = append(earlier, m)
		}
		cs.Steps = append(cs.Steps, s)
	}
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.DaemonRestart{At: time.Duration(c.Intn(int(at/time.Second)+1)) * time.Second})
	}
	return cs
}
