package cgroups

import (
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
)

// mapShaped hands the controller it wraps the sandbox's resources with one
// map of specs.LinuxResources reshaped by a map fault, as a runtime gets
// them from a decoded config.json whose member is shaped so.
type mapShaped struct {
	Controller
	fault faults.MapFault
	site  faults.MapSite
	t     *testing.T
}

func (m mapShaped) shape(res *specs.LinuxResources) {
	if err := m.fault.ShapeValue(sim.Fixed{}, res, m.site); err != nil {
		m.t.Errorf("%s on %s: %v", m.fault.Name(), m.site.Path, err)
	}
}

func (m mapShaped) Create(sb SandboxConfig) error {
	m.shape(&sb.Resources)
	return m.Controller.Create(sb)
}

func (m mapShaped) Update(res specs.LinuxResources, vcpus []int) error {
	m.shape(&res)
	return m.Controller.Update(res, vcpus)
}

// TestNilMapFaultsOnResources applies the generic map faults to what the
// cgroups model receives: every map of the sandbox's specs.LinuxResources
// (unified, rdma). Generated resources carry those maps nil, as a
// config.json without them (map-absent) or with null (map-null) decodes,
// so every run of every campaign already hands both controllers and the
// real containerd/cgroups library nil maps there: a write into one
// crashes and the conformance property reports it. The test checks that
// claim on generated cases, then applies the one form that changes the
// input, map-empty: each case must end exactly as it does unfaulted (an
// empty map read as something to apply or refuse would change it).
func TestNilMapFaultsOnResources(t *testing.T) {
	var sites []faults.MapSite
	for _, s := range faults.MapSites(&specs.LinuxResources{}) {
		if !s.InSlice {
			sites = append(sites, s)
		}
	}
	var paths []string
	for _, s := range sites {
		paths = append(paths, s.Path)
	}
	if !slices.Contains(paths, "Unified") || !slices.Contains(paths, "Rdma") {
		t.Fatalf("map sites of LinuxResources = %v, want Unified and Rdma among them", paths)
	}
	var empty faults.MapFault
	for _, f := range faults.MapFaults() {
		if f.Name() == faults.MapEmpty {
			empty = f
		}
	}
	if empty == nil {
		t.Fatalf("no %s fault registered", faults.MapEmpty)
	}
	seeds := uint64(6)
	if testing.Short() {
		seeds = 2
	}
	for _, v := range Variants.All() {
		for seed := uint64(0); seed < seeds; seed++ {
			c := Generate(sim.NewPRNG(seed), v.Name, GenOptions{})
			for _, st := range c.Steps {
				res := st.Resources.Spec()
				for _, s := range faults.MapSites(&res) {
					if !s.InSlice && !s.Nil {
						t.Fatalf("%s seed %d: generated resources carry a non-nil %s: the nil-map forms are not exercised by every run", v.Name, seed, s.Path)
					}
				}
			}
			want, err := Run(c, v.Build, sim.NewPRNG(seed), false)
			if err != nil {
				t.Fatal(err)
			}
			for _, site := range sites {
				build := func(env *Env) Controller { return mapShaped{Controller: v.Build(env), fault: empty, site: site, t: t} }
				got, err := Run(c.Clone(), build, sim.NewPRNG(seed), false)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := violationNames(got), violationNames(want); g != w {
					t.Errorf("%s seed %d, %s on %s: violations [%s], want [%s] as without the fault:\n%s",
						v.Name, seed, empty.Name(), site.Path, g, w, Describe(c))
				}
			}
		}
	}
}

func violationNames(r sim.Result) string {
	var out []string
	for _, v := range r.Violations {
		out = append(out, v.Invariant)
	}
	return strings.Join(out, " ")
}

// TestZeroValueMaps: the controllers, their environment and what they are
// asked to create keep no maps of their own at their zero value, so a
// controller declared rather than built has no nil map to write to.
func TestZeroValueMaps(t *testing.T) {
	for _, v := range []any{&reference{}, &kata3120{}, &linuxCgroup{}, &Env{}, &SandboxConfig{}, &Case{}} {
		var own []string
		for _, s := range faults.ZeroValueMapSites(v) {
			if !strings.HasPrefix(s.Path, "Resources.") && !strings.Contains(s.Path, ".Resources.") {
				own = append(own, s.Path)
			}
		}
		if len(own) > 0 {
			t.Errorf("%T has maps at its zero value outside its spec resources: %v", v, own)
		}
	}
}
