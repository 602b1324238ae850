package annotations

import (
	"slices"
	"sort"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// sandboxState is what containerd knows of a sandbox's shim.
type sandboxState int

const (
	live    sandboxState = iota + 1
	exited               // deleted: the shim reported it and exited
	crashed              // the shim died; nothing of it is checked
)

// oracleSandbox is the spec of one sandbox: what its containers were
// given, which PCI functions are registered per port, which ids are gone.
type oracleSandbox struct {
	id         string
	state      sandboxState
	regs       []oracleReg
	groups     map[string]*oracleGroup
	containers []*oracleContainer
	gone       []string
}

type oracleReg struct{ port, bus, bdf, vendor, class, path string }

type oracleGroup struct {
	port  string
	cold  bool
	users int
	bdfs  []string
}

type oracleContainer struct {
	id    string
	ctype ContainerType
	input map[string]string // the decoded config.json's annotations
	// holds are the VFIO groups it attached (hot-plug, or vfio mode).
	holds []string
	// gpu are the CDI keys it must carry, with the values allowed.
	gpu map[string][]string
}

// oracle computes what every correct shim does from the requests and the
// node alone, never from the implementation.
type oracle struct {
	node      Node
	cfg       Config
	sandboxes []*oracleSandbox
}

func (o *oracle) sandbox(id string) *oracleSandbox {
	for i := len(o.sandboxes) - 1; i >= 0; i-- {
		if o.sandboxes[i].id == id {
			return o.sandboxes[i]
		}
	}
	return nil
}

// owner returns the live sandbox holding a container id.
func (o *oracle) owner(id string) (*oracleSandbox, *oracleContainer) {
	for _, sb := range o.sandboxes {
		if sb.state != live {
			continue
		}
		for _, c := range sb.containers {
			if c.id == id {
				return sb, c
			}
		}
	}
	return nil, nil
}

// acceptable reports whether a create must succeed, and why not otherwise.
func (o *oracle) acceptable(spec *specs.Spec, ctype ContainerType, sb *oracleSandbox) (bool, string) {
	if ctype == PodContainer && (sb == nil || sb.state != live) {
		return false, "its sandbox is not running"
	}
	plug, _ := o.cfg.Plug()
	for _, p := range DevicePaths(spec) {
		if !IsVFIODevice(p) {
			continue
		}
		if !o.node.HasGroup(p) {
			return false, "it lists " + p + ", a group the node lacks"
		}
		if plug == PlugNone {
			return false, "it lists a VFIO group with no VFIO port configured"
		}
		if plug == PlugCold && ctype == PodContainer && sb.groups[p] == nil {
			return false, "in cold-plug mode it lists " + p + ", which its sandbox did not cold-plug"
		}
	}
	return true, ""
}

// attach registers a group's PCIe functions on a port, as every Kata shim
// names buses: the port's prefix and the count already on it.
func (o *oracle) attach(sb *oracleSandbox, path, port string, cold bool) {
	if g := sb.groups[path]; g != nil {
		g.users++
		return
	}
	g := &oracleGroup{port: port, cold: cold, users: 1}
	fns, _ := o.node.GroupFunctions(path)
	for _, f := range fns {
		if !f.PCIe || port == "" {
			continue
		}
		bus := BusPrefix[port] + strconv.Itoa(countPort(sb.regs, port))
		sb.regs = append(sb.regs, oracleReg{port, bus, f.BDF, f.Vendor, f.Class, path})
		g.bdfs = append(g.bdfs, f.BDF)
	}
	sb.groups[path] = g
}

func countPort(regs []oracleReg, port string) int {
	n := 0
	for _, r := range regs {
		if r.port == port {
			n++
		}
	}
	return n
}

// release drops a container's hold on its groups; a hot-plugged group
// nobody holds is unregistered.
func (o *oracle) release(sb *oracleSandbox, c *oracleContainer) {
	for i := len(c.holds) - 1; i >= 0; i-- {
		g := sb.groups[c.holds[i]]
		if g.users--; g.users > 0 || g.cold {
			continue
		}
		for _, bdf := range g.bdfs {
			if j := slices.IndexFunc(sb.regs, func(r oracleReg) bool { return r.port == g.port && r.bdf == bdf }); j >= 0 {
				sb.regs = slices.Delete(sb.regs, j, j+1)
			}
		}
		delete(sb.groups, c.holds[i])
	}
}

// created records a successful create: the sandbox's cold-plug, the
// container's attaches, and the CDI annotations it must carry.
func (o *oracle) created(sb *oracleSandbox, id string, spec *specs.Spec, ctype ContainerType) {
	plug, port := o.cfg.Plug()
	paths := DevicePaths(spec)
	if ctype != PodContainer && plug == PlugCold {
		for _, p := range paths {
			if IsVFIODevice(p) {
				o.attach(sb, p, port, true)
			}
		}
	}
	sb.gone = slices.DeleteFunc(sb.gone, func(g string) bool { return g == id }) // an id may be reused
	// spec is the harness's shared decode (decodeShared), never changed:
	// its map is the input as given.
	c := &oracleContainer{id: id, ctype: ctype, input: spec.Annotations}
	for _, p := range paths {
		if !IsVFIODevice(p) {
			continue
		}
		switch {
		case plug == PlugHot:
			o.attach(sb, p, port, false)
			c.holds = append(c.holds, p)
		case plug == PlugCold && o.cfg.VFIOMode == ModeVFIO:
			o.attach(sb, p, "", false) // cold-plugged already: one more user
			c.holds = append(c.holds, p)
		}
	}
	if o.cfg.VFIOMode == ModeGuestKernel {
		c.gpu = expectedGPUKeys(sb.regs, paths)
	}
	sb.containers = append(sb.containers, c)
}

// expectedGPUKeys returns, for each device that is a registered GPU's host
// path, its CDI key and the values it may hold: the GPUs on root then
// switch ports sorted by bus, indexed in that order; the last GPU of a path
// wins. Two GPUs on one bus (a bus name reused after a hot-unplug) may
// sort either way, so any index of their tie is allowed.
func expectedGPUKeys(regs []oracleReg, paths []string) map[string][]string {
	var gpus []oracleReg
	for _, port := range []string{RootPort, SwitchPort} {
		for _, r := range regs {
			if r.port == port && isGPU(r.vendor, r.class) {
				gpus = append(gpus, r)
			}
		}
	}
	sort.SliceStable(gpus, func(i, j int) bool { return gpus[i].bus < gpus[j].bus })
	out := map[string][]string{}
	for _, p := range paths {
		for i, g := range gpus {
			if g.path != p {
				continue
			}
			var allowed []string
			for j, h := range gpus {
				if h.bus == g.bus || j == i {
					allowed = append(allowed, CDIValue(j))
				}
			}
			out[CDIKey(p)] = allowed
		}
	}
	return out
}

// deleted records a successful delete.
func (o *oracle) deleted(sb *oracleSandbox, id string) {
	if id == sb.id {
		sb.state = exited
		for _, c := range sb.containers {
			sb.gone = append(sb.gone, c.id)
		}
		sb.containers, sb.regs, sb.groups = nil, nil, map[string]*oracleGroup{}
		return
	}
	i := slices.IndexFunc(sb.containers, func(c *oracleContainer) bool { return c.id == id })
	o.release(sb, sb.containers[i])
	sb.containers = slices.Delete(sb.containers, i, i+1)
	sb.gone = append(sb.gone, id)
}
