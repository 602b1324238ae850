package annotations

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Node is what the shim finds on the host: its PCI functions by IOMMU group
// (/sys/kernel/iommu_groups/<group>/devices), each group reachable as the
// VFIO device /dev/vfio/<group>.
type Node struct {
	Functions []PCIFunction
}

// DefaultNode is a GPU node with two NVIDIA data-centre GPUs on PCIe, in
// IOMMU groups 12 and 13.
func DefaultNode() Node {
	return Node{Functions: append(GPUGroup(12, 0), GPUGroup(13, 1)...)}
}

// Groups lists the node's IOMMU group numbers, ascending, once each.
func (n Node) Groups() []int {
	var out []int
	for _, f := range n.Functions {
		if !slices.Contains(out, f.Group) {
			out = append(out, f.Group)
		}
	}
	slices.Sort(out)
	return out
}

// GroupFunctions returns the functions of the IOMMU group a VFIO device
// path names, as Kata's GetAllVFIODevicesFromIOMMUGroup reads them: the
// group is the path's base name, its directory lists the functions by BDF,
// and host or PCI bridges (class & 0x0600 == 0x0600) are skipped because
// they cannot be passed through. It fails when the node has no such group.
func (n Node) GroupFunctions(devPath string) ([]PCIFunction, error) {
	name := filepath.Base(devPath)
	var out []PCIFunction
	found := false
	for _, f := range n.Functions {
		if strconv.Itoa(f.Group) != name {
			continue
		}
		found = true
		if isBridge(f.Class) {
			continue
		}
		out = append(out, f)
	}
	if !found {
		return nil, fmt.Errorf("open /sys/kernel/iommu_groups/%s/devices: no such file or directory", name)
	}
	slices.SortFunc(out, func(a, b PCIFunction) int { return cmp.Compare(a.BDF, b.BDF) })
	return out, nil
}

// HasGroup reports whether a VFIO device path names one of the node's groups.
func (n Node) HasGroup(devPath string) bool {
	name := filepath.Base(devPath)
	for _, f := range n.Functions {
		if strconv.Itoa(f.Group) == name {
			return true // GroupFunctions finds the group
		}
	}
	return false
}

// isBridge is Kata's checkIgnorePCIClass(class, bdf, 0x0600): the class's
// top 16 bits masked with 0x0600.
func isBridge(class string) bool {
	v, err := strconv.ParseUint(class, 0, 32)
	return err == nil && (v>>8)&0x0600 == 0x0600
}

// IsGPU reports whether a function is an NVIDIA GPU as Kata's
// annotateContainerWithVFIOMetadata decides: vendor 0x10de and a class
// containing "0x030" (display controllers).
func IsGPU(f PCIFunction) bool { return isGPU(f.Vendor, f.Class) }

func isGPU(vendor, class string) bool {
	return vendor == VendorNVIDIA && strings.Contains(class, "0x030")
}

// The PCIe port kinds of Kata's cold_plug_vfio and hot_plug_vfio.
const (
	NoPort     = "no-port"
	RootPort   = "root-port"
	SwitchPort = "switch-port"
	BridgePort = "bridge-port"
)

// Ports lists the port kinds a device can be plugged to, in the order Kata
// reads its per-port lists.
var Ports = []string{RootPort, SwitchPort, BridgePort}

// BusPrefix is the bus name prefix of a port kind (Kata's
// PCIePortPrefixMapping): devices on root ports are rp0, rp1, ...
var BusPrefix = map[string]string{RootPort: "rp", SwitchPort: "swdp", BridgePort: "bp"}

// The VFIO modes of Kata's vfio_mode.
const (
	ModeGuestKernel = "guest-kernel"
	ModeVFIO        = "vfio"
)

// Config is the shim's configuration (configuration.toml): how VFIO devices
// appear in the container and how they are plugged into the VM.
type Config struct {
	// VFIOMode is guest-kernel (devices bound to guest drivers; GPUs are
	// named to the container by CDI annotations) or vfio.
	VFIOMode string
	// ColdPlugVFIO and HotPlugVFIO are the port kinds VFIO devices are
	// cold-plugged (at sandbox creation) or hot-plugged (at container
	// creation) to; no-port disables that path. Hot-plug wins when both are set.
	ColdPlugVFIO string
	HotPlugVFIO  string
}

// DefaultConfig cold-plugs GPUs to root ports in guest-kernel mode, the
// configuration of Kata's NVIDIA GPU passthrough.
func DefaultConfig() Config {
	return Config{VFIOMode: ModeGuestKernel, ColdPlugVFIO: RootPort, HotPlugVFIO: NoPort}
}

// Plug is how the configuration plugs VFIO devices.
type Plug int

// The plug modes.
const (
	PlugNone Plug = iota // no port configured: a VFIO device cannot be attached
	PlugCold
	PlugHot
)

// Plug returns the plug mode and its port; hot-plug takes precedence, as in
// Kata's coldOrHotPlugVFIO and createDevices.
func (c Config) Plug() (Plug, string) {
	if c.HotPlugVFIO != "" && c.HotPlugVFIO != NoPort {
		return PlugHot, c.HotPlugVFIO
	}
	if c.ColdPlugVFIO != "" && c.ColdPlugVFIO != NoPort {
		return PlugCold, c.ColdPlugVFIO
	}
	return PlugNone, ""
}
