package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/internal/userfile"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// MaxFileSize is the largest scenario file the parser reads.
const MaxFileSize = 1 << 20

// MaxStateSize is the largest campaign state file LoadState reads.
const MaxStateSize = 64 << 20

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

// ParseFile reads and parses a scenario file: a regular file of at most
// MaxFileSize bytes (userfile.Read), so a FIFO or a device is refused
// without blocking or reading without end.
func ParseFile(path string) (*Scenario, error) {
	data, err := userfile.Read(path, MaxFileSize)
	if err != nil {
		return nil, &Error{File: path, Msg: strings.TrimPrefix(err.Error(), path+": ")}
	}
	return Parse(path, data)
}

type parser struct {
	file string
	// allowed are the faults the scenario's model consumes; tools the
	// node's tools its components run.
	allowed, tools []string
}

// toolsText lists the tools the scenario's model runs, for errors.
func (p *parser) toolsText() string {
	if len(p.tools) == 0 {
		return "no tool (this model runs none)"
	}
	return strings.Join(p.tools, ", ")
}

// allowedText lists the faults a scenario's faults: section may give (the
// model's consumed faults that are not data faults), for errors.
func (p *parser) allowedText() string {
	var names []string
	for _, name := range p.allowed {
		if s, ok := faults.Lookup(name); ok && s.Kind != faults.Data {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "no fault (no component of this model takes one from the faults: section)"
	}
	return "one of " + strings.Join(names, ", ")
}

func (p *parser) errf(n *yaml.Node, field, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// firstInvalidUTF8 finds the first byte of data that is not valid UTF-8:
// its line (counted as YAML does: \n, \r\n and \r end a line) and column,
// both from 1.
func firstInvalidUTF8(data []byte) (line, col int, b byte) {
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, utf8.RuneCount(data[start:i]) + 1, data[i]
		case r == '\n' || (r == '\r' && (i+1 == len(data) || data[i+1] != '\n')):
			line, start = line+1, i+size
		}
		i += size
	}
	return line, 0, 0
}

// Parse parses a scenario from data; file names it in errors.
func Parse(file string, data []byte) (*Scenario, error) {
	p := &parser{file: file}
	if len(data) > MaxFileSize {
		return nil, p.errf(nil, "", "file is %d bytes: expected at most %d", len(data), MaxFileSize)
	}
	if !utf8.Valid(data) {
		line, col, b := firstInvalidUTF8(data)
		return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("byte 0x%02x at column %d is not valid UTF-8: expected UTF-8 text", b, col)}
	}
	root, err := p.document(data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, p.errf(nil, "", "file is empty: expected a scenario (name, model, variant, steps, expect)")
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		// "---" alone, or only comments: a document with nothing in it.
		return nil, p.errf(nil, "", "file is empty: expected a scenario (name, model, variant, steps, expect)")
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root, "scenario", "expected a mapping with name, model, variant, steps and expect")
	}
	var model *models.Model
	var cd codec
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k, v := root.Content[i], root.Content[i+1]; k.Value == "model" {
			name := v.Value
			m, ok := models.Lookup(name)
			if cd = codecs[name]; !ok || cd == nil || v.Kind != yaml.ScalarNode {
				return nil, p.errf(v, "model", "unknown model %q: expected one of %s", name, strings.Join(ModelNames(), ", "))
			}
			model = m
		}
	}
	common := []string{"name", "description", "model", "variant", "seed", "expect"}
	if model == nil {
		// Report an unknown field before the missing model, as for any file.
		all := common
		for _, c := range codecs {
			all = append(all, c.keys()...)
		}
		slices.Sort(all)
		if _, err := p.fields(root, "scenario", slices.Compact(all)...); err != nil {
			return nil, err
		}
		return nil, p.errf(root, "model", "missing: expected one of %s", strings.Join(ModelNames(), ", "))
	}
	f, err := p.fields(root, "scenario", append(common, cd.keys()...)...)
	if err != nil {
		return nil, err
	}
	s := &Scenario{Path: file, Seed: 1, Model: model.Name}
	if s.Name, err = p.requiredString(root, f, "name"); err != nil {
		return nil, err
	}
	if n := f["description"]; n != nil {
		s.Description, err = p.str(n, "description")
		if err != nil {
			return nil, err
		}
	}
	if s.Variant, err = p.requiredString(root, f, "variant"); err != nil {
		return nil, err
	}
	if _, err := model.Variant(s.Variant); err != nil {
		return nil, p.errf(f["variant"], "variant", "%v", err)
	}
	if n := f["seed"]; n != nil {
		v, err := strconv.ParseUint(n.Value, 10, 64)
		if n.Kind != yaml.ScalarNode || err != nil {
			return nil, p.errf(n, "seed", "%q: expected a whole number >= 0", n.Value)
		}
		s.Seed = v
	}
	p.allowed, p.tools = model.Faults, model.Tools
	if s.Case, err = cd.parse(p, root, f, s.Variant); err != nil {
		return nil, err
	}
	if s.Expect, err = p.expect(root, f["expect"], model); err != nil {
		return nil, err
	}
	return s, nil
}

