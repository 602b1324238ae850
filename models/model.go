package models

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/schema"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// Case is one runnable scenario body of a model: the node, the variant, the
// faults and the operations. Scenario files, campaigns and the shrinker work
// on Cases without knowing the model.
type Case interface {
	// VariantName is the implementation the case runs.
	VariantName() string
	// Size is what shrinking minimises (operations, inputs, faults).
	Size() int
	// Run executes the case; simultaneous events are ordered by ch. With
	// trace false only violations are recorded (campaign speed).
	Run(ch sim.Chooser, trace bool) (sim.Result, error)
	// Simplify returns the one-change simplifications of the case, biggest
	// first; each is a new Case and the receiver is left unchanged.
	Simplify() []Case
}

// FaultLister is a Case that names the faults it holds (node, timed and
// data faults), by catalog name, sorted, once each: a campaign reports
// which fault kinds each shrunk finding needs.
type FaultLister interface {
	FaultNames() []string
}

// Codec reads and writes a model's part of a scenario file: the fields
// after name, description, model, variant and seed, and before expect.
// Parse must refuse, with file, line and field (schema.Decoder's errors),
// everything Format never writes; Format must write what Parse reads back
// to the same case.
type Codec interface {
	// Reference documents the keys the model adds (the top-level ones
	// are Reference().Keys("")), its operations, and what each takes;
	// Parse reads each mapping's keys from it.
	Reference() schema.Reference
	// Parse builds the case from those fields of root.
	Parse(d *schema.Decoder, root *yaml.Node, fields map[string]*yaml.Node, variant string) (Case, error)
	// Format writes them.
	Format(b *strings.Builder, c Case)
}

// Variant describes one implementation of a model.
type Variant struct {
	Name    string
	Summary string
	// Buggy variants reproduce an incident; campaigns must find them.
	Buggy bool
	// Origin is set for an implementation a user's test registered: it
	// exists only in that test's process, which is where its scenario
	// files replay.
	Origin *Origin
}

// Origin is where a registered implementation lives: the Go package of the
// test that registers it and the test's name ("" for TestMain or init).
type Origin struct {
	Package, Test string
}

// Model describes a model to faultsim's generic machinery.
type Model struct {
	Name    string
	Summary string
	// Variants are the built-in implementations.
	Variants []Variant
	// Invariants are the names an expect may give, with their summaries.
	Invariants []sim.Invariant
	// Actors are the model's actors in the order a call goes through
	// them: a timeline's lanes, left to right. A lane "shim" also takes
	// "shim-<id>", "shim <id>" and "shim/<id>"; processes and other actors come after,
	// the simulator's own (supervisor, node, check) last.
	Actors []string
	// Faults names the node faults (faults.Register) the model's
	// components consume; its own faults (OwnFaults) are added by
	// Register. A scenario file may list only these: any other fault is
	// refused at parse time, never silently ignored.
	Faults []string
	// Tools are the node's tools the model's components run; a tool fault
	// naming another tool is refused at parse time.
	Tools []string
	// SwarmKinds are the fault kinds Generate draws, each with its swarm
	// choice (modelkit.Swarm): every fault a generated case holds is of
	// one of them.
	SwarmKinds []string
	// OwnFaults are the faults only this model consumes (its data,
	// timing and process faults); Register adds them to the catalog with
	// the model as their owner.
	OwnFaults []faults.Spec
	// Codec reads and writes the model's part of a scenario file.
	Codec Codec
	// Generate draws a case for a variant; every decision goes through ch,
	// so the same seed draws the same case.
	Generate func(ch sim.Chooser, variant string) Case
	// BadInputs are malformed scenario files of the model, each with the
	// error its codec must give (file, line, field).
	BadInputs []BadInput
	// Hostile overwrites a case's free-text fields (names, ids, texts) with
	// strings h draws, field by field as the codec reads them, and returns
	// the field the codec must refuse ("" when Format's file must read back
	// to the same case).
	Hostile func(h HostileSource, c Case) (refused string, err error)
	// Idle, when set, releases what the model's cases keep for the next
	// case (pooled kernel resources such as inotify instances); a campaign
	// calls it when it ends. Cases made afterwards work as before.
	Idle func() error
	// SystemBound says the model's runs spend most of their CPU time in
	// system calls (a real library on a real directory tree): a campaign
	// of such models alone gives its workers a spare Go scheduler P, so
	// that one whose call outlasts a tick of the runtime's monitor keeps
	// its P (cmd/faultsim).
	SystemBound bool
}

