package hostport

import (
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
)

func sitePaths(sites []faults.MapSite) string {
	var out []string
	for _, s := range sites {
		out = append(out, s.Path)
	}
	return strings.Join(out, " ")
}

// TestNilMapFaultSites applies the generic nil-map fault's site finder to
// what the hostport model receives and starts from. Its inputs are CRI port
// mappings and pod addresses: no map reaches it from a request, so the
// map faults have nothing to reshape. The CRI request those mappings come
// from has maps (labels, annotations, sysctls), which CRI-O's hostport
// manager never reads and the model leaves out.
func TestNilMapFaultSites(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		c := Generate(sim.NewPRNG(seed), "reference", GenOptions{})
		if sites := faults.MapSites(c); len(sites) > 0 {
			t.Fatalf("a hostport case carries maps the nil-map faults should reach: %s", sitePaths(sites))
		}
	}
	if sites := faults.MapSites(&runtimeapi.PortMapping{}); len(sites) > 0 {
		t.Fatalf("PortMapping has map fields: %s", sitePaths(sites))
	}
	req := sitePaths(faults.MapSites(&runtimeapi.RunPodSandboxRequest{}))
	for _, want := range []string{"Config.Labels", "Config.Annotations", "Config.Linux.Sysctls"} {
		if !strings.Contains(req, want) {
			t.Errorf("RunPodSandboxRequest map sites %q lack %s", req, want)
		}
	}
	t.Logf("maps of a RunPodSandboxRequest, outside the model: %s", req)
}

// TestZeroValueMaps lists the maps of the structs the daemon is built
// from. Store, Config and Sandbox, used at their zero value, hold none;
// the managers' families map and the oracle's are made by their
// constructors. A manager handed a nil families map (a zero value no
// constructor returns) only reads it: no panic, and it installs nothing.
func TestZeroValueMaps(t *testing.T) {
	for _, v := range []any{&Store{}, &Config{}, &Sandbox{}} {
		if sites := faults.ZeroValueMapSites(v); len(sites) > 0 {
			t.Errorf("%T has maps at its zero value: %s", v, sitePaths(sites))
		}
	}
	for _, v := range []any{&metaManager{}, &crio1330Manager{}} {
		if got := sitePaths(faults.ZeroValueMapSites(v)); got != "families" {
			t.Errorf("%T map sites = %q, want families", v, got)
		}
	}
	for _, m := range []Manager{&metaManager{}, &crio1330Manager{}} {
		if crash := sim.Protect(func() {
			if err := m.Add("a", "10.88.0.2", []*PortMapping{tcp(8080, 80)}); err != nil {
				t.Errorf("%T.Add with a nil families map: %v", m, err)
			}
			if err := m.Remove("a", nil); err != nil {
				t.Errorf("%T.Remove with a nil families map: %v", m, err)
			}
		}); crash != nil {
			t.Errorf("%T with a nil families map crashed: %v", m, crash)
		}
	}
}
