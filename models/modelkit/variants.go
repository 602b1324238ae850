package modelkit

import (
	"fmt"
	"slices"

	"github.com/faultsim/faultsim/models"
)

// Variant is one implementation of a model: its description and what
// builds it (B is the model's own: a builder function or a small struct).
type Variant[B any] struct {
	models.Variant
	Build B
}

// Variants is a model's implementations: the built-in ones and those a
// user's test registers. Bound to its models.Model, it keeps the model's
// Variants list (what scenario files, list and campaigns read) in step
// with its own, so every name the model lists can be looked up and built.
type Variants[B any] struct {
	model *models.Model
	list  []Variant[B]
}

// NewVariants returns a model's built-in implementations; Bind attaches
// them to the model before it is registered.
func NewVariants[B any](builtin ...Variant[B]) *Variants[B] {
	return &Variants[B]{list: slices.Clone(builtin)}
}

// Bind makes vs the implementations of m and lists them in m.Variants.
// Call it once, before models.Register(m).
func (vs *Variants[B]) Bind(m *models.Model) {
	if vs.model != nil {
		panic(fmt.Sprintf("modelkit: variants bound twice (to %q and %q)", vs.model.Name, m.Name))
	}
	vs.model = m
	m.Variants = m.Variants[:0]
	for _, v := range vs.list {
		m.Variants = append(m.Variants, v.Variant)
	}
}

// Lookup returns an implementation by name, or an error naming the model
// and listing the known ones.
func (vs *Variants[B]) Lookup(name string) (Variant[B], error) {
	for _, v := range vs.list {
		if v.Name == name {
			return v, nil
		}
	}
	if vs.model == nil {
		return Variant[B]{}, fmt.Errorf("unknown variant %q: expected one of %v", name, vs.Names())
	}
	_, err := vs.model.Variant(name) // its error lists the known variants
	if err == nil {
		err = fmt.Errorf("%s variant %q is listed but has no implementation: register it with the model's Register", vs.model.Name, name)
	}
	return Variant[B]{}, err
}

// Names lists the implementations' names, built-in ones first, in the
// order they were added.
func (vs *Variants[B]) Names() []string {
	out := make([]string, len(vs.list))
	for i, v := range vs.list {
		out[i] = v.Name
	}
	return out
}

// All returns the implementations, built-in ones first.
func (vs *Variants[B]) All() []Variant[B] { return slices.Clone(vs.list) }

// Add registers an implementation a user's test built: the model checks
// its name and lists it (models.Model.AddVariant), and scenarios naming it
// then run it. When v.Origin is nil it is found on the caller's stack
// (models.CallerOrigin). The returned function removes it again (for
// t.Cleanup). Register before running scenarios, not while runs are under
// way.
func (vs *Variants[B]) Add(v Variant[B]) (remove func(), err error) {
	if vs.model == nil {
		return nil, fmt.Errorf("variant %q: the variants are bound to no model", v.Name)
	}
	if v.Origin == nil {
		if o, ok := models.CallerOrigin(); ok {
			v.Origin = &o
		}
	}
	if err := vs.model.AddVariant(v.Variant); err != nil {
		return nil, err
	}
	vs.list = append(vs.list, v)
	return func() { vs.Remove(v.Name) }, nil
}

// Remove removes an implementation Add registered; built-in ones stay.
func (vs *Variants[B]) Remove(name string) {
	if vs.model != nil {
		vs.model.RemoveVariant(name)
	}
	vs.list = slices.DeleteFunc(vs.list, func(v Variant[B]) bool { return v.Name == name && v.Origin != nil })
}
