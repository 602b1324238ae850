package annotations

import (
	"fmt"
	"strconv"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
)

// PCIFunction is one PCI function of the node as sysfs shows it: a member
// of IOMMU group Group (the VFIO device /dev/vfio/<Group>), with its
// vendor and class as the sysfs files spell them ("0x10de", "0x030200").
type PCIFunction struct {
	Group  int
	BDF    string
	Vendor string
	Class  string
	// PCIe is set for a function behind a PCIe link; Kata registers only
	// PCIe functions per port (root-port, switch-port).
	PCIe bool
	// Fault names the data fault that shaped the function's group, when
	// one did (a label: the function is what it describes).
	Fault string
}

// Vendors and classes of the functions faults put on the node (PCI IDs;
// class is base class, subclass, programming interface).
const (
	VendorNVIDIA   = "0x10de"
	VendorMellanox = "0x15b3"
	ClassVGA       = "0x030000" // display controller, VGA compatible
	Class3D        = "0x030200" // display controller, 3D (data-centre GPUs)
	ClassAudio     = "0x040300" // multimedia, HD audio (a GPU's audio function)
	ClassEthernet  = "0x020000" // network controller, Ethernet
	ClassPCIBridge = "0x060400" // bridge, PCI-to-PCI
)

// VFIOPath is the VFIO group device of an IOMMU group.
func VFIOPath(group int) string { return "/dev/vfio/" + strconv.Itoa(group) }

// VFIOControlPath is the VFIO container (control) device, not a group.
const VFIOControlPath = "/dev/vfio/vfio"

// GPUGroup is the base IOMMU group faults reshape: one NVIDIA 3D
// controller on PCIe, at bus 0x41+n.
func GPUGroup(group, n int) []PCIFunction {
	return []PCIFunction{{Group: group, BDF: fmt.Sprintf("0000:%02x:00.0", 0x41+n), Vendor: VendorNVIDIA, Class: Class3D, PCIe: true}}
}

// GroupFault reshapes one IOMMU group of the node (a host fault: the
// hardware a runtime finds).
type GroupFault interface {
	faults.Fault
	ShapeGroup(c sim.Chooser, g []PCIFunction) []PCIFunction
}

// DeviceFault reshapes the linux.devices array of an OCI spec (a data
// fault: what the runtime is asked for). groups are the node's IOMMU groups.
type DeviceFault interface {
	faults.Fault
	ShapeDevices(c sim.Chooser, devices *faults.JSON, groups []int) bool
}

type groupFault struct {
	name  string
	shape func(c sim.Chooser, g []PCIFunction) []PCIFunction
}

func (f groupFault) Name() string      { return f.name }
func (f groupFault) Args() faults.Args { return nil }
func (f groupFault) ShapeGroup(c sim.Chooser, g []PCIFunction) []PCIFunction {
	return f.shape(c, append([]PCIFunction(nil), g...))
}

type deviceFault struct {
	name  string
	shape func(c sim.Chooser, devices *faults.JSON, groups []int) bool
}

func (f deviceFault) Name() string      { return f.name }
func (f deviceFault) Args() faults.Args { return nil }
func (f deviceFault) ShapeDevices(c sim.Chooser, devices *faults.JSON, groups []int) bool {
	return f.shape(c, devices, groups)
}

// DeviceJSON is an OCI linux.devices entry for a character device.
func DeviceJSON(path string, major, minor int) *faults.JSON {
	return faults.Obj(faults.Member{Key: "path", Value: faults.Str(path)}, faults.Member{Key: "type", Value: faults.Str("c")},
		faults.Member{Key: "major", Value: faults.Num(strconv.Itoa(major))}, faults.Member{Key: "minor", Value: faults.Num(strconv.Itoa(minor))})
}

// VFIOMajor is the character major the examples give VFIO group devices;
// the kernel allocates it dynamically, and no model reads it.
const VFIOMajor = 511

// VFIODeviceJSON is the linux.devices entry of a VFIO group.
func VFIODeviceJSON(group int) *faults.JSON { return DeviceJSON(VFIOPath(group), VFIOMajor, group) }

// sibling returns a function in the same group, next to the group's first.
func sibling(g []PCIFunction, fn int, vendor, class string) PCIFunction {
	f := g[0]
	f.BDF = f.BDF[:len(f.BDF)-1] + strconv.Itoa(fn)
	f.Vendor, f.Class = vendor, class
	return f
}

func groupSpec(name, summary string, shape func(sim.Chooser, []PCIFunction) []PCIFunction) faults.Spec {
	f := groupFault{name, shape}
	return faults.Spec{Name: name, Kind: faults.Data, Summary: summary, Build: func(faults.Args) (faults.Fault, error) { return f, nil }}
}

