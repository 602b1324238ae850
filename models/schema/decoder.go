// Package schema is what a model's scenario-file codec is written with:
// a Decoder whose readers check one YAML node each and name the file,
// line and field and what was expected when it is wrong (the node: and
// faults: sections every model shares among them), and the writers that
// put a case back into a file the Decoder reads to the same case.
package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

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

// Decoder reads the YAML nodes of one scenario file for one model.
type Decoder struct {
	// File names the file in errors.
	File string
	// Allowed are the faults the scenario's model consumes; Tools the
	// node's tools its components run.
	Allowed, Tools []string

	// mapping is the mapping Fields read last: an error about a field
	// that is absent (a nil node) points at it.
	mapping *yaml.Node
}

// toolsText lists the tools the scenario's model runs, for errors.
func (p *Decoder) ToolsText() string {
	if len(p.Tools) == 0 {
		return "no tool (this model runs none)"
	}
	return strings.Join(p.Tools, ", ")
}

// allowedText lists the faults a scenario's faults: section may give (the
// model's consumed faults that are not data faults), for errors.
func (p *Decoder) AllowedText() string {
	var names []string
	for _, name := range p.Allowed {
		if s, ok := faults.Lookup(name); ok && s.Kind != faults.Data {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "no fault (no component of this model takes one from the faults: section)"
	}
	return "one of " + strings.Join(names, ", ")
}

// Errf is an error at n's line about field; for an absent field (n nil)
// it names the line of the mapping Fields read last.
func (p *Decoder) Errf(n *yaml.Node, field, format string, args ...any) error {
	line := 0
	if n == nil {
		n = p.mapping
	}
	if n != nil {
		line = n.Line
	}
	return &Error{File: p.File, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// NodeOf reads the node: section among a file's top-level fields, the
// default node when the file gives none.
func (p *Decoder) NodeOf(f map[string]*yaml.Node) (node.Spec, error) {
	if n := f["node"]; n != nil {
		return p.Node(n)
	}
	return node.Default(), nil
}

// node reads a scenario's node: section, the same for every model: a
// distro and what differs from it (kernel, cgroup mode, systemd, tools
// added or at other versions). Every value is checked against what the
// node knows.
func (p *Decoder) Node(n *yaml.Node) (node.Spec, error) {
	f, err := p.Fields(n, "node", NodeReference.Keys("node")...)
	if err != nil {
		return node.Spec{}, err
	}
	spec := node.Default()
	if d := f["distro"]; d != nil {
		if spec.Distro, err = p.Str(d, "node.distro"); err != nil {
			return spec, err
		}
		if _, err := node.LookupDistro(spec.Distro); err != nil {
			return spec, p.Errf(d, "node.distro", "%v", err)
		}
	}
	if k := f["kernel"]; k != nil {
		if _, err := sim.ParseVersion(k.Value); err != nil || k.Kind != yaml.ScalarNode {
			return spec, p.Errf(k, "node.kernel", "%q: expected a kernel release such as 6.1 or 5.10.0", k.Value)
		}
		spec.Kernel = k.Value
	}
	if c := f["cgroup"]; c != nil {
		if _, err := node.ParseCgroupMode(c.Value); err != nil || c.Kind != yaml.ScalarNode {
			return spec, p.Errf(c, "node.cgroup", "%q: expected v1, hybrid or v2", c.Value)
		}
		spec.Cgroup = c.Value
	}
	if s := f["systemd"]; s != nil {
		v, err := strconv.Atoi(s.Value)
		if err != nil || s.Kind != yaml.ScalarNode || v < 200 || v > 999 {
			return spec, p.Errf(s, "node.systemd", "%q: expected a systemd version from 200 to 999, such as 252", s.Value)
		}
		spec.Systemd = v
	}
	if t := f["tools"]; t != nil {
		if t.Kind != yaml.MappingNode {
			return spec, p.Errf(t, "node.tools", "expected a mapping of tool name to version, e.g. {nft: 1.1.1}")
		}
		for i := 0; i+1 < len(t.Content); i += 2 {
			k, v := t.Content[i], t.Content[i+1]
			if !slices.Contains(node.KnownTools, k.Value) {
				return spec, p.Errf(k, "node.tools", "unknown tool %q: expected one of %s", k.Value, strings.Join(node.KnownTools, ", "))
			}
			if slices.ContainsFunc(spec.Tools, func(ts node.ToolSpec) bool { return ts.Name == k.Value }) {
				return spec, p.Errf(k, "node.tools", "tool %q given twice: expected each tool once", k.Value)
			}
			if _, err := sim.ParseVersion(v.Value); err != nil || v.Kind != yaml.ScalarNode {
				return spec, p.Errf(v, "node.tools."+k.Value, "%q: expected a version such as 1.8.11", v.Value)
			}
			spec.Tools = append(spec.Tools, node.ToolSpec{Name: k.Value, Version: v.Value})
		}
	}
	return spec, nil
}

func (p *Decoder) Faults(n *yaml.Node) ([]faults.Fault, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.Errf(n, "faults", "expected a list of faults such as - {fault: tool-missing, tool: iptables}")
	}
	var out []faults.Fault
	for i, item := range n.Content {
		field := fmt.Sprintf("faults[%d]", i)
		if item.Kind != yaml.MappingNode {
			return nil, p.Errf(item, field, "expected a mapping with a fault name and its parameters")
		}
		var name string
		raw := map[string]string{}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], item.Content[j+1]
			if v.Kind != yaml.ScalarNode {
				return nil, p.Errf(v, field+"."+k.Value, "expected a scalar value")
			}
			if _, dup := raw[k.Value]; dup || (k.Value == "fault" && name != "") {
				return nil, p.Errf(k, field, "field %q given twice", k.Value)
			}
			if k.Value == "fault" {
				name = v.Value
				continue
			}
			raw[k.Value] = v.Value
		}
		if name == "" {
			return nil, p.Errf(item, field+".fault", "missing: expected a fault name (faultsim list faults)")
		}
		if spec, ok := faults.Lookup(name); ok && spec.Kind == faults.Data {
			return nil, p.Errf(item, field+".fault", "%s is a data fault: write the input it describes in a step (and label the step with fault: %s)", name, name)
		}
		if _, known := faults.Lookup(name); known && !slices.Contains(p.Allowed, name) {
			return nil, p.Errf(item, field+".fault", "%s is not consumed by any component of this model: expected %s", name, p.AllowedText())
		}
		flt, err := faults.New(name, raw)
		if err != nil {
			return nil, p.Errf(item, field, "%v", err)
		}
		if tool := flt.Args().Get("tool"); tool != "" && !slices.Contains(p.Tools, tool) {
			return nil, p.Errf(item, field+".tool", "%s: no component of this model runs %s: expected one of %s", name, tool, p.ToolsText())
		}
		out = append(out, flt)
	}
	return out, nil
}
