package faults

import (
	"strconv"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// Tools are the executables whose presence the host faults change.
var Tools = []string{"iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "nft", "conmon", "crun", "runc"}

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

// ApplyHost implements HostFault.
func (f ToolMissing) ApplyHost(h *sim.Host) { h.Uninstall(f.Tool) }

// ToolVersion installs a tool at a version.
type ToolVersion struct {
	Tool    string
	Version sim.Version
}

// Name implements Fault.
func (ToolVersion) Name() string { return "tool-version" }

// Args implements Fault.
func (f ToolVersion) Args() Args { return Args{{"tool", f.Tool}, {"version", f.Version.String()}} }

// ApplyHost implements HostFault.
func (f ToolVersion) ApplyHost(h *sim.Host) { h.Install(f.Tool, f.Version) }

// ToolFails makes a tool's next invocations fail.
type ToolFails struct {
	Tool  string
	Times int
}

// Name implements Fault.
func (ToolFails) Name() string { return "tool-fails" }

// Args implements Fault.
func (f ToolFails) Args() Args { return Args{{"tool", f.Tool}, {"times", strconv.Itoa(f.Times)}} }

// ApplyHost implements HostFault. A missing tool stays missing.
func (f ToolFails) ApplyHost(h *sim.Host) {
	if t, err := h.LookPath(f.Tool); err == nil {
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
