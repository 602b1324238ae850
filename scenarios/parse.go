package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/internal/userfile"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/schema"
)

// MaxFileSize is the largest scenario file the parser reads.
const MaxFileSize = 1 << 20

// Error is a problem in a scenario file: where, which field, and what was
// expected.
type Error = schema.Error

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
	p := &schema.Decoder{File: file}
	if len(data) > MaxFileSize {
		return nil, p.Errf(nil, "", "file is %d bytes: expected at most %d", len(data), MaxFileSize)
	}
	if !utf8.Valid(data) {
		line, col, b := firstInvalidUTF8(data)
		return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("byte 0x%02x at column %d is not valid UTF-8: expected UTF-8 text", b, col)}
	}
	root, err := document(p, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, p.Errf(nil, "", "file is empty: expected a scenario (name, model, variant, steps, expect)")
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		// "---" alone, or only comments: a document with nothing in it.
		return nil, p.Errf(nil, "", "file is empty: expected a scenario (name, model, variant, steps, expect)")
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.Errf(root, "scenario", "expected a mapping with name, model, variant, steps and expect")
	}
	var model *models.Model
	var cd models.Codec
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k, v := root.Content[i], root.Content[i+1]; k.Value == "model" {
			name := v.Value
			m, err := LookupModel(name)
			if err != nil || v.Kind != yaml.ScalarNode {
				return nil, p.Errf(v, "model", "unknown model %q: expected one of %s", name, strings.Join(ModelNames(), ", "))
			}
			model, cd = m, m.Codec
		}
	}
	common := schema.Envelope.Keys("")
	if model == nil {
		// Report an unknown field before the missing model, as for any file.
		all := common
		for _, name := range ModelNames() {
			m, _ := LookupModel(name)
			all = append(all, m.Codec.Reference().Keys("")...)
		}
		slices.Sort(all)
		if _, err := p.Fields(root, "scenario", slices.Compact(all)...); err != nil {
			return nil, err
		}
		return nil, p.Errf(root, "model", "missing: expected one of %s", strings.Join(ModelNames(), ", "))
	}
	f, err := p.Fields(root, "scenario", append(common, cd.Reference().Keys("")...)...)
	if err != nil {
		return nil, err
	}
	s := &Scenario{Path: file, Seed: 1, Model: model.Name}
	if s.Name, err = p.RequiredString(root, f, "name"); err != nil {
		return nil, err
	}
	if n := f["description"]; n != nil {
		s.Description, err = p.Str(n, "description")
		if err != nil {
			return nil, err
		}
	}
	if s.Variant, err = p.RequiredString(root, f, "variant"); err != nil {
		return nil, err
	}
	if n := f["implementation"]; n != nil {
		if s.Origin, err = origin(p, n); err != nil {
			return nil, err
		}
	}
	if v, err := model.Variant(s.Variant); err != nil {
		if s.Origin != nil {
			return nil, p.Errf(f["variant"], "variant", "%q is an implementation a test registers, not built into faultsim: replay this file with %s", s.Variant, s.Origin.Command())
		}
		return nil, p.Errf(f["variant"], "variant", "%v", err)
	} else if s.Origin == nil && v.Origin != nil {
		s.Origin = v.Origin
	}
	if n := f["seed"]; n != nil {
		v, err := strconv.ParseUint(n.Value, 10, 64)
		if n.Kind != yaml.ScalarNode || err != nil {
			return nil, p.Errf(n, "seed", "%q: expected a whole number >= 0", n.Value)
		}
		s.Seed = v
	}
	p.Allowed, p.Tools = model.Faults, model.Tools
	if s.Case, err = cd.Parse(p, root, f, s.Variant); err != nil {
		return nil, err
	}
	if s.Expect, err = expect(p, root, f["expect"], model); err != nil {
		return nil, err
	}
	return s, nil
}

