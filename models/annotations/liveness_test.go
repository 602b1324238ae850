package annotations

import (
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// keepsContainers is a shim whose Delete of a pod container answers ok
// and keeps the container.
type keepsContainers struct {
	Shim
	sandbox string
}

func (k *keepsContainers) Create(id string, raw []byte) error {
	if k.sandbox == "" {
		k.sandbox = id
	}
	return k.Shim.Create(id, raw)
}

func (k *keepsContainers) Delete(id string) error {
	if id != k.sandbox {
		return nil
	}
	return k.Shim.Delete(id)
}

// TestLivenessPhase checks what the shims hold once the run settled: the
// reference holds nothing of what containerd deleted, a shim that keeps a
// deleted container is what did not converge.
func TestLivenessPhase(t *testing.T) {
	remove, err := Register("test-keeps-containers", "Delete of a pod container keeps it", func(n Node, cfg Config, log func(string, ...any)) Shim {
		return &keepsContainers{Shim: NewReference(n, cfg, log)}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	node := Node{Functions: append(GPUGroup(12, 0), GPUGroup(13, 1)...)}
	hot := Config{VFIOMode: ModeGuestKernel, ColdPlugVFIO: NoPort, HotPlugVFIO: RootPort}
	steps := []Step{create(0, "pod1", criSandbox("pod1")), create(time.Second, "c1", criContainer("c1", "pod1", "/dev/vfio/12")),
		del(2*time.Second, "c1")}
	tests := []struct {
		variant string
		says    string // in the converged violation ("": none)
	}{
		{"reference", ""},
		{"test-keeps-containers", "shim of sandbox pod1 still holds deleted container c1"},
	}
	for _, tt := range tests {
		t.Run(tt.variant, func(t *testing.T) {
			c := &Case{Variant: tt.variant, PCI: node, Config: hot, Steps: steps}
			r, err := Run(c, nil, sim.Fixed{}, true)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Has(sim.ConvergedInvariant.Name) {
				if tt.says != "" {
					t.Fatalf("no %s violation: %v\n%s", sim.ConvergedInvariant.Name, r.Violations, r.Trace.Text())
				}
				if len(r.Violations) > 0 {
					t.Fatalf("violations %v\n%s", r.Violations, r.Trace.Text())
				}
				return
			}
			for _, v := range r.Violations {
				if v.Invariant == sim.ConvergedInvariant.Name && (tt.says == "" || !strings.Contains(v.Message, tt.says)) {
					t.Fatalf("%s, want it to say %q", v, tt.says)
				}
			}
		})
	}
}
