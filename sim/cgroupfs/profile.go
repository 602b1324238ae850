package cgroupfs

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/cgroups/v3"

	"github.com/faultsim/faultsim/sim"
	simnode "github.com/faultsim/faultsim/sim/node"
)

// Mode is how a node mounts cgroups (the node's cgroup mode).
type Mode = simnode.CgroupMode

// The cgroup modes, as the node has them.
const (
	Legacy  = simnode.Legacy
	Hybrid  = simnode.Hybrid
	Unified = simnode.Unified
)

// CGMode is the value containerd/cgroups' cgroups.Mode() would return on
// a node mounted in mode m (cgroups.Mode reads the real /sys/fs/cgroup, so
// a runtime running on the simulated node asks the node instead).
func CGMode(m Mode) cgroups.CGMode {
	switch m {
	case Legacy:
		return cgroups.Legacy
	case Hybrid:
		return cgroups.Hybrid
	case Unified:
		return cgroups.Unified
	}
	return cgroups.Unavailable
}

// Modes lists the modes in a fixed order.
var Modes = simnode.CgroupModes

// ParseMode reads "v1" (or "legacy"), "hybrid", "v2" (or "unified").
func ParseMode(s string) (Mode, error) { return simnode.ParseCgroupMode(s) }

// Profile fixes what decides a node's cgroups: the kernel, the mode
// systemd mounted, systemd's version (which properties and controllers it
// handles) and the CPUs and memory nodes online.
type Profile struct {
	// Name is the profile's name ("" for a node composed by hand).
	Name string
	// Distro says which kind of machine the profile stands for.
	Distro  string
	Kernel  sim.Version
	Mode    Mode
	Systemd int
	// CPUs is the number of online CPUs (0..CPUs-1); Mems the memory nodes.
	CPUs, Mems int
}

// String renders the profile in one line.
func (p Profile) String() string {
	name := p.Name
	if name == "" {
		name = "custom"
	}
	return fmt.Sprintf("%s (kernel %s, cgroup %s, systemd %d, %d CPUs)", name, p.Kernel, p.Mode, p.Systemd, p.CPUs)
}

// profiles are the named nodes: the node's distros (sim/node), whose
// sources are in the package documentation.
var profiles = func() []Profile {
	var out []Profile
	for _, d := range simnode.Distros() {
		out = append(out, Profile{Name: d.Name, Distro: d.Summary, Kernel: sim.MustVersion(d.Kernel),
			Mode: d.Cgroup, Systemd: d.Systemd, CPUs: 4, Mems: 1})
	}
	return out
}()

// ProfileOf is the cgroups profile of a node: its kernel, cgroup mode and
// systemd, with 4 CPUs and one memory node online.
func ProfileOf(n *simnode.Node) Profile {
	return Profile{Name: n.Distro, Distro: n.Distro, Kernel: n.Kernel, Mode: n.Cgroup, Systemd: n.Systemd, CPUs: 4, Mems: 1}
}

// Kernels are the kernel versions profiles and faults draw from.
var Kernels = simnode.Kernels

// SystemdVersions are the systemd versions faults draw from.
var SystemdVersions = []int{219, 239, 241, 245, 247, 249, 252, 255}

// Profiles returns the named profiles in a fixed order.
func Profiles() []Profile { return slices.Clone(profiles) }

// ProfileNames lists the named profiles' names in order.
func ProfileNames() []string {
	out := make([]string, len(profiles))
	for i, p := range profiles {
		out[i] = p.Name
	}
	return out
}

// LookupProfile returns a named profile.
func LookupProfile(name string) (Profile, error) {
	for _, p := range profiles {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("unknown node profile %q: expected one of %s", name, strings.Join(ProfileNames(), ", "))
}

// ParseSystemd reads a systemd version number such as "252".
func ParseSystemd(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 200 || n > 999 {
		return 0, fmt.Errorf("systemd version %q: expected a number such as 219 or 252", s)
	}
	return n, nil
}

// Quirks shape a node beyond its profile; the cgroup faults set them.
type Quirks struct {
	// MissingControllers are controllers the kernel lacks (disabled at boot
	// with cgroup_disable=, or not built): absent from cgroup.controllers on
	// v2, not mounted on v1.
	MissingControllers []string
	// NotEnabled are controllers systemd does not hand to units: on v2 it
	// does not enable them in its slices' cgroup.subtree_control, on v1 it
	// does not create units' cgroups in their hierarchies.
	NotEnabled []string
	// MissingFiles are interface files the kernel lacks everywhere.
	MissingFiles []string
	// ReadOnlyFiles are interface files whose writes the node refuses.
	ReadOnlyFiles []string
}

// Spec is everything that decides a simulated node's cgroupfs.
type Spec struct {
	Profile
	Quirks
}

// v2Available lists the controllers the node's cgroup2 root offers.
func (s Spec) v2Available() []string {
	var out []string
	for _, c := range V2Controllers(s.Kernel) {
		if !slices.Contains(s.MissingControllers, c) {
			out = append(out, c)
		}
	}
	return out
}

// v1Mounted lists the v1 controllers the node mounts.
func (s Spec) v1Mounted() []string {
	var out []string
	for _, c := range V1Controllers(s.Kernel) {
		if !slices.Contains(s.MissingControllers, c) {
			out = append(out, c)
		}
	}
	return out
}

// SystemdV2Controllers lists the cgroup2 controllers a systemd version
// knows how to enable for its units: io, memory and pids since 230, cpu
// since 232 (CPUWeight=), cpuset since 244 (AllowedCPUs=), per
// systemd.resource-control(5)'s "Added in version" notes.
func SystemdV2Controllers(version int) []string {
	var out []string
	for _, c := range []struct {
		name  string
		since int
	}{{"cpuset", 244}, {"cpu", 232}, {"io", 230}, {"memory", 230}, {"pids", 230}} {
		if version >= c.since {
			out = append(out, c.name)
		}
	}
	return out
}
