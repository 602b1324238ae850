package annotations

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/isolate"
)

func TestMain(m *testing.M) {
	if isolate.IsChild() { // race mode's child: the test's variant, then serve
		if _, err := RegisterUnlocked(); err != nil {
			panic(err)
		}
		isolate.Serve()
	}
	// Failures observed on purpose must not leave rapid fail files behind.
	_ = flag.Set("rapid.nofailfile", "true")
	goleak.VerifyTestMain(models.Releasing(m))
}

// spec reads a config.json from testdata/specs.
func spec(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "specs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func create(at time.Duration, id, spec string) Step {
	return Step{At: at, Op: OpCreate, ID: id, Spec: spec}
}
func del(at time.Duration, id string) Step { return Step{At: at, Op: OpDelete, ID: id} }

// shapeGroup reshapes a GPU group with a named group fault.
func shapeGroup(t *testing.T, name string, g []PCIFunction) []PCIFunction {
	t.Helper()
	f, err := faults.New(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f.(GroupFault).ShapeGroup(sim.Fixed{}, g)
}

// criSandbox is a pod sandbox's config.json without devices.
func criSandbox(id string) string {
	return faults.Obj(faults.Member{Key: "annotations", Value: faults.Obj(
		faults.Member{Key: CRIContainerType, Value: faults.Str(CRITypeSandbox)},
		faults.Member{Key: CRISandboxID, Value: faults.Str(id)})}).Render()
}

// criContainer is a pod container's config.json listing the devices.
func criContainer(id, pod string, devices ...string) string {
	devs := faults.Arr()
	for _, d := range devices {
		devs.Items = append(devs.Items, faults.Obj(faults.Member{Key: "path", Value: faults.Str(d)}))
	}
	return faults.Obj(
		faults.Member{Key: "annotations", Value: faults.Obj(
			faults.Member{Key: CRIContainerType, Value: faults.Str(CRITypeContainer)},
			faults.Member{Key: CRISandboxID, Value: faults.Str(pod)},
			faults.Member{Key: CRIContainerName, Value: faults.Str(id)})},
		faults.Member{Key: "linux", Value: faults.Obj(faults.Member{Key: "devices", Value: devs})},
	).Render()
}

func TestReferencePassesTheProperty(t *testing.T) {
	Conformance(t, NewReference)
}

// TestPropertyFindsKata380AndShrinks runs the unchanged property against
// kata-3.8.0, observes that it fails, and checks rapid's minimal case: one
// container whose spec decodes without annotations, with a GPU device.
func TestPropertyFindsKata380AndShrinks(t *testing.T) {
	rapidtb.ForEachSeed(t, func(t *testing.T, _ uint64) {
		var last *Case
		var lastResult sim.Result
		obs := &rapidtb.Observer{}
		rapid.Check(obs, Property(NewKata380, func(c *Case, r sim.Result) { last, lastResult = c, r }))
		if !obs.Failed() || last == nil {
			t.Fatal("the property did not fail for kata-3.8.0")
		}
		t.Logf("minimal case (%s):\n%s", lastResult.Violations[0], Describe(last))
		v := lastResult.Violations[0]
		if v.Invariant != sim.CrashInvariant.Name || !strings.Contains(v.Message, "assignment to entry in nil map") {
			t.Fatalf("first violation = %s, want Go's nil map panic", v)
		}
		if len(last.Steps) > 2 || len(last.PCI.Functions) > 2 || last.Size() > 20 || last.Config.VFIOMode != ModeGuestKernel {
			t.Fatalf("shrunk case is not minimal:\n%s", Describe(last))
		}
		// Some create at the crash's time decodes to a nil map and lists a GPU.
		found := false
		for _, st := range last.Steps {
			s, err := DecodeSpec([]byte(st.Spec))
			if st.Op != OpCreate || st.At != v.At || err != nil || s.Annotations != nil {
				continue
			}
			for _, p := range DevicePaths(s) {
				fns, _ := last.PCI.GroupFunctions(p)
				for _, f := range fns {
					found = found || IsGPU(f)
				}
			}
		}
		if !found {
			t.Fatalf("no create at the crash decodes to a nil map and lists a GPU:\n%s", Describe(last))
		}
	})
}

func TestScenarios(t *testing.T) {
	gpuNode := Node{Functions: append(GPUGroup(12, 0), GPUGroup(13, 1)...)}
	nic := Node{Functions: shapeGroup(t, "non-nvidia-device", GPUGroup(12, 0))}
	hot := Config{VFIOMode: ModeGuestKernel, ColdPlugVFIO: NoPort, HotPlugVFIO: RootPort}
	pod := []Step{create(0, "pod1", spec(t, "cri-sandbox-gpu.json")), create(time.Second, "c1", criContainer("c1", "pod1", "/dev/vfio/13"))}
	tests := []struct {
		name    string
		variant string
		node    Node
		cfg     Config
		steps   []Step
		want    string // first violated invariant, "" for none
	}{
		{"incident 4: ctr run of a GPU on kata-3.8.0", "kata-3.8.0", gpuNode, DefaultConfig(), []Step{create(0, "gpu", spec(t, "ctr-run-gpu.json"))}, "crash"},
		{"incident 4 steps on reference", "reference", gpuNode, DefaultConfig(), []Step{create(0, "gpu", spec(t, "ctr-run-gpu.json")), del(time.Second, "gpu")}, ""},
		{"CRI pod with GPUs on kata-3.8.0: annotations always present", "kata-3.8.0", gpuNode, DefaultConfig(), append(pod, del(2*time.Second, "c1"), del(3*time.Second, "pod1")), ""},
		{"annotations null on kata-3.8.0", "kata-3.8.0", gpuNode, DefaultConfig(), []Step{create(0, "a", spec(t, "annotations-null.json"))}, "crash"},
		{"annotations {} on kata-3.8.0", "kata-3.8.0", gpuNode, DefaultConfig(), []Step{create(0, "a", spec(t, "annotations-empty.json"))}, ""},
		{"a later ANNOTATIONS: null on kata-3.8.0", "kata-3.8.0", gpuNode, DefaultConfig(), []Step{create(0, "a", spec(t, "field-case-null.json"))}, "crash"},
		{"keys differing in case and an overridden CDI key on reference", "reference", gpuNode, DefaultConfig(), []Step{create(0, "a", spec(t, "key-case-duplicate.json"))}, ""},
		{"vfio mode writes no CDI annotation", "kata-3.8.0", gpuNode, Config{ModeVFIO, RootPort, NoPort}, []Step{create(0, "gpu", spec(t, "ctr-run-gpu.json"))}, ""},
		{"hot-plug to a root port on kata-3.8.0", "kata-3.8.0", gpuNode, hot, []Step{create(0, "gpu", spec(t, "ctr-run-gpu.json"))}, "crash"},
		{"hot-plug to a bridge port: GPUs not numbered", "kata-3.8.0", gpuNode, Config{ModeGuestKernel, NoPort, BridgePort}, []Step{create(0, "gpu", spec(t, "ctr-run-gpu.json"))}, ""},
		{"non-NVIDIA device on kata-3.8.0", "kata-3.8.0", nic, DefaultConfig(), []Step{create(0, "a", spec(t, "ctr-run-gpu.json"))}, ""},
		{"control device and a GPU on kata-3.8.0", "kata-3.8.0", gpuNode, DefaultConfig(), []Step{create(0, "a", spec(t, "control-device.json"))}, "crash"},
		{"control device and a GPU on reference", "reference", gpuNode, hot, []Step{create(0, "a", spec(t, "control-device.json")), del(time.Second, "a")}, ""},
		{"a group the node lacks is refused", "reference", nic, Config{ModeGuestKernel, NoPort, NoPort}, []Step{create(0, "a", spec(t, "control-device.json"))}, ""},
		{"undecodable specs are refused", "reference", gpuNode, DefaultConfig(), []Step{create(0, "a", spec(t, "truncated.json")), create(0, "b", spec(t, "annotations-not-strings.json"))}, ""},
		{"hot-plugged pod: delete unregisters, re-create renumbers", "reference", gpuNode, hot, []Step{create(0, "pod1", criSandbox("pod1")),
			create(time.Second, "c1", criContainer("c1", "pod1", "/dev/vfio/12", "/dev/vfio/13")), del(2*time.Second, "c1"),
			create(3*time.Second, "c2", criContainer("c2", "pod1", "/dev/vfio/13")), del(4*time.Second, "pod1")}, ""},
		{"pod container of a missing sandbox is refused", "reference", gpuNode, hot, []Step{create(0, "c1", criContainer("c1", "pod9", "/dev/vfio/12"))}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Variant: tt.variant, PCI: tt.node, Config: tt.cfg, Steps: tt.steps}
			r, err := Run(c, nil, sim.Fixed{}, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Violated(); got != tt.want {
				t.Fatalf("first violation = %q, want %q\n%v\n%s", got, tt.want, r.Violations, r.Trace.Text())
			}
		})
	}
}