func deviceSpec(name, summary string, shape func(sim.Chooser, *faults.JSON, []int) bool) faults.Spec {
	f := deviceFault{name, shape}
	return faults.Spec{Name: name, Kind: faults.Data, Summary: summary, Build: func(faults.Args) (faults.Fault, error) { return f, nil }}
}

// GroupFaults returns the registered IOMMU group faults in name order.
func GroupFaults() []GroupFault {
	var out []GroupFault
	for _, s := range faults.ByName(vfioFaultSpecs()) {
		if f, _ := s.Build(nil); f != nil {
			if gf, ok := f.(GroupFault); ok {
				out = append(out, gf)
			}
		}
	}
	return out
}

// DeviceFaults returns the registered linux.devices faults in name order.
func DeviceFaults() []DeviceFault {
	var out []DeviceFault
	for _, s := range faults.ByName(vfioFaultSpecs()) {
		if f, _ := s.Build(nil); f != nil {
			if df, ok := f.(DeviceFault); ok {
				out = append(out, df)
			}
		}
	}
	return out
}

func vfioFaultSpecs() (specs []faults.Spec) {
	specs = append(specs, groupSpec("vfio-group-siblings", "the GPU's IOMMU group also holds its HD audio function (vendor 0x10de, class 0x0403): two functions behind one /dev/vfio/<group>",
		func(_ sim.Chooser, g []PCIFunction) []PCIFunction {
			return append(g, sibling(g, 1, VendorNVIDIA, ClassAudio))
		}))
	specs = append(specs, groupSpec("multi-gpu-group", "two NVIDIA GPUs share one IOMMU group, so one /dev/vfio/<group> is the host path of both",
		func(c sim.Chooser, g []PCIFunction) []PCIFunction {
			class := Class3D
			if c.Intn(2) == 1 {
				class = ClassVGA
			}
			return append(g, sibling(g, 1, VendorNVIDIA, class))
		}))
	specs = append(specs, groupSpec("non-nvidia-device", "the IOMMU group holds a non-NVIDIA device (a Mellanox Ethernet NIC, 0x15b3/0x0200) instead of a GPU",
		func(_ sim.Chooser, g []PCIFunction) []PCIFunction {
			return []PCIFunction{sibling(g, 0, VendorMellanox, ClassEthernet)}
		}))
	specs = append(specs, groupSpec("non-pcie-device", "the GPU sits on conventional PCI (no PCIe link), so it is registered on no PCIe port",
		func(_ sim.Chooser, g []PCIFunction) []PCIFunction {
			for i := range g {
				g[i].PCIe = false
			}
			return g
		}))
	specs = append(specs, groupSpec("pci-bridge-in-group", "the IOMMU group also holds a PCI-to-PCI bridge (class 0x0604), which cannot be passed through and must be skipped",
		func(_ sim.Chooser, g []PCIFunction) []PCIFunction {
			return append(g, sibling(g, 2, "0x8086", ClassPCIBridge))
		}))
	specs = append(specs, deviceSpec("vfio-control-device", "linux.devices lists the VFIO control device /dev/vfio/vfio (char 10:196), which is not a group",
		func(c sim.Chooser, d *faults.JSON, _ []int) bool {
			d.Items = append(d.Items, DeviceJSON(VFIOControlPath, 10, 196))
			return true
		}))
	specs = append(specs, deviceSpec("vfio-missing-group", "linux.devices lists /dev/vfio/<group> for an IOMMU group the node does not have",
		func(c sim.Chooser, d *faults.JSON, groups []int) bool {
			missing := 99
			for _, g := range groups {
				missing = max(missing, g+1)
			}
			d.Items = append(d.Items, VFIODeviceJSON(missing))
			return true
		}))
	specs = append(specs, deviceSpec("non-vfio-device", "linux.devices lists a device that is not VFIO (/dev/fuse, char 10:229)",
		func(c sim.Chooser, d *faults.JSON, _ []int) bool {
			d.Items = append(d.Items, DeviceJSON("/dev/fuse", 10, 229))
			return true
		}))
	specs = append(specs, deviceSpec("vfio-group-repeated", "linux.devices lists one VFIO group twice",
		func(c sim.Chooser, d *faults.JSON, groups []int) bool {
			if len(groups) == 0 {
				return false
			}
			d.Items = append(d.Items, VFIODeviceJSON(groups[c.Intn(len(groups))]))
			return true
		}))
	return
}
