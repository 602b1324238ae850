package annotations

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
)

// fuzzConfigs are the shim configurations every fuzzed config.json is
// created under: cold-plug and hot-plug to root ports in guest-kernel mode,
// and vfio mode.
var fuzzConfigs = []Config{
	DefaultConfig(),
	{VFIOMode: ModeGuestKernel, ColdPlugVFIO: NoPort, HotPlugVFIO: RootPort},
	{VFIOMode: ModeVFIO, ColdPlugVFIO: RootPort, HotPlugVFIO: NoPort},
}

// fuzzNode has GPUs in groups 12 and 13 (13 with its audio function) and a
// NIC in group 14.
func fuzzNode() Node {
	fns := GPUGroup(12, 0)
	for _, g := range []struct {
		fault string
		group int
	}{{"vfio-group-siblings", 13}, {"non-nvidia-device", 14}} {
		f, _ := faults.New(g.fault, nil)
		fns = append(fns, f.(GroupFault).ShapeGroup(sim.Fixed{}, GPUGroup(g.group, g.group-12))...)
	}
	return Node{Functions: fns}
}

// FuzzSpecJSON feeds raw bytes to the reference shim as a container's
// config.json, under each configuration, then deletes it: whatever the
// bytes, every invariant holds (an undecodable spec is refused). The seed
// corpus is testdata/specs, and runs in plain go test.
func FuzzSpecJSON(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "specs", "*.json"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seed specs in testdata/specs: %v", err)
	}
	for _, path := range seeds {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	node := fuzzNode()
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, cfg := range fuzzConfigs {
			c := &Case{Variant: "reference", PCI: node, Config: cfg,
				Steps: []Step{create(0, "fuzz", string(raw)), del(time.Second, "fuzz")}}
			r, err := Run(c, nil, sim.Fixed{}, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Violations) > 0 {
				r, _ = Run(c, nil, sim.Fixed{}, true)
				t.Fatalf("%+v: %s\nconfig.json: %q\n%s", cfg, r.Violations[0], raw, r.Trace.Text())
			}
		}
	})
}

// TestSeedSpecsOnKata380 replays the fuzz seeds on kata-3.8.0: exactly the
// specs that decode without annotations and list a GPU crash it.
func TestSeedSpecsOnKata380(t *testing.T) {
	crashes := map[string]bool{"ctr-run-gpu.json": true, "annotations-null.json": true, "field-case-null.json": true, "control-device.json": true}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "specs", "*.json"))
	for _, path := range seeds {
		c := &Case{Variant: "kata-3.8.0", PCI: fuzzNode(), Config: DefaultConfig(), Steps: []Step{create(0, "s", spec(t, filepath.Base(path)))}}
		r, _ := Run(c, nil, sim.Fixed{}, false)
		if got, want := r.Has(sim.CrashInvariant.Name), crashes[filepath.Base(path)]; got != want {
			t.Errorf("%s: crash = %v, want %v (%v)", filepath.Base(path), got, want, r.Violations)
		}
	}
}