// TestGPUIndexByBus checks the CDI values themselves: GPUs are numbered in
// bus order, root ports (rp) before switch ports (swdp), and only GPUs count.
func TestGPUIndexByBus(t *testing.T) {
	node := Node{Functions: append(append(GPUGroup(12, 0), shapeGroup(t, "vfio-group-siblings", GPUGroup(13, 1))...),
		GPUGroup(14, 2)...)}
	tests := []struct {
		cfg  Config
		spec string
		want map[string]string
	}{
		{DefaultConfig(), spec(t, "cri-sandbox-gpu.json"), map[string]string{"cdi.k8s.io/vfio12": "nvidia.com/gpu=0", "cdi.k8s.io/vfio13": "nvidia.com/gpu=1"}},
		{Config{ModeGuestKernel, SwitchPort, NoPort}, spec(t, "control-device.json"), map[string]string{"cdi.k8s.io/vfio13": "nvidia.com/gpu=0"}},
		{Config{ModeVFIO, RootPort, NoPort}, spec(t, "cri-sandbox-gpu.json"), map[string]string{}},
	}
	for _, tt := range tests {
		sh := NewReference(node, tt.cfg, func(string, ...any) {})
		if err := sh.Create("pod1", []byte(tt.spec)); err != nil {
			t.Fatal(err)
		}
		got, _ := sh.Annotations("pod1")
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%+v: %s = %q, want %q (registered %v)", tt.cfg, k, got[k], v, sh.Registered())
			}
		}
		for k := range got {
			if _, ok := tt.want[k]; strings.HasPrefix(k, CDIKeyPrefix) && !ok {
				t.Errorf("%+v: unexpected %s = %q", tt.cfg, k, got[k])
			}
		}
	}
}

