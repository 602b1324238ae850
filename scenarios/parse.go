package scenarios

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/sim"
)

// MaxFileSize is the largest scenario file the parser reads.
const MaxFileSize = 1 << 20

// Error is a problem in a scenario file: where, which field, and what was
// expected.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// ParseFile reads and parses a scenario file.
func ParseFile(path string) (*Scenario, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	if info.Size() > MaxFileSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("file is %d bytes: expected at most %d", info.Size(), MaxFileSize)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	return Parse(path, data)
}

type parser struct{ file string }

func (p *parser) errf(n *yaml.Node, field, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses a scenario from data; file names it in errors.
func Parse(file string, data []byte) (*Scenario, error) {
	p := &parser{file: file}
	if len(data) > MaxFileSize {
		return nil, p.errf(nil, "", "file is %d bytes: expected at most %d", len(data), MaxFileSize)
	}
	if !utf8.Valid(data) {
		return nil, p.errf(nil, "", "file is not valid UTF-8")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.yamlErr(err)
	}
	if len(doc.Content) == 0 {
		return nil, p.errf(nil, "", "file is empty: expected a scenario (name, model, variant, steps, expect)")
	}
	root := doc.Content[0]
	f, err := p.fields(root, "scenario", "name", "description", "model", "variant", "seed", "node", "options", "faults", "steps", "expect")
	if err != nil {
		return nil, err
	}
	s := &Scenario{Path: file, Seed: 1, Case: hostport.Case{Node: sim.DefaultNode()}}
	if s.Name, err = p.requiredString(root, f, "name"); err != nil {
		return nil, err
	}
	if n := f["description"]; n != nil {
		s.Description, err = p.str(n, "description")
		if err != nil {
			return nil, err
		}
	}
	if s.Model, err = p.requiredString(root, f, "model"); err != nil {
		return nil, err
	}
	if !slices.Contains(Models, s.Model) {
		return nil, p.errf(f["model"], "model", "unknown model %q: expected one of %s", s.Model, strings.Join(Models, ", "))
	}
	if s.Case.Variant, err = p.requiredString(root, f, "variant"); err != nil {
		return nil, err
	}
	if _, err := hostport.LookupVariant(s.Case.Variant); err != nil {
		return nil, p.errf(f["variant"], "variant", "%v", err)
	}
	if n := f["seed"]; n != nil {
		v, err := strconv.ParseUint(n.Value, 10, 64)
		if n.Kind != yaml.ScalarNode || err != nil {
			return nil, p.errf(n, "seed", "%q: expected a whole number >= 0", n.Value)
		}
		s.Seed = v
	}
	if n := f["node"]; n != nil {
		if s.Case.Node, err = p.node(n); err != nil {
			return nil, err
		}
	}
	if n := f["options"]; n != nil {
		if err := p.options(n, &s.Case.Config); err != nil {
			return nil, err
		}
	}
	if n := f["faults"]; n != nil {
		if s.Case.Faults, err = p.faults(n); err != nil {
			return nil, err
		}
	}
	n := f["steps"]
	if n == nil {
		return nil, p.errf(root, "steps", "missing: expected a list of steps")
	}
	if s.Case.Steps, err = p.steps(n); err != nil {
		return nil, err
	}
	if s.Expect, err = p.expect(root, f["expect"]); err != nil {
		return nil, err
	}
	return s, nil
}

func (p *parser) yamlErr(err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if strings.HasPrefix(msg, "line ") {
		rest := msg[len("line "):]
		if i := strings.Index(rest, ":"); i > 0 {
			line, _ = strconv.Atoi(rest[:i])
			msg = strings.TrimSpace(rest[i+1:])
		}
	}
	return &Error{File: p.file, Line: line, Msg: "invalid YAML: " + msg}
}

// fields checks that n is a mapping with only the allowed keys, once each.
func (p *parser) fields(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n, what, "expected a mapping of %s", strings.Join(allowed, ", "))
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(allowed, k.Value) {
			return nil, p.errf(k, what, "unknown field %q: expected one of %s", k.Value, strings.Join(allowed, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, p.errf(k, what, "field %q given twice", k.Value)
		}
		out[k.Value] = v
	}
	return out, nil
}

func (p *parser) str(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", p.errf(n, field, "expected a string")
	}
	return n.Value, nil
}

