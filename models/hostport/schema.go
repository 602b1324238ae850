package hostport

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/schema"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// codec reads and writes the hostport model's fields: node,
// options, faults and kubelet's sandbox steps.
type codec struct{}

func (codec) Reference() schema.Reference { return scenarioFields }

func (codec) Parse(p *schema.Decoder, root *yaml.Node, f map[string]*yaml.Node, variant string) (models.Case, error) {
	c := &Case{Node: node.Default(), Variant: variant}
	var err error
	if c.Node, err = p.NodeOf(f); err != nil {
		return nil, err
	}
	if n := f["options"]; n != nil {
		if err := hostportOptions(p, n, &c.Config); err != nil {
			return nil, err
		}
	}
	if n := f["faults"]; n != nil {
		if c.Faults, err = p.Faults(n); err != nil {
			return nil, err
		}
	}
	n := f["steps"]
	if n == nil {
		return nil, p.Errf(root, "steps", "missing: expected a list of steps")
	}
	if c.Steps, err = hostportSteps(p, n); err != nil {
		return nil, err
	}
	return c, nil
}

func (codec) Format(b *strings.Builder, mc models.Case) {
	c := mc.(*Case)
	schema.FormatNode(b, c.Node)
	if c.Config.DisableHostportMapping {
		b.WriteString("options:\n  disable_hostport_mapping: true\n")
	}
	schema.FormatFaults(b, c.Faults)
	schema.FormatListStart(b, "", "steps", len(c.Steps))
	for _, st := range c.Steps {
		fmt.Fprintf(b, "  - at: %s\n    op: %s\n    sandbox: %s\n", sim.FormatDuration(st.At), st.Op, schema.Quote(st.Sandbox))
		if len(st.IPs) > 0 {
			ips := make([]string, len(st.IPs))
			for i, ip := range st.IPs {
				ips[i] = schema.Quote(ip)
			}
			fmt.Fprintf(b, "    ips: [%s]\n", strings.Join(ips, ", "))
		}
		if st.Fault != "" {
			fmt.Fprintf(b, "    fault: %s\n", st.Fault)
		}
		if st.Op == OpRun && len(st.Ports) > 0 {
			b.WriteString("    ports:\n")
			for _, m := range st.Ports {
				fmt.Fprintf(b, "      - {protocol: %s, container_port: %d, host_port: %d", m.Protocol, m.ContainerPort, m.HostPort)
				if m.HostIp != "" {
					fmt.Fprintf(b, ", host_ip: %s", schema.Quote(m.HostIp))
				}
				b.WriteString("}\n")
			}
		}
	}
}

func hostportOptions(p *schema.Decoder, n *yaml.Node, cfg *Config) error {
	f, err := p.Fields(n, "options", scenarioFields.Keys("options")...)
	if err != nil {
		return err
	}
	if v := f["disable_hostport_mapping"]; v != nil {
		if cfg.DisableHostportMapping, err = p.Boolean(v, "options.disable_hostport_mapping"); err != nil {
			return err
		}
	}
	return nil
}

func hostportSteps(p *schema.Decoder, n *yaml.Node) ([]Step, error) {
	var out []Step
	err := p.EachStep(n, true, scenarioFields.Keys("steps[]"), func(it schema.StepItem) error {
		item, f, field := it.Node, it.F, it.Field
		s := Step{At: it.At}
		var err error
		if s.Op, err = p.RequiredIn(item, f, field, "op"); err != nil {
			return err
		}
		if s.Op != OpRun && s.Op != OpStop {
			return p.Errf(f["op"], field+".op", "unknown operation %q: expected %s or %s", s.Op, OpRun, OpStop)
		}
		if s.Sandbox, err = p.RequiredIn(item, f, field, "sandbox"); err != nil {
			return err
		}
		if s.Op == OpStop && (f["ips"] != nil || f["ports"] != nil) {
			return p.Errf(item, field, "%s takes only at and sandbox", OpStop)
		}
		if ips := f["ips"]; ips != nil {
			if ips.Kind != yaml.SequenceNode {
				return p.Errf(ips, field+".ips", "expected a list of pod addresses")
			}
			for _, ipn := range ips.Content {
				if _, err := FamilyOf(ipn.Value); err != nil || ipn.Kind != yaml.ScalarNode {
					return p.Errf(ipn, field+".ips", "%q: expected an IPv4 or IPv6 address", ipn.Value)
				}
				s.IPs = append(s.IPs, ipn.Value)
			}
		}
		if s.Op == OpRun && len(s.IPs) == 0 {
			return p.Errf(item, field+".ips", "missing: expected at least one pod address")
		}
		if ports := f["ports"]; ports != nil {
			if s.Ports, err = hostportPorts(p, ports, field+".ports"); err != nil {
				return err
			}
		}
		if lf := f["fault"]; lf != nil {
			spec, ok := faults.Lookup(lf.Value)
			if !ok || spec.Kind != faults.Data || !slices.Contains(p.Allowed, lf.Value) {
				return p.Errf(lf, field+".fault", "%q: expected the name of a data fault this model consumes (faultsim list faults)", lf.Value)
			}
			s.Fault = lf.Value
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

func hostportPorts(p *schema.Decoder, n *yaml.Node, field string) ([]*PortMapping, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.Errf(n, field, "expected a list of port mappings")
	}
	var out []*PortMapping
	for i, item := range n.Content {
		pf := fmt.Sprintf("%s[%d]", field, i)
		f, err := p.Fields(item, pf, scenarioFields.Keys("steps[].ports[]")...)
		if err != nil {
			return nil, err
		}
		m := &PortMapping{}
		if pr := f["protocol"]; pr != nil {
			v, ok := runtimeapi.Protocol_value[pr.Value]
			if !ok {
				return nil, p.Errf(pr, pf+".protocol", "%q: expected TCP, UDP or SCTP", pr.Value)
			}
			m.Protocol = runtimeapi.Protocol(v)
		}
		cp := f["container_port"]
		if cp == nil {
			return nil, p.Errf(item, pf+".container_port", "missing: expected a port 1-65535")
		}
		if m.ContainerPort, err = p.Int32In(cp, pf+".container_port", 1, 65535); err != nil {
			return nil, err
		}
		if hp := f["host_port"]; hp != nil {
			// Host ports outside 1-65535 are inputs faultsim feeds runtimes on
			// purpose (0 means none); the file only bounds them to int32.
			if m.HostPort, err = p.Int32In(hp, pf+".host_port", math.MinInt32, math.MaxInt32); err != nil {
				return nil, err
			}
		}
		if hi := f["host_ip"]; hi != nil && hi.Value != "" {
			if _, err := FamilyOf(hi.Value); err != nil {
				return nil, p.Errf(hi, pf+".host_ip", "%q: expected an IP address or empty for all", hi.Value)
			}
			m.HostIp = hi.Value
		}
		out = append(out, m)
	}
	return out, nil
}
