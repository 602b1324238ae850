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

// profiles are the named nodes. Sources for the distributions' kernels,
// modes and systemd versions are in the package documentation.
var profiles = []Profile{
	{Name: "al2-like", Distro: "Amazon Linux 2", Kernel: sim.MustVersion("5.10"), Mode: Legacy, Systemd: 219},
	{Name: "al2023-like", Distro: "Amazon Linux 2023", Kernel: sim.MustVersion("6.1"), Mode: Unified, Systemd: 252},
	{Name: "debian10-like", Distro: "Debian 10", Kernel: sim.MustVersion("4.19"), Mode: Hybrid, Systemd: 241},
	{Name: "ubuntu20.04-like", Distro: "Ubuntu 20.04", Kernel: sim.MustVersion("5.4"), Mode: Hybrid, Systemd: 245},
	{Name: "debian11-like", Distro: "Debian 11", Kernel: sim.MustVersion("5.10"), Mode: Unified, Systemd: 247},
	{Name: "ubuntu22.04-like", Distro: "Ubuntu 22.04", Kernel: sim.MustVersion("5.15"), Mode: Unified, Systemd: 249},
	{Name: "debian12-like", Distro: "Debian 12", Kernel: sim.MustVersion("6.1"), Mode: Unified, Systemd: 252},
	{Name: "lts6.6-like", Distro: "a 6.6 LTS kernel with systemd 255 (composite)", Kernel: sim.MustVersion("6.6"), Mode: Unified, Systemd: 255},
	{Name: "legacy4.19-like", Distro: "a 4.19 kernel booted with cgroup v1 only, systemd 239 (composite)", Kernel: sim.MustVersion("4.19"), Mode: Legacy, Systemd: 239},
}

// Kernels are the kernel versions profiles and faults draw from.
var Kernels = simnode.Kernels

// SystemdVersions are the systemd versions faults draw from.
var SystemdVersions = []int{219, 239, 241, 245, 247, 249, 252, 255}

func init() {
	for i := range profiles {
		profiles[i].CPUs, profiles[i].Mems = 4, 1
	}
}

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
