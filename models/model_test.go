package models

import (
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(Releasing(m)) }

func TestRegistry(t *testing.T) {
	saved := registry
	t.Cleanup(func() { registry = saved })
	registry = nil
	gen := func(sim.Chooser, string) Case { return nil }
	Register(&Model{Name: "zeta", Generate: gen, Variants: []Variant{{Name: "reference"}}})
	Register(&Model{Name: "alpha", Generate: gen, Variants: []Variant{{Name: "reference"}, {Name: "buggy", Buggy: true}},
		Invariants: []sim.Invariant{{Name: "crash"}, {Name: "b-first"}}})
	if got := strings.Join(Names(), ","); got != "alpha,zeta" {
		t.Fatalf("Names() = %s, want alpha,zeta (sorted)", got)
	}
	m, ok := Lookup("alpha")
	if !ok {
		t.Fatal("Lookup(alpha) failed")
	}
	if v, err := m.Variant("buggy"); err != nil || !v.Buggy {
		t.Fatalf("Variant(buggy) = %+v, %v", v, err)
	}
	if _, err := m.Variant("nope"); err == nil || !strings.Contains(err.Error(), "expected one of reference, buggy") {
		t.Fatalf("Variant(nope) error = %v, want the known variants listed", err)
	}
	if !m.HasInvariant("crash") || m.HasInvariant("nope") {
		t.Fatal("HasInvariant is wrong")
	}
	if got := strings.Join(m.InvariantNames(), ","); got != "b-first,crash" {
		t.Fatalf("InvariantNames() = %s", got)
	}
	for name, bad := range map[string]*Model{
		"duplicate":    {Name: "alpha", Generate: gen, Variants: []Variant{{Name: "x"}}},
		"no generator": {Name: "beta", Variants: []Variant{{Name: "x"}}},
		"no variants":  {Name: "gamma", Generate: gen},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			Register(bad)
		}()
	}
}

// TestRegisteredVariants: a user's implementation is added under a new,
// well-formed name with the test that registers it, and removed again.
func TestRegisteredVariants(t *testing.T) {
	m := &Model{Name: "toy", Variants: []Variant{{Name: "reference"}}}
	o, ok := CallerOrigin()
	if !ok || o.Package != "github.com/faultsim/faultsim/models" || o.Test != "TestRegisteredVariants" {
		t.Fatalf("CallerOrigin() = %+v, %v: want this package and test", o, ok)
	}
	if got, want := o.Command(), "go test -run '^TestRegisteredVariants$' github.com/faultsim/faultsim/models"; got != want {
		t.Fatalf("Command() = %q, want %q", got, want)
	}
	tests := []struct {
		v    Variant
		want string // error substring, "" for none
	}{
		{Variant{Name: "mine", Origin: &o}, ""},
		{Variant{Name: "mine", Origin: &o}, `"mine" exists already`},
		{Variant{Name: "reference", Origin: &o}, `"reference" exists already`},
		{Variant{Name: "My Manager", Origin: &o}, "expected a name of lower-case letters"},
		{Variant{Name: "other"}, "expected the package of the test"},
	}
	for _, tt := range tests {
		err := m.AddVariant(tt.v)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("AddVariant(%q) = %v, want %q", tt.v.Name, err, tt.want)
		}
	}
	if v, err := m.Variant("mine"); err != nil || v.Origin == nil {
		t.Fatalf("Variant(mine) = %+v, %v", v, err)
	}
	m.RemoveVariant("mine")
	m.RemoveVariant("reference") // built in: stays
	if len(m.Variants) != 1 || m.Variants[0].Name != "reference" {
		t.Fatalf("variants after removal: %+v", m.Variants)
	}
	func() { // a closure of the test is the test
		if o, _ := CallerOrigin(); o.Test != "TestRegisteredVariants" {
			t.Errorf("CallerOrigin() in a closure = %+v", o)
		}
	}()
}