// Variant returns a variant by name, or an error listing the known ones.
func (m *Model) Variant(name string) (Variant, error) {
	for _, v := range m.Variants {
		if v.Name == name {
			return v, nil
		}
	}
	names := make([]string, len(m.Variants))
	for i, v := range m.Variants {
		names[i] = v.Name
	}
	return Variant{}, fmt.Errorf("unknown %s variant %q: expected one of %s", m.Name, name, strings.Join(names, ", "))
}

// AddVariant adds an implementation a user's test registered (through the
// model's own typed Register function, which keeps what builds it). The
// name must be a lower-case word of letters, digits, '.', '_' and '-' that
// no variant has; v.Origin must say where the test is. Register before
// running scenarios, not while runs are under way.
func (m *Model) AddVariant(v Variant) error {
	if !variantName.MatchString(v.Name) {
		return fmt.Errorf("%s variant %q: expected a name of lower-case letters, digits, '.', '_' and '-'", m.Name, v.Name)
	}
	if _, err := m.Variant(v.Name); err == nil {
		return fmt.Errorf("%s variant %q exists already: expected a new name", m.Name, v.Name)
	}
	if v.Origin == nil || v.Origin.Package == "" {
		return fmt.Errorf("%s variant %q: expected the package of the test that registers it (Origin)", m.Name, v.Name)
	}
	m.Variants = append(m.Variants, v)
	return nil
}

// RemoveVariant removes an implementation AddVariant added (a test's
// cleanup); built-in variants stay.
func (m *Model) RemoveVariant(name string) {
	m.Variants = slices.DeleteFunc(m.Variants, func(v Variant) bool { return v.Name == name && v.Origin != nil })
}

var variantName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// Consumes reports whether the model's components consume a fault.
func (m *Model) Consumes(fault string) bool { return slices.Contains(m.Faults, fault) }

// HasInvariant reports whether name is one of the model's invariants.
func (m *Model) HasInvariant(name string) bool {
	return slices.ContainsFunc(m.Invariants, func(inv sim.Invariant) bool { return inv.Name == name })
}

// InvariantNames lists the model's invariant names, sorted.
func (m *Model) InvariantNames() []string {
	out := make([]string, len(m.Invariants))
	for i, inv := range m.Invariants {
		out[i] = inv.Name
	}
	slices.Sort(out)
	return out
}

var registry []*Model

// Register adds a model and its own faults; model packages call it from
// init. It panics on a duplicate or incomplete model, or on a fault name
// that is neither a node fault nor the model's own: programming errors.
func Register(m *Model) {
	if m.Name == "" || m.Generate == nil || len(m.Variants) == 0 {
		panic(fmt.Sprintf("models.Register: model %q needs a name, variants and a generator", m.Name))
	}
	if _, ok := Lookup(m.Name); ok {
		panic(fmt.Sprintf("models.Register: model %q registered twice", m.Name))
	}
	for _, name := range m.Faults {
		if s, ok := faults.Lookup(name); !ok || s.Owner != "" {
			panic(fmt.Sprintf("models.Register: model %q consumes %q, which is not a node fault", m.Name, name))
		}
	}
	for _, t := range m.Tools {
		if !slices.Contains(node.KnownTools, t) {
			panic(fmt.Sprintf("models.Register: model %q runs %q, which the node does not know", m.Name, t))
		}
	}
	for _, s := range m.OwnFaults {
		s.Owner = m.Name
		faults.Register(s)
		if !slices.Contains(m.Faults, s.Name) {
			m.Faults = append(m.Faults, s.Name)
		}
	}
	slices.Sort(m.Faults)
	registry = append(registry, m)
	slices.SortFunc(registry, func(a, b *Model) int { return strings.Compare(a.Name, b.Name) })
}

// Lookup returns a registered model by name.
func Lookup(name string) (*Model, bool) {
	for _, m := range registry {
		if m.Name == name {
			return m, true
		}
	}
	return nil, false
}

// All returns the registered models, sorted by name.
func All() []*Model { return slices.Clone(registry) }

// Names lists the registered models' names, sorted.
func Names() []string {
	out := make([]string, len(registry))
	for i, m := range registry {
		out[i] = m.Name
	}
	return out
}

// Barer is a Case that can also run bare: the same operations called on the
// implementation with no invariant checks, no trace, no timed faults and no
// scheduler where the model needs none; ties, where the model has them, are
// broken by ch as in Run. It is the baseline that harness overhead
// (harness / bare) is measured against; a bare run decides nothing.
type Barer interface {
	RunBare(ch sim.Chooser) error
}
