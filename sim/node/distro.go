package node

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultsim/faultsim/sim"
)

// Distro is a kind of machine a node can be: its kernel, how systemd
// mounts cgroups, systemd's version and the tools its packages install.
// A scenario's node names one and may override any of it.
type Distro struct {
	// Name is what a scenario's node.distro gives, e.g. "fedora-42".
	Name string
	// Summary says which machine it stands for.
	Summary string
	Kernel  string
	Cgroup  CgroupMode
	Systemd int
	// Tools are the tools on its PATH with the versions its packages had
	// at release (iptables here is iptables and ip6tables with their
	// -restore tools).
	Tools []ToolSpec
}

// iptables is the iptables tool chain at a version.
func iptables(version string) []ToolSpec {
	return []ToolSpec{{"ip6tables", version}, {"ip6tables-restore", version},
		{"iptables", version}, {"iptables-restore", version}}
}

func tools(ipt, nft string) []ToolSpec {
	out := iptables(ipt)
	if nft != "" {
		out = append(out, ToolSpec{"nft", nft})
	}
	return out
}

// DefaultDistro is the distro of a node that names none: Fedora 42, the
// node of incident 1 before its iptables tool chain is removed.
const DefaultDistro = "fedora-42"

// distros are the known distros, the default first. The "-like" ones
// stand for a distribution's kernel, cgroup mode and systemd at release
// (the cgroup profiles of sim/cgroupfs); "composite" ones pair versions
// found together in the field.
var distros = []Distro{
	{Name: "fedora-42", Summary: "Fedora 42", Kernel: "6.14.0", Cgroup: Unified, Systemd: 257,
		Tools: append(tools("1.8.11", "1.1.1"), ToolSpec{"conmon", "2.1.13"}, ToolSpec{"crun", "1.21"})},
	{Name: "al2-like", Summary: "Amazon Linux 2", Kernel: "5.10", Cgroup: Legacy, Systemd: 219, Tools: tools("1.8.4", "")},
	{Name: "al2023-like", Summary: "Amazon Linux 2023", Kernel: "6.1", Cgroup: Unified, Systemd: 252, Tools: tools("1.8.8", "1.0.4")},
	{Name: "debian10-like", Summary: "Debian 10", Kernel: "4.19", Cgroup: Hybrid, Systemd: 241, Tools: tools("1.8.2", "0.9.0")},
	{Name: "ubuntu20.04-like", Summary: "Ubuntu 20.04", Kernel: "5.4", Cgroup: Hybrid, Systemd: 245, Tools: tools("1.8.4", "0.9.3")},
	{Name: "debian11-like", Summary: "Debian 11", Kernel: "5.10", Cgroup: Unified, Systemd: 247, Tools: tools("1.8.7", "0.9.8")},
	{Name: "ubuntu22.04-like", Summary: "Ubuntu 22.04", Kernel: "5.15", Cgroup: Unified, Systemd: 249, Tools: tools("1.8.7", "1.0.2")},
	{Name: "debian12-like", Summary: "Debian 12", Kernel: "6.1", Cgroup: Unified, Systemd: 252,
		Tools: append(tools("1.8.9", "1.0.6"), ToolSpec{"conmon", "2.1.6"}, ToolSpec{"crun", "1.8.1"})},
	{Name: "lts6.6-like", Summary: "a 6.6 LTS kernel with systemd 255 (composite)", Kernel: "6.6", Cgroup: Unified, Systemd: 255, Tools: tools("1.8.10", "1.0.9")},
	{Name: "legacy4.19-like", Summary: "a 4.19 kernel booted with cgroup v1 only, systemd 239 (composite)", Kernel: "4.19", Cgroup: Legacy, Systemd: 239, Tools: tools("1.8.2", "0.9.0")},
}

// distroVersions are each distro's kernel and tool versions, parsed once
// (the table never changes), in the order of distros and of their tools.
var distroVersions = func() [][]sim.Version {
	out := make([][]sim.Version, len(distros))
	for i, d := range distros {
		out[i] = append(out[i], sim.MustVersion(d.Kernel))
		for _, t := range d.Tools {
			out[i] = append(out[i], sim.MustVersion(t.Version))
		}
	}
	return out
}()

// Distros returns the known distros, the default first.
func Distros() []Distro { return slices.Clone(distros) }

// DistroNames lists the known distros' names, the default first.
func DistroNames() []string {
	out := make([]string, len(distros))
	for i, d := range distros {
		out[i] = d.Name
	}
	return out
}

// LookupDistro returns a known distro, or an error listing them.
func LookupDistro(name string) (Distro, error) {
	i, err := distroIndex(name)
	if err != nil {
		return Distro{}, err
	}
	return distros[i], nil
}

// distroIndex is the index in distros of the named one.
func distroIndex(name string) (int, error) {
	if i := slices.IndexFunc(distros, func(d Distro) bool { return d.Name == name }); i >= 0 {
		return i, nil
	}
	return -1, fmt.Errorf("unknown distro %q: expected one of %s", name, strings.Join(DistroNames(), ", "))
}

// KnownTools are the executables a node's tools may name: the ones some
// model's components run.
var KnownTools = []string{"iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "nft", "conmon", "crun", "runc"}