func TestRunIsDeterministic(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		for _, v := range Variants.All() {
			c := Generate(sim.NewPRNG(seed), v.Name, GenOptions{})
			a, _ := Run(c, nil, sim.NewPRNG(seed), true)
			b, _ := Run(c.Clone(), nil, sim.NewPRNG(seed), true)
			if a.Trace.Hash() != b.Trace.Hash() {
				t.Fatalf("seed %d %s: trace hashes %s and %s differ", seed, v.Name, a.Trace.Hash(), b.Trace.Hash())
			}
		}
	}
}

// TestSimplifyShrinksSpecs: every simplification is smaller, and JSON
// removals keep the spec a JSON document.
func TestSimplifyShrinksSpecs(t *testing.T) {
	c := Generate(sim.NewPRNG(3), "reference", GenOptions{})
	for _, mc := range c.Simplify() {
		d := mc.(*Case)
		if d.Size() > c.Size() {
			t.Fatalf("a simplification grew the case from %d to %d", c.Size(), d.Size())
		}
		for _, s := range d.Steps {
			if _, err := faults.ParseJSON([]byte(s.Spec)); s.Op == OpCreate && err != nil {
				t.Fatalf("a simplification broke a spec: %v\n%s", err, s.Spec)
			}
		}
	}
}

func TestVariantsLookup(t *testing.T) {
	if _, err := Variants.Lookup("kata-2.0"); err == nil || !strings.Contains(err.Error(), "reference, kata-3.8.0") {
		t.Fatalf("Variants.Lookup(kata-2.0) = %v, want an error listing the variants", err)
	}
}
