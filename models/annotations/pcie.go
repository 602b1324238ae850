package annotations

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// Registration is one PCI function registered on a PCIe port of the
// sandbox's VM: an entry of Kata's config.PCIeDevicesPerPort.
type Registration struct {
	Port string // root-port, switch-port or bridge-port
	// Bus is the port's prefix and the number registered on it before:
	// rp0, rp1, swdp0.
	Bus      string
	BDF      string
	Vendor   string
	Class    string
	HostPath string // the VFIO group device that brought it
}

// String renders "root-port rp0 0000:41:00.0 /dev/vfio/12 (0x10de 0x030200)".
func (r Registration) String() string {
	return fmt.Sprintf("%s %s %s %s (%s %s)", r.Port, r.Bus, r.BDF, r.HostPath, r.Vendor, r.Class)
}

// attach is the VFIO device's Attach: a device already attached only counts
// one more user; otherwise every function of its IOMMU group is read, each
// on PCIe registered on the port with the next bus number.
func (s *kataShim) attach(path, port string, cold bool) error {
	if g := s.attached[path]; g != nil {
		g.count++
		return nil
	}
	fns, err := s.node.GroupFunctions(path)
	if err != nil {
		return err
	}
	g := &attachedGroup{port: port, cold: cold, count: 1}
	for _, f := range fns {
		if port == "" {
			return fmt.Errorf("cold_plug_vfio= or hot_plug_vfio= port is not set for device %s (BridgePort | RootPort | SwitchPort)", f.BDF)
		}
		if !f.PCIe {
			continue
		}
		r := Registration{Port: port, Bus: BusPrefix[port] + strconv.Itoa(len(s.ports[port])), BDF: f.BDF,
			Vendor: f.Vendor, Class: f.Class, HostPath: path}
		s.ports[port] = append(s.ports[port], r)
		g.bdfs = append(g.bdfs, f.BDF)
		s.log("registered %s", r)
	}
	s.attached[path] = g
	return nil
}

// detach is the container's detachDevices: each VFIO device loses a user;
// a hot-plugged one nobody uses is unplugged and unregistered, a
// cold-plugged one stays ("nothing to detach").
func (s *kataShim) detach(c *kataContainer) {
	for i := len(c.devices) - 1; i >= 0; i-- {
		g := s.attached[c.devices[i]]
		if g == nil {
			continue
		}
		if g.count--; g.count > 0 || g.cold {
			continue
		}
		for _, bdf := range g.bdfs {
			list := s.ports[g.port]
			if j := slices.IndexFunc(list, func(r Registration) bool { return r.BDF == bdf }); j >= 0 {
				s.ports[g.port] = slices.Delete(list, j, j+1)
			}
		}
		delete(s.attached, c.devices[i])
		s.log("hot-unplugged %s", c.devices[i])
	}
	c.devices = nil
}

func (s *kataShim) reset() {
	s.sandbox = ""
	s.ports = map[string][]Registration{}
	s.attached = map[string]*attachedGroup{}
	s.containers = nil
}

// deviceRelation is Kata's DeviceRelation: a GPU sibling's bus, host path
// and index.
type deviceRelation struct {
	bus, path string
	index     int
}

// annotate is annotateContainerWithVFIOMetadata: in guest-kernel mode the
// GPUs on root ports, then switch ports, sorted by bus and numbered; each
// device that is a GPU's host path is annotated with its index.
func (s *kataShim) annotate(c *kataContainer, paths []string) {
	if s.cfg.VFIOMode != ModeGuestKernel {
		return
	}
	var siblings []deviceRelation
	for _, port := range []string{RootPort, SwitchPort} {
		for _, r := range s.ports[port] {
			if isGPU(r.Vendor, r.Class) {
				siblings = append(siblings, deviceRelation{bus: r.Bus, path: r.HostPath})
			}
		}
	}
	sort.Slice(siblings, func(i, j int) bool { return siblings[i].bus < siblings[j].bus })
	for i := range siblings {
		siblings[i].index = i
	}
	for _, p := range paths {
		c.siblingAnnotation(p, siblings, s.makeMap, s.log)
	}
}

// siblingAnnotation writes the CDI annotation of a GPU device into the
// spec handed to the agent.
func (c *kataContainer) siblingAnnotation(devPath string, siblings []deviceRelation, makeMap bool, log func(string, ...any)) {
	for _, sib := range siblings {
		if sib.path != devPath {
			continue
		}
		key, value := CDIKey(devPath), CDIValue(sib.index)
		if makeMap && c.spec.Annotations == nil {
			c.spec.Annotations = make(map[string]string)
		}
		c.spec.Annotations[key] = value
		log("annotated container %s with %s: %s", c.id, key, value)
	}
}
