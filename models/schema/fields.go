package schema

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// fields checks that n is a mapping with only the allowed keys, once each.
func (p *Decoder) Fields(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.Errf(n, what, "expected a mapping of %s", strings.Join(allowed, ", "))
	}
	p.mapping = n
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(allowed, k.Value) {
			return nil, p.Errf(k, what, "unknown field %q: expected one of %s", k.Value, strings.Join(allowed, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, p.Errf(k, what, "field %q given twice", k.Value)
		}
		out[k.Value] = v
	}
	return out, nil
}

func (p *Decoder) Str(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", p.Errf(n, field, "expected a string")
	}
	return n.Value, nil
}

func (p *Decoder) RequiredString(parent *yaml.Node, f map[string]*yaml.Node, field string) (string, error) {
	return p.RequiredIn(parent, f, "", field)
}

// requiredIn reads a required string field of the mapping at path (such
// as "steps[2]"); errors name path.field.
func (p *Decoder) RequiredIn(parent *yaml.Node, f map[string]*yaml.Node, path, field string) (string, error) {
	name := field
	if path != "" {
		name = path + "." + field
	}
	n := f[field]
	if n == nil {
		return "", p.Errf(parent, name, "missing: expected a value")
	}
	v, err := p.Str(n, name)
	if err == nil && v == "" {
		return "", p.Errf(n, name, "empty: expected a value")
	}
	return v, err
}

func (p *Decoder) Duration(n *yaml.Node, field string) (time.Duration, error) {
	d, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return 0, p.Errf(n, field, "%q: expected a duration such as 0s, 1.5s or 300ms", n.Value)
	}
	if d < 0 {
		return 0, p.Errf(n, field, "%s is negative: expected a virtual time >= 0", n.Value)
	}
	if d > 24*time.Hour {
		return 0, p.Errf(n, field, "%s is too far: expected at most 24h of virtual time", n.Value)
	}
	return d, nil
}

func (p *Decoder) Int32In(n *yaml.Node, field string, lo, hi int64) (int32, error) {
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if n.Kind != yaml.ScalarNode || err != nil {
		return 0, p.Errf(n, field, "%q: expected a whole number", n.Value)
	}
	if v < lo || v > hi || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, p.Errf(n, field, "%d is out of range: expected %d to %d", v, lo, hi)
	}
	return int32(v), nil
}

// StepItem is one item of a steps list: its fields, its path for errors
// ("steps[2]") and its virtual time.
type StepItem struct {
	Node  *yaml.Node
	F     map[string]*yaml.Node
	Field string
	At    time.Duration
}

// MaxSteps bounds a scenario's steps. The generators draw at most a few and
// a shrunk finding holds fewer, but a model's work per step grows with
// what the earlier steps made (a cgroups step renders every cgroup): the
// thousands of steps a 1 MiB file holds replayed for hours.
const MaxSteps = 256

// EachStep walks a steps list for a codec: at most MaxSteps items, each a
// mapping of the allowed fields whose at (default 0s) does not go back in
// time. With allowEmpty an empty list ([]) is valid.
func (p *Decoder) EachStep(n *yaml.Node, allowEmpty bool, allowed []string, each func(StepItem) error) error {
	if n.Kind != yaml.SequenceNode || (!allowEmpty && len(n.Content) == 0) {
		if allowEmpty {
			return p.Errf(n, "steps", "expected a list of steps ([] for none)")
		}
		return p.Errf(n, "steps", "expected a non-empty list of steps")
	}
	if len(n.Content) > MaxSteps {
		return p.Errf(n.Content[MaxSteps], fmt.Sprintf("steps[%d]", MaxSteps), "%d steps: expected at most %d", len(n.Content), MaxSteps)
	}
	var last time.Duration
	for i, node := range n.Content {
		it := StepItem{Node: node, Field: fmt.Sprintf("steps[%d]", i)}
		var err error
		if it.F, err = p.Fields(node, it.Field, allowed...); err != nil {
			return err
		}
		if at := it.F["at"]; at != nil {
			if it.At, err = p.Duration(at, it.Field+".at"); err != nil {
				return err
			}
		}
		if it.At < last {
			at := it.F["at"]
			if at == nil { // an omitted at is 0s: point at the step itself
				return p.Errf(node, it.Field, "no at, so 0s, is before the previous step's %s: expected steps in time order", last)
			}
			return p.Errf(at, it.Field+".at", "%s is before the previous step's %s: expected steps in time order", it.At, last)
		}
		last = it.At
		if err := each(it); err != nil {
			return err
		}
	}
	return nil
}

// boolean reads a true/false scalar.
func (p *Decoder) Boolean(n *yaml.Node, field string) (bool, error) {
	b, err := strconv.ParseBool(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return false, p.Errf(n, field, "%q: expected true or false", n.Value)
	}
	return b, nil
}
