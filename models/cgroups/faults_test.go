package cgroups

import (
	"slices"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/node"
)

func TestCgroupFaultsReshapeTheNode(t *testing.T) {
	c := &Case{Node: node.Spec{Distro: "al2023-like"}}
	for _, raw := range []struct {
		name string
		args map[string]string
	}{
		{"kernel-version", map[string]string{"version": "5.10"}},
		{"cgroup-mode", map[string]string{"mode": "hybrid"}},
		{"systemd-version", map[string]string{"version": "219"}},
		{"controller-missing", map[string]string{"controller": "memory"}},
		{"controller-missing", map[string]string{"controller": "memory"}},
		{"controller-not-enabled", map[string]string{"controller": "cpuset"}},
		{"interface-file-missing", map[string]string{"file": "cpu.max"}},
		{"interface-file-read-only", map[string]string{"file": "memory.max"}},
		{"systemd-bus-down", nil},
	} {
		f, err := faults.New(raw.name, raw.args)
		if err != nil {
			t.Fatal(err)
		}
		c.Faults = append(c.Faults, f)
	}
	n, err := nodeSpec(c)
	if err != nil {
		t.Fatal(err)
	}
	s := n.FS
	if s.Kernel.String() != "5.10" || s.Mode != cgroupfs.Hybrid || s.Systemd != 219 || !n.BusDown ||
		!slices.Equal(s.MissingControllers, []string{"memory"}) || !slices.Equal(s.NotEnabled, []string{"cpuset"}) ||
		!slices.Equal(s.MissingFiles, []string{"cpu.max"}) || !slices.Equal(s.ReadOnlyFiles, []string{"memory.max"}) {
		t.Fatalf("node after faults = %+v, bus down %v", s, n.BusDown)
	}
}

func TestCgroupFaultParameters(t *testing.T) {
	tests := []struct {
		name    string
		raw     map[string]string
		wantErr string
	}{
		{"cgroup-mode", map[string]string{"mode": "v3"}, "expected one of v1, hybrid, v2"},
		{"kernel-version", map[string]string{"version": "3.10"}, "expected one of"},
		{"systemd-version", map[string]string{"version": "12"}, "out of range"},
		{"controller-missing", map[string]string{"controller": "gpu"}, "expected one of"},
		{"interface-file-missing", map[string]string{"file": "memory.maximum"}, "expected one of"},
		{"cgroup-vanishes", map[string]string{"sandbox": "pod1"}, `missing parameter "at"`},
		{"hypervisor-exit-slow", map[string]string{"sandbox": "pod1", "for": "3s"}, ""},
		{"cgroup-exists", map[string]string{"sandbox": "pod1"}, ""},
	}
	for _, tt := range tests {
		f, err := faults.New(tt.name, tt.raw)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("New(%s, %v) = %v", tt.name, tt.raw, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("New(%s, %v) = %v, want an error containing %q", tt.name, tt.raw, err, tt.wantErr)
		case tt.wantErr == "":
			if sf, ok := f.(SandboxFault); !ok || sf.Target() != "pod1" {
				t.Errorf("%s is not a sandbox fault on pod1", faults.Format(f))
			}
		}
	}
}
