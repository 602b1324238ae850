package annotations

import (
	"testing"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
)

func TestVFIOFaultsShapeGroupsAndDevices(t *testing.T) {
	if len(GroupFaults()) != 5 || len(DeviceFaults()) != 4 || len(faults.MapFaults()) != 7 {
		t.Fatalf("registered %d group, %d device, %d map faults; want 5, 4, 7", len(GroupFaults()), len(DeviceFaults()), len(faults.MapFaults()))
	}
	for _, f := range GroupFaults() {
		g := f.ShapeGroup(sim.Fixed{}, GPUGroup(12, 0))
		if len(g) == 0 || g[0].Group != 12 {
			t.Errorf("%s: group %v", f.Name(), g)
		}
	}
	for _, f := range DeviceFaults() {
		d := faults.Arr(VFIODeviceJSON(12))
		if !f.ShapeDevices(sim.Fixed{}, d, []int{12}) || len(d.Items) != 2 {
			t.Errorf("%s did not add a device: %s", f.Name(), d.Render())
		}
	}
}
