package hostport

import (
	"slices"
	"strconv"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// GenOptions bound what Generate draws.
type GenOptions struct {
	MaxSteps    int // default 8
	MaxMappings int // per sandbox, default 3
}

// hostFaultChoices are the node faults a generator draws from.
var hostFaultChoices = []func() faults.Fault{
	func() faults.Fault { return faults.ToolMissing{Tool: "iptables"} },
	func() faults.Fault { return faults.ToolMissing{Tool: "ip6tables"} },
	func() faults.Fault { return faults.ToolMissing{Tool: "nft"} },
	func() faults.Fault { return faults.ToolVersion{Tool: "nft", Version: sim.MustVersion("0.9.8")} },
	func() faults.Fault { return faults.ToolFails{Tool: "nft", Times: 1} },
	func() faults.Fault { return faults.ToolFails{Tool: "iptables-restore", Times: 1} },
}

var hostPorts = []int32{8080, 443, 80}

// kernels are the kernels a kernel-version fault draws from: node.Kernels,
// 4.19 to 6.6, on both sides of nft object comments (5.10) and destroy (6.3).
var kernels = func() []sim.Version {
	out := make([]sim.Version, len(node.Kernels))
	for i, k := range node.Kernels {
		out[i] = sim.MustVersion(k)
	}
	return out
}()

// mappingFaults are the catalog's mapping faults, in name order, listed
// once (the catalog is complete once every package's init has run).
var mappingFaults = MappingFaults()

// swarmKinds are the fault kinds a generator draws, in the order their
// swarm choices are drawn.
var swarmKinds = func() []string {
	var kinds []string
	for _, f := range hostFaultChoices {
		if n := f().Name(); !slices.Contains(kinds, n) {
			kinds = append(kinds, n)
		}
	}
	kinds = append(kinds, faults.KernelVersion{}.Name(), faults.DaemonRestart{}.Name(), "dual-stack-pod")
	for _, f := range mappingFaults {
		kinds = append(kinds, f.Name())
	}
	return kinds
}()

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
	cs := &Case{Node: node.Default(), Variant: variant}
	sw := modelkit.DrawSwarm(c, swarmKinds)
	// Every list item is one draw whose value 0 means "no more", so rapid
	// can delete any item by deleting its draw, and shrinking truncates lists.
	// Each host fault is its own toggle, so lowering one draw removes
	// exactly that fault and shifts nothing else.
	for _, f := range hostFaultChoices {
		if fault := f(); sw.Hit(c, fault.Name(), 8) {
			cs.Faults = append(cs.Faults, fault)
		}
	}
	if sw.Hit(c, faults.KernelVersion{}.Name(), 8) {
		cs.Faults = append(cs.Faults, faults.KernelVersion{Version: kernels[c.Intn(len(kernels))]})
	}
	if c.Intn(8) == 1 {
		cs.Config.DisableHostportMapping = true
	}
	mfaults := mappingFaults
	var at time.Duration
	earlier := make([]*PortMapping, 0, opt.MaxSteps*opt.MaxMappings)
	sandboxes := make([]string, 0, opt.MaxSteps)
	cs.Steps = make([]Step, 0, opt.MaxSteps)
	for i := 0; i < opt.MaxSteps; i++ {
		op := 0
		if i == 0 {
			at += time.Duration(c.Intn(3)) * time.Second
		} else {
			x := c.Intn(1 + 3*2)
			if x == 0 {
				break
			}
			at += time.Duration((x-1)%3) * time.Second
			op = (x - 1) / 3
		}
		if op == 1 && len(sandboxes) > 0 {
			id := sandboxes[c.Intn(len(sandboxes))]
			cs.Steps = append(cs.Steps, Step{At: at, Op: OpStop, Sandbox: id})
			continue
		}
		id := "pod" + strconv.Itoa(len(sandboxes)+1)
		sandboxes = append(sandboxes, id)
		n := len(sandboxes)
		s := Step{At: at, Op: OpRun, Sandbox: id, IPs: []string{"10.88.0." + strconv.Itoa(n+1)}}
		if sw.Hit(c, "dual-stack-pod", 4) {
			s.IPs = append(s.IPs, "fd00::"+strconv.Itoa(n+1))
			s.Fault = "dual-stack-pod"
		}
		for k := 0; k < opt.MaxMappings; k++ {
			x := c.Intn(1 + len(hostPorts)*(1+len(mfaults)))
			if x == 0 {
				break
			}
			m := &PortMapping{Protocol: runtimeapi.Protocol_TCP, HostPort: hostPorts[(x-1)%len(hostPorts)], ContainerPort: 80}
			if fi := (x - 1) / len(hostPorts); fi > 0 && sw.On(mfaults[fi-1].Name()) {
				f := mfaults[fi-1]
				f.Mutate(c, m, earlier)
				s.Fault = f.Name()
			}
			if s.Ports == nil {
				s.Ports = make([]*PortMapping, 0, opt.MaxMappings)
			}
			s.Ports = append(s.Ports, m)
			earlier = append(earlier, m)
		}
		cs.Steps = append(cs.Steps, s)
	}
	if sw.Hit(c, faults.DaemonRestart{}.Name(), 6) {
		cs.Faults = append(cs.Faults, faults.DaemonRestart{At: time.Duration(c.Intn(int(at/time.Second)+1)) * time.Second})
	}
	return cs
}
