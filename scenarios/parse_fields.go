package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The readers of a scenario file's fields, shared by the scenario parser
// and the model codecs: each checks one node's kind and value and names
// the field and what was expected when it is wrong.
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
