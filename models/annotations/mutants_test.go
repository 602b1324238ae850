package annotations

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// mutant wraps the reference shim and breaks one promise, so each
// invariant is shown to catch what it states.
type mutant struct {
	Shim
	annotations func(map[string]string) map[string]string
	spec        func([]byte) []byte
	create      func(inner Shim, id string, raw []byte) error
	delete      func(inner Shim, id string) error
}

func (m *mutant) Annotations(id string) (map[string]string, bool) {
	a, ok := m.Shim.Annotations(id)
	if ok && m.annotations != nil {
		a = m.annotations(maps.Clone(a))
	}
	return a, ok
}

func (m *mutant) Spec(id string) ([]byte, bool) {
	b, ok := m.Shim.Spec(id)
	if ok && m.spec != nil {
		b = m.spec(b)
	}
	return b, ok
}

func (m *mutant) Create(id string, raw []byte) error {
	if m.create != nil {
		return m.create(m.Shim, id, raw)
	}
	return m.Shim.Create(id, raw)
}

func (m *mutant) Delete(id string) error {
	if m.delete != nil {
		return m.delete(m.Shim, id)
	}
	return m.Shim.Delete(id)
}

func build(m mutant) Builder {
	return func(node Node, cfg Config, log func(string, ...any)) Shim {
		mm := m
		mm.Shim = NewReference(node, cfg, log)
		return &mm
	}
}

func TestInvariantsCatchMutants(t *testing.T) {
	hot := Config{VFIOMode: ModeGuestKernel, ColdPlugVFIO: NoPort, HotPlugVFIO: RootPort}
	pod := []Step{create(0, "pod1", criSandbox("pod1")), create(time.Second, "c1", criContainer("c1", "pod1", "/dev/vfio/12"))}
	tests := []struct {
		name  string
		m     mutant
		cfg   Config
		steps []Step
		want  string
	}{
		{"drops an input annotation", mutant{annotations: func(a map[string]string) map[string]string {
			delete(a, CRIContainerName)
			return a
		}}, hot, pod, InvAnnotationsKept.Name},
		{"adds an undocumented annotation", mutant{annotations: func(a map[string]string) map[string]string {
			a["io.katacontainers.debug"] = "true"
			return a
		}}, hot, pod, InvAnnotationsKept.Name},
		{"forgets the GPU's CDI annotation", mutant{annotations: func(a map[string]string) map[string]string {
			delete(a, "cdi.k8s.io/vfio12")
			return a
		}}, hot, pod, InvGPUAnnotation.Name},
		{"numbers GPUs from 1", mutant{annotations: func(a map[string]string) map[string]string {
			if _, ok := a["cdi.k8s.io/vfio12"]; ok {
				a["cdi.k8s.io/vfio12"] = CDIValue(1)
			}
			return a
		}}, hot, pod, InvGPUAnnotation.Name},
		{"writes out a spec without annotations", mutant{spec: func(b []byte) []byte {
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			delete(m, "annotations")
			out, _ := json.Marshal(m)
			return out
		}}, hot, pod, InvRoundTrip.Name},
		{"refuses every pod container", mutant{create: func(inner Shim, id string, raw []byte) error {
			if strings.Contains(string(raw), `"container"`) {
				return errors.New("no")
			}
			return inner.Create(id, raw)
		}}, hot, pod, InvAccepts.Name},
		{"reports failure but keeps the container", mutant{create: func(inner Shim, id string, raw []byte) error {
			if err := inner.Create(id, raw); err != nil || id == "pod1" {
				return err
			}
			return errors.New("agent timed out")
		}}, hot, pod, InvFailedCreate.Name},
		{"deletes nothing", mutant{delete: func(inner Shim, id string) error { return nil }}, hot,
			append(pod, del(2*time.Second, "c1")), InvDelete.Name},
		{"forgets a container without unplugging its GPU", mutant{delete: func(inner Shim, id string) error {
			sh := inner.(*kataShim)
			sh.containers = slices.DeleteFunc(sh.containers, func(c *kataContainer) bool { return c.id == id })
			return nil
		}}, hot, append(pod, del(2*time.Second, "c1")), InvDelete.Name},
	}
	node := Node{Functions: GPUGroup(12, 0)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Variant: "mutant", PCI: node, Config: tt.cfg, Steps: tt.steps}
			r, err := Run(c, build(tt.m), sim.Fixed{}, true)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Has(tt.want) {
				t.Fatalf("violations = %v, want %s\n%s", r.Violations, tt.want, r.Trace.Text())
			}
		})
	}
	// The unbroken reference passes the same steps.
	for _, tt := range tests {
		c := &Case{Variant: "reference", PCI: node, Config: tt.cfg, Steps: tt.steps}
		if r, _ := Run(c, nil, sim.Fixed{}, false); len(r.Violations) > 0 {
			t.Fatalf("reference fails %q: %v", tt.name, r.Violations)
		}
	}
}
