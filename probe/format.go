package probe

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/node"
)

// Spec is the node as a scenario file gives it, valid for every model:
// the nearest known distro (the same cgroup mode, the newest kernel not
// newer than this one's), and this node's kernel, cgroup mode and the
// versions of the tools the simulated node knows (node.KnownTools).
// Tools that are present but printed no version are left out, as the
// simulation cannot run them.
func (n Node) Spec() node.Spec {
	spec := node.Spec{Distro: node.DefaultDistro, Kernel: n.Kernel, Cgroup: n.CgroupMode}
	if p, ok := n.Profile(); ok {
		spec.Distro = p.Name
	}
	for _, t := range n.Tools {
		if t.Version != "" && slices.Contains(node.KnownTools, t.Name) {
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

// MissingTools are the tools the node's nearest distro (Spec) has and this
// node lacks: a scenario removes each with a tool-missing fault.
func (n Node) MissingTools() []string {
	spec := n.Spec()
	d, err := node.LookupDistro(spec.Distro)
	if err != nil {
		return nil
	}
	var out []string
	for _, t := range d.Tools {
		if !slices.ContainsFunc(spec.Tools, func(x node.ToolSpec) bool { return x.Name == t.Name }) {
			out = append(out, t.Name)
		}
	}
	return out
}

// Format renders the node as a scenario file's node: section, which every
// model accepts, preceded by comments giving everything probed that the
// section cannot hold: the controllers, tools without a version, and the
// distro's tools this node lacks (a tool-missing fault removes one, for
// the models that run it).
func (n Node) Format() (string, error) {
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
			if !slices.Contains(node.KnownTools, t.Name) {
				note = " (not a node tool of scenario files)"
			}
			fmt.Fprintf(&b, "#   %s %s at %s: %q%s\n", t.Name, t.Version, t.Path, t.Raw, note)
		}
	}
	fmt.Fprintf(&b, "#   absent: %s\n", orNone(absent))
	spec := n.Spec()
	d, err := node.LookupDistro(spec.Distro)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "#   nearest known distro: %s (%s); systemd is its %d\n", d.Name, d.Summary, d.Systemd)
	if lacks := n.MissingTools(); len(lacks) > 0 {
		fmt.Fprintf(&b, "#   %s has %s, this node does not: add - {fault: tool-missing, tool: NAME} to the faults\n", d.Name, strings.Join(lacks, ", "))
		b.WriteString("#   of a model that runs it (faultsim list faults)\n")
	}
	fmt.Fprintf(&b, "node:\n  distro: %s\n  kernel: %s\n", strconv.Quote(spec.Distro), strconv.Quote(spec.Kernel))
	if spec.Cgroup != "" {
		fmt.Fprintf(&b, "  cgroup: %s\n", spec.Cgroup)
	}
	if len(spec.Tools) > 0 {
		b.WriteString("  tools:\n")
		for _, t := range spec.Tools {
			fmt.Fprintf(&b, "    %s: %s\n", t.Name, strconv.Quote(t.Version))
		}
	}
	return b.String(), nil
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, " ")
}