func (p *parser) requiredString(parent *yaml.Node, f map[string]*yaml.Node, field string) (string, error) {
	n := f[field]
	if n == nil {
		return "", p.errf(parent, field, "missing: expected a value")
	}
	v, err := p.str(n, field)
	if err == nil && v == "" {
		return "", p.errf(n, field, "empty: expected a value")
	}
	return v, err
}

func (p *parser) duration(n *yaml.Node, field string) (time.Duration, error) {
	d, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return 0, p.errf(n, field, "%q: expected a duration such as 0s, 1.5s or 300ms", n.Value)
	}
	if d < 0 {
		return 0, p.errf(n, field, "%s is negative: expected a virtual time >= 0", n.Value)
	}
	if d > 24*time.Hour {
		return 0, p.errf(n, field, "%s is too far: expected at most 24h of virtual time", n.Value)
	}
	return d, nil
}

func (p *parser) int32In(n *yaml.Node, field string, lo, hi int64) (int32, error) {
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if n.Kind != yaml.ScalarNode || err != nil {
		return 0, p.errf(n, field, "%q: expected a whole number", n.Value)
	}
	if v < lo || v > hi || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, p.errf(n, field, "%d is out of range: expected %d to %d", v, lo, hi)
	}
	return int32(v), nil
}

func (p *parser) node(n *yaml.Node) (sim.NodeSpec, error) {
	f, err := p.fields(n, "node", "distro", "kernel", "tools")
	if err != nil {
		return sim.NodeSpec{}, err
	}
	spec := sim.DefaultNode()
	if d := f["distro"]; d != nil {
		if spec.Distro, err = p.str(d, "node.distro"); err != nil {
			return spec, err
		}
	}
	if k := f["kernel"]; k != nil {
		if _, err := sim.ParseVersion(k.Value); err != nil {
			return spec, p.errf(k, "node.kernel", "%v", err)
		}
		spec.Kernel = k.Value
	}
	if t := f["tools"]; t != nil {
		if t.Kind != yaml.MappingNode {
			return spec, p.errf(t, "node.tools", "expected a mapping of tool name to version, e.g. {nft: 1.1.1}")
		}
		spec.Tools = nil
		for i := 0; i+1 < len(t.Content); i += 2 {
			k, v := t.Content[i], t.Content[i+1]
			if !slices.Contains(faults.Tools, k.Value) {
				return spec, p.errf(k, "node.tools", "unknown tool %q: expected one of %s", k.Value, strings.Join(faults.Tools, ", "))
			}
			if _, err := sim.ParseVersion(v.Value); err != nil || v.Kind != yaml.ScalarNode {
				return spec, p.errf(v, "node.tools."+k.Value, "%q: expected a version such as 1.8.11", v.Value)
			}
			spec.Tools = append(spec.Tools, sim.ToolSpec{Name: k.Value, Version: v.Value})
		}
	}
	return spec, nil
}

func (p *parser) options(n *yaml.Node, cfg *hostport.Config) error {
	f, err := p.fields(n, "options", "disable_hostport_mapping")
	if err != nil {
		return err
	}
	if v := f["disable_hostport_mapping"]; v != nil {
		b, err := strconv.ParseBool(v.Value)
		if v.Kind != yaml.ScalarNode || err != nil {
			return p.errf(v, "options.disable_hostport_mapping", "%q: expected true or false", v.Value)
		}
		cfg.DisableHostportMapping = b
	}
	return nil
}

func (p *parser) faults(n *yaml.Node) ([]faults.Fault, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n, "faults", "expected a list of faults such as - {fault: tool-missing, tool: iptables}")
	}
	var out []faults.Fault
	for i, item := range n.Content {
		field := fmt.Sprintf("faults[%d]", i)
		if item.Kind != yaml.MappingNode {
			return nil, p.errf(item, field, "expected a mapping with a fault name and its parameters")
		}
		var name string
		raw := map[string]string{}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], item.Content[j+1]
			if v.Kind != yaml.ScalarNode {
				return nil, p.errf(v, field+"."+k.Value, "expected a scalar value")
			}
			if _, dup := raw[k.Value]; dup || (k.Value == "fault" && name != "") {
				return nil, p.errf(k, field, "field %q given twice", k.Value)
			}
			if k.Value == "fault" {
				name = v.Value
				continue
			}
			raw[k.Value] = v.Value
		}
		if name == "" {
			return nil, p.errf(item, field+".fault", "missing: expected a fault name (faultsim list faults)")
		}
		if spec, ok := faults.Lookup(name); ok && spec.Kind == faults.Data {
			return nil, p.errf(item, field+".fault", "%s is a data fault: write the input it describes in a step (and label the step with fault: %s)", name, name)
		}
		flt, err := faults.New(name, raw)
		if err != nil {
			return nil, p.errf(item, field, "%v", err)
		}
		out = append(out, flt)
	}
	return out, nil
}

