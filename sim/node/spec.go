package node

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/faultsim/faultsim/sim"
)

// ToolSpec is a tool installed on a node at a version.
type ToolSpec struct {
	Name    string
	Version string
}

// Spec describes a node as a scenario file gives it.
type Spec struct {
	Distro string
	Kernel string
	Tools  []ToolSpec
}

// Default is a Fedora 42 node with iptables 1.8.11 and nft 1.1.1: the node
// of incident 1 before the iptables tool chain is removed.
func Default() Spec {
	return Spec{
		Distro: "fedora-42",
		Kernel: "6.14.0",
		Tools: []ToolSpec{
			{"ip6tables", "1.8.11"}, {"ip6tables-restore", "1.8.11"},
			{"iptables", "1.8.11"}, {"iptables-restore", "1.8.11"},
			{"nft", "1.1.1"},
		},
	}
}

// Build makes the Node the spec describes.
func (s Spec) Build() (*Node, error) {
	k, err := parseVersionShared(s.Kernel)
	if err != nil {
		return nil, fmt.Errorf("node kernel: %w", err)
	}
	n := New(s.Distro, k)
	tools := make([]Tool, len(s.Tools)) // the node's tools in one allocation
	for i, t := range s.Tools {
		v, err := parseVersionShared(t.Version)
		if err != nil {
			return nil, fmt.Errorf("node tool %s: %w", t.Name, err)
		}
		tools[i] = Tool{Name: t.Name, Version: v}
		n.tools[t.Name] = &tools[i] // as Install
	}
	return n, nil
}

// parsedVersions remembers what ParseVersion made of the version strings
// node specs give, which are few and the same for every scenario of a
// campaign. A Version is never changed once parsed, so one is shared. At
// most maxParsedVersions are kept, so arbitrary input cannot grow it.
var (
	parsedVersions sync.Map // string -> Version
	parsedCount    atomic.Int32
)

const maxParsedVersions = 256

// parseVersionShared is ParseVersion, remembered.
func parseVersionShared(s string) (sim.Version, error) {
	if v, ok := parsedVersions.Load(s); ok {
		return v.(sim.Version), nil
	}
	v, err := sim.ParseVersion(s)
	if err == nil && parsedCount.Add(1) <= maxParsedVersions {
		parsedVersions.Store(s, v)
	}
	return v, err
}
