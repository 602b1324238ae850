package faults

import (
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/faultsim/faultsim/sim"
)

// MappingFault is a data fault on a CRI port mapping: it reshapes a mapping a
// generator drew, given the mappings drawn before it in the same scenario.
type MappingFault interface {
	Fault
	Mutate(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping)
}

type mappingFault struct {
	name   string
	mutate func(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping)
}

func (f mappingFault) Name() string { return f.name }
func (f mappingFault) Args() Args   { return nil }
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
var SpecificHostIPs = map[sim.Family][]string{
	sim.IPv4: {"192.0.2.10", "192.0.2.11"},
	sim.IPv6: {"2001:db8::10", "2001:db8::11"},
}

func registerMapping(name, summary string, mutate func(sim.Chooser, *runtimeapi.PortMapping, []*runtimeapi.PortMapping)) {
	f := mappingFault{name: name, mutate: mutate}
	Register(Spec{Name: name, Kind: Data, Summary: summary, Build: func(Args) (Fault, error) { return f, nil }})
}

// MappingFaults returns the registered mapping data faults in name order.
func MappingFaults() []MappingFault {
	var out []MappingFault
	for _, s := range All() {
		if s.Kind != Data {
			continue
		}
		f, _ := s.Build(nil)
		if mf, ok := f.(MappingFault); ok {
			out = append(out, mf)
		}
	}
	return out
}

func init() {
	registerMapping("host-port-zero", "host_port is 0, CRI's explicit \"no host port\" (kubelet sends every container port)",
		func(_ sim.Chooser, m *runtimeapi.PortMapping, _ []*runtimeapi.PortMapping) { m.HostPort = 0 })
	registerMapping("host-port-negative", "host_port is negative (runtimes skip <= 0)",
		func(c sim.Chooser, m *runtimeapi.PortMapping, _ []*runtimeapi.PortMapping) {
			m.HostPort = -1 - int32(c.Intn(2))
		})
	registerMapping("host-port-out-of-range", "host_port is above 65535 (valid range 1-65535)",
		func(c sim.Chooser, m *runtimeapi.PortMapping, _ []*runtimeapi.PortMapping) {
			m.HostPort = 65536 + int32(c.Intn(2))
		})
	registerMapping("duplicate-mapping", "an identical copy of an earlier mapping",
		func(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping) {
			if p := pick(c, earlier); p != nil {
				copyMapping(m, p)
			}
		})
	registerMapping("same-port-other-protocol", "an earlier mapping's host port and host IP with another protocol",
		func(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping) {
			if p := pick(c, earlier); p != nil {
				copyMapping(m, p)
				m.Protocol = otherProto[p.Protocol]
			}
		})
	registerMapping("same-port-other-host-ip", "an earlier mapping's host port and protocol on a specific host IP",
		func(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping) {
			if p := pick(c, earlier); p != nil {
				copyMapping(m, p)
			}
			ips := SpecificHostIPs[sim.IPv4]
			m.HostIp = ips[c.Intn(len(ips))]
		})
	registerMapping("same-port-conflict", "an earlier mapping's host port, protocol and host IP, to another container port",
		func(c sim.Chooser, m *runtimeapi.PortMapping, earlier []*runtimeapi.PortMapping) {
			if p := pick(c, earlier); p != nil {
				copyMapping(m, p)
				m.ContainerPort = p.ContainerPort + 1
			}
		})
	registerMapping("host-ip-other-family", "a host IP of the IP family the pod address is not of",
		func(c sim.Chooser, m *runtimeapi.PortMapping, _ []*runtimeapi.PortMapping) {
			ips := SpecificHostIPs[sim.IPv6]
			m.HostIp = ips[c.Intn(len(ips))]
		})
	Register(Spec{Name: "dual-stack-pod", Kind: Data,
		Summary: "the pod has an IPv4 and an IPv6 address; every mapping applies to both families",
		Build:   func(Args) (Fault, error) { return DualStackPod{}, nil }})
}

// DualStackPod gives a pod both an IPv4 and an IPv6 address.
type DualStackPod struct{}

// Name implements Fault.
func (DualStackPod) Name() string { return "dual-stack-pod" }

// Args implements Fault.
func (DualStackPod) Args() Args { return nil }

func copyMapping(dst, src *runtimeapi.PortMapping) {
	dst.Protocol, dst.ContainerPort, dst.HostPort, dst.HostIp = src.Protocol, src.ContainerPort, src.HostPort, src.HostIp
}
