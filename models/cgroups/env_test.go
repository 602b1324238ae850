package cgroups

import (
	"slices"
	"testing"

	"github.com/containerd/cgroups/v3/cgroup1"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/node"
)

// TestV1HierarchyIsTheMountTable: the subsystems V1Hierarchy gives a
// controller, read from the node's mount table, are those whose mounts a
// look under the mount point finds, on every node and with controllers
// missing.
func TestV1HierarchyIsTheMountTable(t *testing.T) {
	names := func(subs []cgroup1.Subsystem) []string {
		var out []string
		for _, s := range subs {
			out = append(out, string(s.Name()))
		}
		return out
	}
	for _, p := range cgroupfs.Profiles() {
		for _, fs := range [][]faults.Fault{nil, {ControllerMissing{Controller: "cpu"}, ControllerMissing{Controller: "pids"}},
			{faults.CgroupMode{Mode: cgroupfs.Hybrid}}, {faults.CgroupMode{Mode: cgroupfs.Unified}}} {
			c := &Case{Node: node.Spec{Distro: p.Name}, Config: DefaultConfig(), Faults: fs}
			nd, err := nodeSpec(c)
			if err != nil {
				t.Fatal(err)
			}
			tree, err := cgroupfs.New(nd.FS)
			if err != nil {
				t.Fatal(err)
			}
			// A reader outside a window flushes the tree first.
			if err := tree.Flush(); err != nil {
				t.Fatal(err)
			}
			w := &world{c: c, fs: tree, node: nd}
			looked, _ := (&Env{Mountpoint: tree.Mountpoint()}).V1Hierarchy()
			table, _ := (&Env{Mountpoint: tree.Mountpoint(), mounted: w.v1Mounted}).V1Hierarchy()
			if err := tree.Close(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(names(table), names(looked)) {
				t.Fatalf("%s with %v: the mount table gives %v, the mounts found are %v", p.Name, fs, names(table), names(looked))
			}
		}
	}
}