// document reads the file's one YAML document (nil when it has none). A
// second document, or a tag (!!str, !foo) anywhere, is refused: the parser
// would otherwise ignore the one and read through the other.
func (p *parser) document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, p.yamlErr(err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		at := &next
		if len(next.Content) > 0 {
			at = next.Content[0]
		}
		return nil, p.errf(at, "", "a second YAML document: expected one scenario per file")
	case !errors.Is(err, io.EOF):
		return nil, p.yamlErr(err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	if n, field := tagged(doc.Content[0]); n != nil {
		return nil, p.errf(n, field, "YAML tag %s: expected untagged values (scenario files use no tags)", n.Tag)
	}
	return doc.Content[0], nil
}

// tagged finds the first node under root written with an explicit tag,
// and its field path (steps[0].sandbox; "scenario" for root itself). The
// path is built only for the node found, so the walk is linear however
// deep the nesting.
func tagged(root *yaml.Node) (*yaml.Node, string) {
	var path []string // the key or [index] of each level below root
	var walk func(n *yaml.Node) *yaml.Node
	walk = func(n *yaml.Node) *yaml.Node {
		if n.Style&yaml.TaggedStyle != 0 {
			return n
		}
		for i, c := range n.Content {
			switch {
			case n.Kind == yaml.SequenceNode:
				path = append(path, "["+strconv.Itoa(i)+"]")
			case n.Kind == yaml.MappingNode && i%2 == 1:
				path = append(path, "."+n.Content[i-1].Value)
			case n.Kind == yaml.MappingNode:
				path = append(path, "."+c.Value)
			default:
				path = append(path, "")
			}
			if t := walk(c); t != nil {
				return t
			}
			path = path[:len(path)-1]
		}
		return nil
	}
	t := walk(root)
	if t == nil {
		return nil, ""
	}
	field := strings.TrimPrefix(strings.Join(path, ""), ".")
	if field == "" {
		field = "scenario"
	}
	return t, field
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

// node reads a scenario's node: section, the same for every model: a
// distro and what differs from it (kernel, cgroup mode, systemd, tools
// added or at other versions). Every value is checked against what the
// node knows.
func (p *parser) node(n *yaml.Node) (node.Spec, error) {
	f, err := p.fields(n, "node", "distro", "kernel", "cgroup", "systemd", "tools")
	if err != nil {
		return node.Spec{}, err
	}
	spec := node.Default()
	if d := f["distro"]; d != nil {
		if spec.Distro, err = p.str(d, "node.distro"); err != nil {
			return spec, err
		}
		if _, err := node.LookupDistro(spec.Distro); err != nil {
			return spec, p.errf(d, "node.distro", "%v", err)
		}
	}
	if k := f["kernel"]; k != nil {
		if _, err := sim.ParseVersion(k.Value); err != nil || k.Kind != yaml.ScalarNode {
			return spec, p.errf(k, "node.kernel", "%q: expected a kernel release such as 6.1 or 5.10.0", k.Value)
		}
		spec.Kernel = k.Value
	}
	if c := f["cgroup"]; c != nil {
		if _, err := node.ParseCgroupMode(c.Value); err != nil || c.Kind != yaml.ScalarNode {
			return spec, p.errf(c, "node.cgroup", "%q: expected v1, hybrid or v2", c.Value)
		}
		spec.Cgroup = c.Value
	}
	if s := f["systemd"]; s != nil {
		v, err := strconv.Atoi(s.Value)
		if err != nil || s.Kind != yaml.ScalarNode || v < 200 || v > 999 {
			return spec, p.errf(s, "node.systemd", "%q: expected a systemd version from 200 to 999, such as 252", s.Value)
		}
		spec.Systemd = v
	}
	if t := f["tools"]; t != nil {
		if t.Kind != yaml.MappingNode {
			return spec, p.errf(t, "node.tools", "expected a mapping of tool name to version, e.g. {nft: 1.1.1}")
		}
		for i := 0; i+1 < len(t.Content); i += 2 {
			k, v := t.Content[i], t.Content[i+1]
			if !slices.Contains(node.KnownTools, k.Value) {
				return spec, p.errf(k, "node.tools", "unknown tool %q: expected one of %s", k.Value, strings.Join(node.KnownTools, ", "))
			}
			if slices.ContainsFunc(spec.Tools, func(ts node.ToolSpec) bool { return ts.Name == k.Value }) {
				return spec, p.errf(k, "node.tools", "tool %q given twice: expected each tool once", k.Value)
			}
			if _, err := sim.ParseVersion(v.Value); err != nil || v.Kind != yaml.ScalarNode {
				return spec, p.errf(v, "node.tools."+k.Value, "%q: expected a version such as 1.8.11", v.Value)
			}
			spec.Tools = append(spec.Tools, node.ToolSpec{Name: k.Value, Version: v.Value})
		}
	}
	return spec, nil
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
		if _, known := faults.Lookup(name); known && !slices.Contains(p.allowed, name) {
			return nil, p.errf(item, field+".fault", "%s is not consumed by any component of this model: expected %s", name, p.allowedText())
		}
		flt, err := faults.New(name, raw)
		if err != nil {
			return nil, p.errf(item, field, "%v", err)
		}
		if tool := flt.Args().Get("tool"); tool != "" && !slices.Contains(p.tools, tool) {
			return nil, p.errf(item, field+".tool", "%s: no component of this model runs %s: expected one of %s", name, tool, p.toolsText())
		}
		out = append(out, flt)
	}
	return out, nil
}

func (p *parser) expect(root, n *yaml.Node, m *models.Model) (Expect, error) {
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
	if v == nil || !m.HasInvariant(v.Value) {
		got := ""
		if v != nil {
			got = v.Value
		}
		return Expect{}, p.errf(n, "expect.violation", "%q: expected one of %s", got, strings.Join(m.InvariantNames(), ", "))
	}
	return Expect{Violation: v.Value}, nil
}
