package hostport

import (
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// MappingFault is a data fault on a CRI port mapping: it reshapes a mapping a
// generator drew, given the mappings drawn before it in the same scenario.
type MappingFault interface {
	faults.Fault
	Mutate(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping)
}

type mappingFault struct {
	name   string
	mutate func(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping)
}

func (f mappingFault) Name() string      { return f.name }
func (f mappingFault) Args() faults.Args { return nil }
func (f mappingFault) Mutate(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping) {
	f.mutate(c, m, earlier)
}

// pick returns a random earlier mapping, or nil.
func pick(c sim.Chooser, earlier []*runtimeapi.PortMapping) *runtimeapi.PortMapping {
	if len(earlier) == 0 {
		return nil
	}
	return earlier[c.Intn(len(earlier))]
}

var otherProto = map[runtimeapi.Protocol]runtimeapi.Protocol{
	runtimeapi.Protocol_TCP: runtimeapi.Protocol_UDP, runtimeapi.Protocol_UDP: runtimeapi.Protocol_SCTP,
	runtimeapi.Protocol_SCTP: runtimeapi.Protocol_TCP,
}

// SpecificHostIPs are the specific host addresses data faults draw from.
var SpecificHostIPs = map[netfilter.Family][]string{
	netfilter.IPv4: {"192.0.2.10", "192.0.2.11"},
	netfilter.IPv6: {"2001:db8::10", "2001:db8::11"},
}

func mappingSpec(name, summary string, mutate func(sim.Chooser, *runtimeapi.PortMapping, []*runtimeapi.PortMapping)) faults.Spec {
	f := mappingFault{name: name, mutate: mutate}
	return faults.Spec{Name: name, Kind: faults.Data, Summary: summary, Build: func(faults.Args) (faults.Fault, error) { return f, nil }}
}

// MappingFaults returns the registered mapping data faults in name order.
func MappingFaults() []MappingFault {
	var out []MappingFault
	for _, s := range faults.ByName(mappingFaultSpecs()) {
		if s.Kind != faults.Data {
			continue
		}
		f, _ := s.Build(nil)
		if mf, ok := f.(MappingFault); ok {
			out = append(out, mf)
		}
	}
	return out
}

func mappingFaultSpecs() (specs []faults.Spec) {
	specs = append(specs, mappingSpec("host-port-zero", "host_port is 0, CRI's explicit \"no host port\" (kubelet sends every container port)",
		func(_ sim.Chooser, m *runtimeapi.PortMapping, _ []*runtimeapi.PortMapping) { m.HostPort = 0 }))
	specs = append(specs, mappingSpec("host-port-negative", "host_port is negative (runtimes skip <= 0)",
		func(c sim.Chooser, m *runtimeapi.PortMapping, _ []*runtimeapi.PortMapping) {
			m.HostPort = -1 - int32(c.Intn(2))
		}))
	specs = append(specs, mappingSpec("host-port-out-of-range", "host_port is above 65535 (valid range 1-65535)",
		func(c sim.Chooser, m *runtimeapi.PortMapping, _ []*runtimeapi.PortMapping) {
			m.HostPort = 65536 + int32(c.Intn(2))
		}))
	specs = append(specs, mappingSpec("duplicate-mapping", "an identical copy of an earlier mapping",
		func(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping) {
			if p := pick(c, earlier); p != nil {
				copyMapping(m, p)
			}
		}))
	specs = append(specs, mappingSpec("same-port-other-protocol", "an earlier mapping's host port and host IP with another protocol",
		func(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping) {
			if p := pick(c, earlier); p != nil {
				copyMapping(m, p)
				m.Protocol = otherProto[p.Protocol]
			}
		}))
	specs = append(specs, mappingSpec("same-port-other-host-ip", "an earlier mapping's host port and protocol on a specific host IP",
		func(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping) {
			if p := pick(c, earlier); p != nil {
				copyMapping(m, p)
			}
			ips := SpecificHostIPs[netfilter.IPv4]
			m.HostIp = ips[c.Intn(len(ips))]
		}))
	specs = append(specs, mappingSpec("same-port-conflict", "an earlier mapping's host port, protocol and host IP, to another container port",
		func(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping) {
			if p := pick(c, earlier); p != nil {
				copyMapping(m, p)
				m.ContainerPort = p.ContainerPort + 1
			}
		}))
	specs = append(specs, mappingSpec("host-ip-other-family", "a host IP of the IP family the pod address is not of",
		func(c sim.Chooser, m *runtimeapi.PortMapping, _ []*runtimeapi.PortMapping) {
			ips := SpecificHostIPs[netfilter.IPv6]
			m.HostIp = ips[c.Intn(len(ips))]
		}))
	specs = append(specs, faults.Spec{Name: "dual-stack-pod", Kind: faults.Data,
		Summary: "the pod has an IPv4 and an IPv6 address; every mapping applies to both families",
		Build:   func(faults.Args) (faults.Fault, error) { return DualStackPod{}, nil }})
	return
}

// DualStackPod gives a pod both an IPv4 and an IPv6 address.
type DualStackPod struct{}

// Name implements Fault.
func (DualStackPod) Name() string { return "dual-stack-pod" }

// Args implements Fault.
func (DualStackPod) Args() faults.Args { return nil }

func copyMapping(dst, src *runtimeapi.PortMapping) {
	dst.Protocol, dst.ContainerPort, dst.HostPort, dst.HostIp = src.Protocol, src.ContainerPort, src.HostPort, src.HostIp
}
