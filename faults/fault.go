package faults

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// Kind groups faults by what they change.
type Kind string

// The kinds of fault.
const (
	Host    Kind = "host"    // the node: tools, versions, kernel, devices
	Data    Kind = "data"    // the inputs a runtime receives
	Process Kind = "process" // the daemon's life: restarts
	Timing  Kind = "timing"  // when things happen
)

// ParamType says how a parameter's text is read.
type ParamType string

// The parameter types.
const (
	String   ParamType = "string"
	Int      ParamType = "int"
	Version  ParamType = "version"
	Duration ParamType = "duration"
)

// Param describes one parameter of a fault.
type Param struct {
	Name     string
	Type     ParamType
	Summary  string
	Default  string // "" means required
	OneOf    []string
	Min, Max int // for Int; both zero means unbounded
}

// Spec describes a fault in the catalog and builds it from parameters.
type Spec struct {
	Name    string
	Kind    Kind
	Summary string
	// Owner is the model that owns the fault and alone consumes it; ""
	// for the node faults every model's node takes.
	Owner  string
	Params []Param
	// Build makes the fault from checked parameters.
	Build func(Args) (Fault, error)
}

// Fault is one injected fault.
type Fault interface {
	// Name is the catalog name, e.g. "tool-missing".
	Name() string
	// Args are its parameters, in the catalog's order.
	Args() Args
}

// NodeFault changes the node before the daemon first starts.
type NodeFault interface {
	Fault
	ApplyNode(n *node.Node)
}

// TimedFault happens at a virtual time during the run; the model decides
// what it does to its components (e.g. a daemon restart).
type TimedFault interface {
	Fault
	Time() time.Duration
}

// Arg is one parameter value.
type Arg struct{ Name, Value string }

// Args are a fault's parameters, ordered as the catalog lists them.
type Args []Arg

// Get returns the value of a parameter ("" when absent).
func (a Args) Get(name string) string {
	for _, x := range a {
		if x.Name == name {
			return x.Value
		}
	}
	return ""
}

// Int returns an int parameter; Build only sees checked values.
func (a Args) Int(name string) int { n, _ := strconv.Atoi(a.Get(name)); return n }

// Duration returns a duration parameter.
func (a Args) Duration(name string) time.Duration {
	d, _ := time.ParseDuration(a.Get(name))
	return d
}

// Version returns a version parameter.
func (a Args) Version(name string) sim.Version {
	v, _ := sim.ParseVersion(a.Get(name))
	return v
}

var registry = map[string]*Spec{}

// Register adds a fault to the catalog: this package registers the node
// faults, models.Register a model's own. It panics on a duplicate name: the
// catalog is built at init time and a clash is a programming error.
func Register(s Spec) {
	if _, dup := registry[s.Name]; dup {
		panic("faults: duplicate fault " + s.Name)
	}
	registry[s.Name] = &s
}

// Lookup returns the spec of a named fault.
func Lookup(name string) (*Spec, bool) {
	s, ok := registry[name]
	return s, ok
}

// All returns every registered fault sorted by kind then name.
func All() []*Spec {
	out := make([]*Spec, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Spec) int {
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// ByName sorts specs by name, the order generators draw faults in, and
// returns them.
func ByName(specs []Spec) []Spec {
	slices.SortFunc(specs, func(a, b Spec) int { return strings.Compare(a.Name, b.Name) })
	return specs
}

// Names returns every registered fault name, sorted.
func Names() []string {
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// New builds a fault by name from raw parameter text, checking each value
// against its declared type. Errors name the parameter and what was expected.
func New(name string, raw map[string]string) (Fault, error) {
	s, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown fault %q: expected one of %s", name, strings.Join(Names(), ", "))
	}
	for k := range raw {
		if !slices.ContainsFunc(s.Params, func(p Param) bool { return p.Name == k }) {
			return nil, fmt.Errorf("fault %s: unknown parameter %q: expected %s", name, k, paramNames(s))
		}
	}
	args := make(Args, 0, len(s.Params))
	for _, p := range s.Params {
		v, ok := raw[p.Name]
		if !ok {
			if p.Default == "" {
				return nil, fmt.Errorf("fault %s: missing parameter %q (%s)", name, p.Name, p.Summary)
			}
			v = p.Default
		}
		if err := p.check(v); err != nil {
			return nil, fmt.Errorf("fault %s: parameter %s: %w", name, p.Name, err)
		}
		args = append(args, Arg{p.Name, v})
	}
	return s.Build(args)
}

func paramNames(s *Spec) string {
	if len(s.Params) == 0 {
		return "no parameters"
	}
	names := make([]string, len(s.Params))
	for i, p := range s.Params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

func (p Param) check(v string) error {
	if len(p.OneOf) > 0 && !slices.Contains(p.OneOf, v) {
		return fmt.Errorf("%q is not allowed: expected one of %s", v, strings.Join(p.OneOf, ", "))
	}
	switch p.Type {
	case Int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q: expected a whole number", v)
		}
		if (p.Min != 0 || p.Max != 0) && (n < p.Min || n > p.Max) {
			return fmt.Errorf("%d is out of range: expected %d to %d", n, p.Min, p.Max)
		}
	case Duration:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q: expected a duration such as 1.5s or 300ms", v)
		}
		if d < 0 {
			return fmt.Errorf("%s is negative: expected a duration >= 0", v)
		}
	case Version:
		if _, err := sim.ParseVersion(v); err != nil {
			return err
		}
	case String:
		if v == "" {
			return fmt.Errorf("empty: expected a value")
		}
	}
	return nil
}

// Format renders a fault as "name(k=v, ...)".
func Format(f Fault) string {
	var parts []string
	for _, a := range f.Args() {
		parts = append(parts, a.Name+"="+a.Value)
	}
	return f.Name() + "(" + strings.Join(parts, ", ") + ")"
}