// document reads the file's one YAML document (nil when it has none). A
// second document, or a tag (!!str, !foo) anywhere, is refused: the parser
// would otherwise ignore the one and read through the other.
func document(p *schema.Decoder, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, yamlErr(p, data, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		// The document node sits at its "---" marker; its content may sit
		// past the end of the file (an empty document is a null scalar on
		// the line after the marker).
		return nil, p.Errf(&next, "", "a second YAML document: expected one scenario per file")
	case !errors.Is(err, io.EOF):
		return nil, yamlErr(p, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	if n, field := tagged(doc.Content[0]); n != nil {
		return nil, p.Errf(n, field, "YAML tag %s: expected untagged values (scenario files use no tags)", n.Tag)
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

// yamlErr is the error of a file the YAML parser refuses, at the line the
// parser names or, when it names none, the line yamlLine finds.
func yamlErr(p *schema.Decoder, data []byte, err error) error {
	msg, line := splitYAMLErr(err)
	if line == 0 {
		line = yamlLine(data, msg)
	}
	return &Error{File: p.File, Line: line, Msg: "invalid YAML: " + msg}
}

// splitYAMLErr splits an error of the YAML parser into its message and the
// line it names (0 for none).
func splitYAMLErr(err error) (string, int) {
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
	return msg, line
}

// yamlLine finds the line of a YAML error whose message names none: the
// parser counts lines from 0 and leaves out a line 0, so a problem on the
// first line comes without one. The text is read again one line down;
// when it gives the same error at line 2, the error is on line 1 (0: not
// found).
func yamlLine(data []byte, msg string) int {
	dec := yaml.NewDecoder(io.MultiReader(strings.NewReader("\n"), bytes.NewReader(data)))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if err == nil {
		err = dec.Decode(&doc)
	}
	if err == nil || errors.Is(err, io.EOF) {
		return 0
	}
	if again, line := splitYAMLErr(err); again != msg || line != 2 {
		return 0
	}
	return 1
}

func expect(p *schema.Decoder, root, n *yaml.Node, m *models.Model) (Expect, error) {
	if n == nil {
		return Expect{}, p.Errf(root, "expect", "missing: expected pass or {violation: NAME}")
	}
	if n.Kind == yaml.ScalarNode {
		if n.Value != "pass" {
			return Expect{}, p.Errf(n, "expect", "%q: expected pass or {violation: NAME}", n.Value)
		}
		return Expect{}, nil
	}
	f, err := p.Fields(n, "expect", schema.Envelope.Keys("expect")...)
	if err != nil {
		return Expect{}, err
	}
	v := f["violation"]
	if v == nil || !m.HasInvariant(v.Value) {
		got := ""
		if v != nil {
			got = v.Value
		}
		return Expect{}, p.Errf(n, "expect.violation", "%q: expected one of %s", got, strings.Join(m.InvariantNames(), ", "))
	}
	return Expect{Violation: v.Value}, nil
}

// origin reads the implementation: section of a registered implementation.
func origin(p *schema.Decoder, n *yaml.Node) (*models.Origin, error) {
	f, err := p.Fields(n, "implementation", schema.Envelope.Keys("implementation")...)
	if err != nil {
		return nil, err
	}
	var o models.Origin
	if o.Package, err = p.RequiredIn(n, f, "implementation", "package"); err != nil {
		return nil, err
	}
	if !goPackage.MatchString(o.Package) {
		return nil, p.Errf(f["package"], "implementation.package", "%q: expected a Go package path such as example.com/runtime/hostport", o.Package)
	}
	if t := f["test"]; t != nil {
		if o.Test, err = p.Str(t, "implementation.test"); err != nil {
			return nil, err
		}
		if o.Test != "" && !goTest.MatchString(o.Test) {
			return nil, p.Errf(t, "implementation.test", "%q: expected a Go test name such as TestMyManager", o.Test)
		}
	}
	return &o, nil
}

var (
	goPackage = regexp.MustCompile(`^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$`)
	goTest    = regexp.MustCompile(`^Test[A-Za-z0-9_]*$`)
)
