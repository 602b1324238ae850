package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// hostportCodec reads and writes the hostport model's fields: node,
// options, faults and kubelet's sandbox steps.
type hostportCodec struct{}

func init() { codecs[hostport.Model.Name] = hostportCodec{} }

func (hostportCodec) keys() []string { return []string{"node", "options", "faults", "steps"} }

func (hostportCodec) parse(p *parser, root *yaml.Node, f map[string]*yaml.Node, variant string) (models.Case, error) {
	c := &hostport.Case{Node: node.Default(), Variant: variant}
	var err error
	if n := f["node"]; n != nil {
		if c.Node, err = p.node(n); err != nil {
			return nil, err
		}
	}
	if n := f["options"]; n != nil {
		if err := p.hostportOptions(n, &c.Config); err != nil {
			return nil, err
		}
	}
	if n := f["faults"]; n != nil {
		if c.Faults, err = p.faults(n); err != nil {
			return nil, err
		}
	}
	n := f["steps"]
	if n == nil {
		return nil, p.errf(root, "steps", "missing: expected a list of steps")
	}
	if c.Steps, err = p.hostportSteps(n); err != nil {
		return nil, err
	}
	return c, nil
}

func (hostportCodec) format(b *strings.Builder, mc models.Case) {
	c := mc.(*hostport.Case)
	formatNode(b, c.Node)
	if c.Config.DisableHostportMapping {
		b.WriteString("options:\n  disable_hostport_mapping: true\n")
	}
	formatFaults(b, c.Faults)
	formatListStart(b, "", "steps", len(c.Steps))
	for _, st := range c.Steps {
		fmt.Fprintf(b, "  - at: %s\n    op: %s\n    sandbox: %s\n", sim.FormatDuration(st.At), st.Op, quote(st.Sandbox))
		if len(st.IPs) > 0 {
			ips := make([]string, len(st.IPs))
			for i, ip := range st.IPs {
				ips[i] = quote(ip)
			}
			fmt.Fprintf(b, "    ips: [%s]\n", strings.Join(ips, ", "))
		}
		if st.Fault != "" {
			fmt.Fprintf(b, "    fault: %s\n", st.Fault)
		}
		if st.Op == hostport.OpRun && len(st.Ports) > 0 {
			b.WriteString("    ports:\n")
			for _, m := range st.Ports {
				fmt.Fprintf(b, "      - {protocol: %s, container_port: %d, host_port: %d", m.Protocol, m.ContainerPort, m.HostPort)
				if m.HostIp != "" {
					fmt.Fprintf(b, ", host_ip: %s", quote(m.HostIp))
				}
				b.WriteString("}\n")
			}
		}
	}
}

func (p *parser) hostportOptions(n *yaml.Node, cfg *hostport.Config) error {
	f, err := p.fields(n, "options", "disable_hostport_mapping")
	if err != nil {
		return err
	}
	if v := f["disable_hostport_mapping"]; v != nil {
		if cfg.DisableHostportMapping, err = p.boolean(v, "options.disable_hostport_mapping"); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) hostportSteps(n *yaml.Node) ([]hostport.Step, error) {
	var out []hostport.Step
	err := p.eachStep(n, true, []string{"at", "op", "sandbox", "ips", "ports", "fault"}, func(it stepItem) error {
		item, f, field := it.node, it.f, it.field
		s := hostport.Step{At: it.at}
		var err error
		if s.Op, err = p.requiredIn(item, f, field, "op"); err != nil {
			return err
		}
		if s.Op != hostport.OpRun && s.Op != hostport.OpStop {
			return p.errf(f["op"], field+".op", "unknown operation %q: expected %s or %s", s.Op, hostport.OpRun, hostport.OpStop)
		}
		if s.Sandbox, err = p.requiredIn(item, f, field, "sandbox"); err != nil {
			return err
		}
		if s.Op == hostport.OpStop && (f["ips"] != nil || f["ports"] != nil) {
			return p.errf(item, field, "%s takes only at and sandbox", hostport.OpStop)
		}
		if ips := f["ips"]; ips != nil {
			if ips.Kind != yaml.SequenceNode {
				return p.errf(ips, field+".ips", "expected a list of pod addresses")
			}
			for _, ipn := range ips.Content {
				if _, err := hostport.FamilyOf(ipn.Value); err != nil || ipn.Kind != yaml.ScalarNode {
					return p.errf(ipn, field+".ips", "%q: expected an IPv4 or IPv6 address", ipn.Value)
				}
				s.IPs = append(s.IPs, ipn.Value)
			}
		}
		if s.Op == hostport.OpRun && len(s.IPs) == 0 {
			return p.errf(item, field+".ips", "missing: expected at least one pod address")
		}
		if ports := f["ports"]; ports != nil {
			if s.Ports, err = p.hostportPorts(ports, field+".ports"); err != nil {
				return err
			}
		}
		if lf := f["fault"]; lf != nil {
			spec, ok := faults.Lookup(lf.Value)
			if !ok || spec.Kind != faults.Data || !slices.Contains(p.allowed, lf.Value) {
				return p.errf(lf, field+".fault", "%q: expected the name of a data fault this model consumes (faultsim list faults)", lf.Value)
			}
			s.Fault = lf.Value
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

func (p *parser) hostportPorts(n *yaml.Node, field string) ([]*hostport.PortMapping, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n, field, "expected a list of port mappings")
	}
	var out []*hostport.PortMapping
	for i, item := range n.Content {
		pf := fmt.Sprintf("%s[%d]", field, i)
		f, err := p.fields(item, pf, "protocol", "container_port", "host_port", "host_ip")
		if err != nil {
			return nil, err
		}
		m := &hostport.PortMapping{}
		if pr := f["protocol"]; pr != nil {
			v, ok := runtimeapi.Protocol_value[pr.Value]
			if !ok {
				return nil, p.errf(pr, pf+".protocol", "%q: expected TCP, UDP or SCTP", pr.Value)
			}
			m.Protocol = runtimeapi.Protocol(v)
		}
		cp := f["container_port"]
		if cp == nil {
			return nil, p.errf(item, pf+".container_port", "missing: expected a port 1-65535")
		}
		if m.ContainerPort, err = p.int32In(cp, pf+".container_port", 1, 65535); err != nil {
			return nil, err
		}
		if hp := f["host_port"]; hp != nil {
			// Host ports outside 1-65535 are inputs faultsim feeds runtimes on
			// purpose (0 means none); the file only bounds them to int32.
			if m.HostPort, err = p.int32In(hp, pf+".host_port", math.MinInt32, math.MaxInt32); err != nil {
				return nil, err
			}
		}
		if hi := f["host_ip"]; hi != nil && hi.Value != "" {
			if _, err := hostport.FamilyOf(hi.Value); err != nil {
				return nil, p.errf(hi, pf+".host_ip", "%q: expected an IP address or empty for all", hi.Value)
			}
			m.HostIp = hi.Value
		}
		out = append(out, m)
	}
	return out, nil
}
