package probe

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/node"
)

// Formats are the node sections Format writes: the hostport model's (distro,
// kernel and tools) and the cgroups model's (a named profile, and a
// kernel-version fault when the node's kernel is nearer another simulated
// kernel than the profile's).
var Formats = []string{"hostport", "cgroups"}

// Spec is the node as the hostport model's scenario files give it: the
// kernel, the distribution and the tools scenario files know
// (faults.Tools) with their versions. Tools that are present but printed
// no version are left out, as the simulation cannot run them.
func (n Node) Spec() node.Spec {
	spec := node.Spec{Distro: n.Distro, Kernel: n.Kernel}
	for _, t := range n.Tools {
		if t.Version != "" && slices.Contains(faults.Tools, t.Name) {
			spec.Tools = append(spec.Tools, node.ToolSpec{Name: t.Name, Version: t.Version})
		}
	}
	return spec
}

// Profile is the named cgroups profile closest to the node: the same cgroup
// mode, and the newest kernel not newer than the node's (the oldest of the
// mode when every profile's kernel is newer). ok is false when the node
// has no cgroups or no profile has its mode.
func (n Node) Profile() (p cgroupfs.Profile, ok bool) {
	mode, err := cgroupfs.ParseMode(n.CgroupMode)
	if err != nil {
		return p, false
	}
	k, err := sim.ParseVersion(n.Kernel)
	if err != nil {
		return p, false
	}
	var best, oldest *cgroupfs.Profile
	profiles := cgroupfs.Profiles()
	for i := range profiles {
		c := &profiles[i]
		if c.Mode != mode {
			continue
		}
		if oldest == nil || c.Kernel.Compare(oldest.Kernel) < 0 {
			oldest = c
		}
		if k.AtLeast(c.Kernel) && (best == nil || c.Kernel.Compare(best.Kernel) > 0) {
			best = c
		}
	}
	if best == nil {
		best = oldest
	}
	if best == nil {
		return p, false
	}
	return *best, true
}

// SimulatedKernel is the kernel the simulated cgroupfs knows
// (cgroupfs.Kernels) nearest to the node's: the newest not newer than it,
// or the oldest when the node's is older than all. ok is false when the
// node's kernel release does not parse.
func (n Node) SimulatedKernel() (k sim.Version, ok bool) {
	node, err := sim.ParseVersion(n.Kernel)
	if err != nil {
		return k, false
	}
	known := make([]sim.Version, len(cgroupfs.Kernels))
	for i, s := range cgroupfs.Kernels {
		known[i] = sim.MustVersion(s)
	}
	slices.SortFunc(known, sim.Version.Compare)
	k = known[0]
	for _, v := range known {
		if node.AtLeast(v) {
			k = v
		}
	}
	return k, true
}

// Format renders the node as the node: section of a scenario file of the
// given model's format (see Formats), preceded by comments giving
// everything probed that the section cannot hold.
func (n Node) Format(format string) (string, error) {
	var b strings.Builder
	b.WriteString("# faultsim probe: read from this node\n")
	fmt.Fprintf(&b, "#   kernel %s, distro %s\n", n.Kernel, n.Distro)
	if n.CgroupMode == "" {
		b.WriteString("#   cgroups: not mounted\n")
	} else {
		fmt.Fprintf(&b, "#   cgroup %s; v1 controllers: %s; cgroup2 controllers: %s\n",
			n.CgroupMode, orNone(n.V1), orNone(n.V2))
	}
	var absent []string
	for _, t := range n.Tools {
		switch {
		case t.Path == "":
			absent = append(absent, t.Name)
		case t.Version == "":
			fmt.Fprintf(&b, "#   %s at %s: %s\n", t.Name, t.Path, t.Err)
		default:
			note := ""
			if !slices.Contains(faults.Tools, t.Name) {
				note = " (not a node tool of scenario files)"
			}
			fmt.Fprintf(&b, "#   %s %s at %s: %q%s\n", t.Name, t.Version, t.Path, t.Raw, note)
		}
	}
	fmt.Fprintf(&b, "#   absent: %s\n", orNone(absent))
	switch format {
	case "hostport":
		s := n.Spec()
		fmt.Fprintf(&b, "node:\n  distro: %s\n  kernel: %s\n", strconv.Quote(s.Distro), strconv.Quote(s.Kernel))
		if len(s.Tools) == 0 {
			b.WriteString("  tools: {}\n")
			break
		}
		b.WriteString("  tools:\n")
		for _, t := range s.Tools {
			fmt.Fprintf(&b, "    %s: %s\n", t.Name, strconv.Quote(t.Version))
		}
	case "cgroups":
		p, ok := n.Profile()
		if !ok {
			return "", fmt.Errorf("no cgroups profile matches a node with cgroup mode %q: expected v1, hybrid or v2 (profiles: %s)",
				n.CgroupMode, strings.Join(cgroupfs.ProfileNames(), ", "))
		}
		fmt.Fprintf(&b, "#   nearest cgroups profile: %s\nnode:\n  profile: %s\n", p, strconv.Quote(p.Name))
		if k, ok := n.SimulatedKernel(); ok && k.Compare(p.Kernel) != 0 {
			fmt.Fprintf(&b, "# the profile's kernel is %s; the nearest simulated kernel to this node's is %s:\n", p.Kernel, k)
			fmt.Fprintf(&b, "faults:\n  - {fault: kernel-version, version: %s}\n", strconv.Quote(k.String()))
		}
	default:
		return "", fmt.Errorf("unknown node format %q: expected one of %s", format, strings.Join(Formats, ", "))
	}
	return b.String(), nil
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, " ")
}
