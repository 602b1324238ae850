package models

import (
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

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
