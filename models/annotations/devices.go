package annotations

import "github.com/faultsim/faultsim/faults"

// vfioDevices are the linux.devices entries of VFIO groups 0 to 127, made
// once: the generator lists them in the documents it draws, which no fault
// or render changes (TestSharedDeviceEntriesUnchanged).
var vfioDevices = func() []*faults.JSON {
	out := make([]*faults.JSON, 128)
	for g := range out {
		out[g] = VFIODeviceJSON(g)
	}
	return out
}()

// vfioDevice is VFIODeviceJSON(group), shared for groups 0 to 127 unless
// the generator is fresh.
func (g *specGen) vfioDevice(group int) *faults.JSON {
	if !g.fresh && group >= 0 && group < len(vfioDevices) {
		return vfioDevices[group]
	}
	return VFIODeviceJSON(group)
}
