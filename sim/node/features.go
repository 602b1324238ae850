package node

import (
	"fmt"

	"github.com/faultsim/faultsim/sim"
)

// CgroupMode is how a node mounts cgroups, as systemd sets it up at boot.
type CgroupMode int

// The cgroup modes. Legacy mounts one v1 hierarchy per controller (and
// name=systemd); Hybrid adds a controller-less cgroup2 at unified/;
// Unified mounts only cgroup2 at the mount point.
const (
	Legacy CgroupMode = iota + 1
	Hybrid
	Unified
)

// String renders the mode as scenario files write it.
func (m CgroupMode) String() string {
	switch m {
	case Legacy:
		return "v1"
	case Hybrid:
		return "hybrid"
	case Unified:
		return "v2"
	}
	return "unknown"
}

// CgroupModes lists the modes in a fixed order.
var CgroupModes = []CgroupMode{Legacy, Hybrid, Unified}

// ParseCgroupMode reads "v1" (or "legacy"), "hybrid", "v2" (or "unified").
func ParseCgroupMode(s string) (CgroupMode, error) {
	switch s {
	case "v1", "legacy":
		return Legacy, nil
	case "hybrid":
		return Hybrid, nil
	case "v2", "unified":
		return Unified, nil
	}
	return 0, fmt.Errorf("cgroup mode %q: expected v1, hybrid or v2", s)
}

// Kernels are the kernel versions the simulated node knows in detail
// (sim/cgroupfs has their cgroup controllers and interface files); a
// kernel-version fault chooses among them.
var Kernels = []string{"4.19", "5.4", "5.10", "5.15", "6.1", "6.6"}

// DefaultSystemd is the systemd version of a node that names none.
const DefaultSystemd = 252

// Feature is a kernel feature a runtime may depend on, with the first
// kernel release that has it.
type Feature struct {
	Name  string
	Since sim.Version
}

// The kernel features runtime components ask the node for (kernel
// versions from the man pages and the kernel's Documentation).
var (
	// PidfdSendSignal is pidfd_send_signal(2).
	PidfdSendSignal = Feature{"pidfd_send_signal", sim.MustVersion("5.1")}
	// PidfdOpen is pidfd_open(2).
	PidfdOpen = Feature{"pidfd_open", sim.MustVersion("5.3")}
	// CgroupFreeze is cgroup2's cgroup.freeze.
	CgroupFreeze = Feature{"cgroup.freeze", sim.MustVersion("5.2")}
	// CgroupKill is cgroup2's cgroup.kill.
	CgroupKill = Feature{"cgroup.kill", sim.MustVersion("5.14")}
	// NFTObjectComments is user data (an nft comment) on nf_tables tables
	// and chains, NFTA_TABLE_USERDATA and NFTA_CHAIN_USERDATA (netfilter
	// patches "add userdata attributes to nft_table/nft_chain", Aug. 2020,
	// merged for 5.10; kubernetes/kubernetes#122572 dates object comments to
	// 5.10 and nft 0.9.7). An older kernel parses nf_tables batches
	// liberally and drops the attribute it does not know: the object is
	// made, without its comment. Set, map, element and rule user data, and
	// the rest of what CRI-O's hostport rules use (concatenations, 4.1; the
	// fib expression, 4.10), are older than every kernel the node knows.
	NFTObjectComments = Feature{"nft-object-comments", sim.MustVersion("5.10")}
	// NFTDestroy is the nf_tables destroy commands (NFT_MSG_DESTROY*: delete
	// if it exists), kernel 6.3 with nft 1.0.8 (knftables README, "Destroy
	// operations"). An older kernel answers the unknown message with EINVAL.
	NFTDestroy = Feature{"nft-destroy", sim.MustVersion("6.3")}
)

// Features lists the features the node knows, oldest first.
var Features = []Feature{PidfdSendSignal, CgroupFreeze, PidfdOpen, NFTObjectComments, CgroupKill, NFTDestroy}
