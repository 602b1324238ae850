package node

import (
	"fmt"
	"slices"

	"github.com/faultsim/faultsim/internal/memo"
	"github.com/faultsim/faultsim/sim"
)

// ToolSpec is a tool installed on a node at a version.
type ToolSpec struct {
	Name    string
	Version string
}

// Spec describes a node as a scenario file gives it: a distro, and what
// differs from it. The zero value is the default distro as it comes.
type Spec struct {
	// Distro names a known distro ("" for DefaultDistro).
	Distro string
	// Kernel, Cgroup ("v1", "hybrid" or "v2") and Systemd override the
	// distro's when set.
	Kernel  string
	Cgroup  string
	Systemd int
	// Tools add to the distro's tools or change their versions; a tool is
	// removed with a tool-missing fault.
	Tools []ToolSpec
}

// Default is the node of a scenario that names none: DefaultDistro as it
// comes.
func Default() Spec { return Spec{Distro: DefaultDistro} }

// Build makes the Node the spec describes.
func (s Spec) Build() (*Node, error) {
	name := s.Distro
	if name == "" {
		name = DefaultDistro
	}
	di, err := distroIndex(name)
	if err != nil {
		return nil, err
	}
	d, versions := distros[di], distroVersions[di] // the kernel's, then the tools'
	k := versions[0]
	if s.Kernel != "" {
		v, err := parseVersionShared(s.Kernel)
		if err != nil {
			return nil, fmt.Errorf("node kernel: %w", err)
		}
		k = v
	}
	n := &Node{Distro: name, Kernel: k, Cgroup: d.Cgroup, Systemd: d.Systemd}
	if s.Cgroup != "" {
		if n.Cgroup, err = ParseCgroupMode(s.Cgroup); err != nil {
			return nil, err
		}
	}
	if s.Systemd != 0 {
		n.Systemd = s.Systemd
	}
	all := append(slices.Clip(d.Tools), s.Tools...) // later ones override
	tools := make([]Tool, len(all))                 // the node's tools in one allocation
	n.tools = make([]*Tool, 0, len(all))
	for i, t := range all {
		var v sim.Version
		if i < len(d.Tools) {
			v = versions[1+i]
		} else if v, err = parseVersionShared(t.Version); err != nil {
			return nil, fmt.Errorf("node tool %s: %w", t.Name, err)
		}
		tools[i] = Tool{Name: t.Name, Version: v}
		n.install(&tools[i]) // as Install
	}
	return n, nil
}

// parsedVersions remembers what ParseVersion made of the version strings
// node specs give, which are few and the same for every scenario of a
// campaign. A Version is never changed once parsed, so one is shared. At
// most 256 are kept, so arbitrary input cannot grow it.
var parsedVersions = memo.Capped[string, sim.Version]{Max: 256}

// parseVersionShared is ParseVersion, remembered.
func parseVersionShared(s string) (sim.Version, error) {
	if v, ok := parsedVersions.Load(s); ok {
		return v, nil
	}
	v, err := sim.ParseVersion(s)
	if err == nil {
		parsedVersions.Store(s, v)
	}
	return v, err
}
