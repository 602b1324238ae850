package faults

import (
	"strconv"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// Tools are the executables whose presence the host faults change.
var Tools = node.KnownTools

func init() {
	tool := Param{Name: "tool", Type: String, Summary: "executable name", OneOf: Tools}
	Register(Spec{
		Name: "tool-missing", Kind: Host,
		Summary: "the tool is not on the node's PATH (e.g. iptables absent on an nftables-only host)",
		Params:  []Param{tool},
		Build:   func(a Args) (Fault, error) { return ToolMissing{Tool: a.Get("tool")}, nil },
	})
	Register(Spec{
		Name: "tool-version", Kind: Host,
		Summary: "the tool is installed at this version (knftables needs nft >= 1.0.1)",
		Params:  []Param{tool, {Name: "version", Type: Version, Summary: "version reported by --version"}},
		Build: func(a Args) (Fault, error) {
			return ToolVersion{Tool: a.Get("tool"), Version: a.Version("version")}, nil
		},
	})
	Register(Spec{
		Name: "tool-fails", Kind: Host,
		Summary: "the tool exists but its next N invocations exit 1 (iptables-restore, nft -f)",
		Params: []Param{tool, {Name: "times", Type: Int, Summary: "how many invocations fail",
			Default: "1", Min: 1, Max: 1000}},
		Build: func(a Args) (Fault, error) { return ToolFails{Tool: a.Get("tool"), Times: a.Int("times")}, nil },
	})
	Register(Spec{Name: "kernel-version", Kind: Host,
		Summary: "the node runs this kernel: it has the features, cgroup controllers and interface files of that version",
		Params:  []Param{{Name: "version", Type: Version, Summary: "kernel version", OneOf: node.Kernels}},
		Build:   func(a Args) (Fault, error) { return KernelVersion{Version: a.Version("version")}, nil }})
	Register(Spec{Name: "cgroup-mode", Kind: Host,
		Summary: "systemd mounted cgroups this way: v1 (one hierarchy per controller), hybrid (v1 plus a controller-less cgroup2) or v2",
		Params:  []Param{{Name: "mode", Type: String, Summary: "cgroup mode", OneOf: []string{"v1", "hybrid", "v2"}}},
		Build: func(a Args) (Fault, error) {
			m, err := node.ParseCgroupMode(a.Get("mode"))
			return CgroupMode{Mode: m}, err
		}})
	Register(Spec{Name: "systemd-version", Kind: Host,
		Summary: "the node runs this systemd: it rejects transient-unit properties it does not know and delegates only the cgroup2 controllers it knows",
		Params:  []Param{{Name: "version", Type: Int, Summary: "systemd version number", Min: 200, Max: 999}},
		Build:   func(a Args) (Fault, error) { return SystemdVersion{Version: a.Int("version")}, nil }})
	Register(Spec{
		Name: "daemon-restart", Kind: Process,
		Summary: "the daemon is stopped and started again at a virtual time (systemctl restart)",
		Params:  []Param{{Name: "at", Type: Duration, Summary: "virtual time of the restart"}},
		Build:   func(a Args) (Fault, error) { return DaemonRestart{At: a.Duration("at")}, nil },
	})
}

// ToolMissing removes a tool from the node.
type ToolMissing struct{ Tool string }

// Name implements Fault.
func (ToolMissing) Name() string { return "tool-missing" }

// Args implements Fault.
func (f ToolMissing) Args() Args { return Args{{"tool", f.Tool}} }

// ApplyNode implements NodeFault.
func (f ToolMissing) ApplyNode(n *node.Node) { n.Uninstall(f.Tool) }

// ToolVersion installs a tool at a version.
type ToolVersion struct {
	Tool    string
	Version sim.Version
}

// Name implements Fault.
func (ToolVersion) Name() string { return "tool-version" }

// Args implements Fault.
func (f ToolVersion) Args() Args { return Args{{"tool", f.Tool}, {"version", f.Version.String()}} }

// ApplyNode implements NodeFault.
func (f ToolVersion) ApplyNode(n *node.Node) { n.Install(f.Tool, f.Version) }

// ToolFails makes a tool's next invocations fail.
type ToolFails struct {
	Tool  string
	Times int
}

// Name implements Fault.
func (ToolFails) Name() string { return "tool-fails" }

// Args implements Fault.
func (f ToolFails) Args() Args { return Args{{"tool", f.Tool}, {"times", strconv.Itoa(f.Times)}} }

// ApplyNode implements NodeFault. A missing tool stays missing.
func (f ToolFails) ApplyNode(n *node.Node) {
	if t, err := n.LookPath(f.Tool); err == nil {
		t.FailNext += f.Times
	}
}

// DaemonRestart restarts the daemon at a virtual time.
type DaemonRestart struct{ At time.Duration }

// Name implements Fault.
func (DaemonRestart) Name() string { return "daemon-restart" }

// Args implements Fault.
func (f DaemonRestart) Args() Args { return Args{{"at", sim.FormatDuration(f.At)}} }

// Time implements TimedFault.
func (f DaemonRestart) Time() time.Duration { return f.At }

// KernelVersion sets the node's kernel.
type KernelVersion struct{ Version sim.Version }

// Name implements Fault.
func (KernelVersion) Name() string { return "kernel-version" }

// Args implements Fault.
func (f KernelVersion) Args() Args { return Args{{"version", f.Version.String()}} }

// ApplyNode implements NodeFault.
func (f KernelVersion) ApplyNode(n *node.Node) { n.Kernel = f.Version }

// CgroupMode sets how cgroups are mounted.
type CgroupMode struct{ Mode node.CgroupMode }

// Name implements Fault.
func (CgroupMode) Name() string { return "cgroup-mode" }

// Args implements Fault.
func (f CgroupMode) Args() Args { return Args{{"mode", f.Mode.String()}} }

// ApplyNode implements NodeFault.
func (f CgroupMode) ApplyNode(n *node.Node) { n.Cgroup = f.Mode }

// SystemdVersion sets the node's systemd version.
type SystemdVersion struct{ Version int }

// Name implements Fault.
func (SystemdVersion) Name() string { return "systemd-version" }

// Args implements Fault.
func (f SystemdVersion) Args() Args { return Args{{"version", strconv.Itoa(f.Version)}} }

// ApplyNode implements NodeFault.
func (f SystemdVersion) ApplyNode(n *node.Node) { n.Systemd = f.Version }