func (p *parser) steps(n *yaml.Node) ([]hostport.Step, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errf(n, "steps", "expected a non-empty list of steps")
	}
	var out []hostport.Step
	var last time.Duration
	for i, item := range n.Content {
		field := fmt.Sprintf("steps[%d]", i)
		f, err := p.fields(item, field, "at", "op", "sandbox", "ips", "ports", "fault")
		if err != nil {
			return nil, err
		}
		var s hostport.Step
		if at := f["at"]; at != nil {
			if s.At, err = p.duration(at, field+".at"); err != nil {
				return nil, err
			}
		}
		if s.At < last {
			return nil, p.errf(f["at"], field+".at", "%s is before the previous step's %s: expected steps in time order", s.At, last)
		}
		last = s.At
		if s.Op, err = p.requiredString(item, f, "op"); err != nil {
			return nil, err
		}
		if s.Op != hostport.OpRun && s.Op != hostport.OpStop {
			return nil, p.errf(f["op"], field+".op", "unknown operation %q: expected %s or %s", s.Op, hostport.OpRun, hostport.OpStop)
		}
		if s.Sandbox, err = p.requiredString(item, f, "sandbox"); err != nil {
			return nil, err
		}
		if s.Op == hostport.OpStop && (f["ips"] != nil || f["ports"] != nil) {
			return nil, p.errf(item, field, "%s takes only at and sandbox", hostport.OpStop)
		}
		if ips := f["ips"]; ips != nil {
			if ips.Kind != yaml.SequenceNode {
				return nil, p.errf(ips, field+".ips", "expected a list of pod addresses")
			}
			for _, ipn := range ips.Content {
				if _, err := hostport.FamilyOf(ipn.Value); err != nil || ipn.Kind != yaml.ScalarNode {
					return nil, p.errf(ipn, field+".ips", "%q: expected an IPv4 or IPv6 address", ipn.Value)
				}
				s.IPs = append(s.IPs, ipn.Value)
			}
		}
		if s.Op == hostport.OpRun && len(s.IPs) == 0 {
			return nil, p.errf(item, field+".ips", "missing: expected at least one pod address")
		}
		if ports := f["ports"]; ports != nil {
			if s.Ports, err = p.ports(ports, field+".ports"); err != nil {
				return nil, err
			}
		}
		if lf := f["fault"]; lf != nil {
			spec, ok := faults.Lookup(lf.Value)
			if !ok || spec.Kind != faults.Data {
				return nil, p.errf(lf, field+".fault", "%q: expected the name of a data fault (faultsim list faults)", lf.Value)
			}
			s.Fault = lf.Value
		}
		out = append(out, s)
	}
	return out, nil
}

func (p *parser) ports(n *yaml.Node, field string) ([]*hostport.PortMapping, error) {
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

func (p *parser) expect(root, n *yaml.Node) (Expect, error) {
	if n == nil {
		return Expect{}, p.errf(root, "expect", "missing: expected pass or {violation: NAME}")
	}
	if n.Kind == yaml.ScalarNode {
		if n.Value != "pass" {
			return Expect{}, p.errf(n, "expect", "%q: expected pass or {violation: NAME}", n.Value)
		}
		return Expect{}, nil
	}
	f, err := p.fields(n, "expect", "violation")
	if err != nil {
		return Expect{}, err
	}
	v := f["violation"]
	if v == nil || !slices.Contains(InvariantNames(), v.Value) {
		got := ""
		if v != nil {
			got = v.Value
		}
		return Expect{}, p.errf(n, "expect.violation", "%q: expected one of %s", got, strings.Join(InvariantNames(), ", "))
	}
	return Expect{Violation: v.Value}, nil
}
