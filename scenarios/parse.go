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

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
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

type parser struct {
	file string
	// allowed are the faults the scenario's model uses (nil: any).
	allowed []string
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
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.yamlErr(err)
	}
	if len(doc.Content) == 0 {
		return nil, p.errf(nil, "", "file is empty: expected a scenario (name, model, variant, steps, expect)")
	}
	root := doc.Content[0]
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
	p.allowed = model.Faults
	if s.Case, err = cd.parse(p, root, f, s.Variant); err != nil {
		return nil, err
	}
	if s.Expect, err = p.expect(root, f["expect"], model); err != nil {
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
	return p.requiredIn(parent, f, "", field)
}

// requiredIn reads a required string field of the mapping at path (such
// as "steps[2]"); errors name path.field.
func (p *parser) requiredIn(parent *yaml.Node, f map[string]*yaml.Node, path, field string) (string, error) {
	name := field
	if path != "" {
		name = path + "." + field
	}
	n := f[field]
	if n == nil {
		return "", p.errf(parent, name, "missing: expected a value")
	}
	v, err := p.str(n, name)
	if err == nil && v == "" {
		return "", p.errf(n, name, "empty: expected a value")
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
		if p.allowed != nil && !slices.Contains(p.allowed, name) {
			if _, known := faults.Lookup(name); known {
				return nil, p.errf(item, field+".fault", "%s does not apply to this model: expected one of %s", name, strings.Join(p.allowed, ", "))
			}
		}
		flt, err := faults.New(name, raw)
		if err != nil {
			return nil, p.errf(item, field, "%v", err)
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

// stepItem is one item of a steps list: its fields, its path for errors
// ("steps[2]") and its virtual time.
type stepItem struct {
	node  *yaml.Node
	f     map[string]*yaml.Node
	field string
	at    time.Duration
}

// eachStep walks a steps list for a codec: each item must be a mapping of
// the allowed fields, and its at (default 0s) must not go back in time.
// With allowEmpty an empty list ([]) is valid.
func (p *parser) eachStep(n *yaml.Node, allowEmpty bool, allowed []string, each func(stepItem) error) error {
	if n.Kind != yaml.SequenceNode || (!allowEmpty && len(n.Content) == 0) {
		if allowEmpty {
			return p.errf(n, "steps", "expected a list of steps ([] for none)")
		}
		return p.errf(n, "steps", "expected a non-empty list of steps")
	}
	var last time.Duration
	for i, node := range n.Content {
		it := stepItem{node: node, field: fmt.Sprintf("steps[%d]", i)}
		var err error
		if it.f, err = p.fields(node, it.field, allowed...); err != nil {
			return err
		}
		if at := it.f["at"]; at != nil {
			if it.at, err = p.duration(at, it.field+".at"); err != nil {
				return err
			}
		}
		if it.at < last {
			return p.errf(it.f["at"], it.field+".at", "%s is before the previous step's %s: expected steps in time order", it.at, last)
		}
		last = it.at
		if err := each(it); err != nil {
			return err
		}
	}
	return nil
}

// boolean reads a true/false scalar.
func (p *parser) boolean(n *yaml.Node, field string) (bool, error) {
	b, err := strconv.ParseBool(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return false, p.errf(n, field, "%q: expected true or false", n.Value)
	}
	return b, nil
}
