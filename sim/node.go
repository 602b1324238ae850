package sim

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// ToolSpec is a tool installed on a node at a version.
type ToolSpec struct {
	Name    string
	Version string
}

// NodeSpec describes a node as a scenario file gives it.
type NodeSpec struct {
	Distro string
	Kernel string
	Tools  []ToolSpec
}

// DefaultNode is a Fedora 42 node with iptables 1.8.11 and nft 1.1.1: the
// node of incident 1 before the iptables tool chain is removed.
func DefaultNode() NodeSpec {
	return NodeSpec{
		Distro: "fedora-42",
		Kernel: "6.14.0",
		Tools: []ToolSpec{
			{"ip6tables", "1.8.11"}, {"ip6tables-restore", "1.8.11"},
			{"iptables", "1.8.11"}, {"iptables-restore", "1.8.11"},
			{"nft", "1.1.1"},
		},
	}
}

// Build makes the Host the spec describes.
func (n NodeSpec) Build() (*Host, error) {
	k, err := parseVersionShared(n.Kernel)
	if err != nil {
		return nil, fmt.Errorf("node kernel: %w", err)
	}
	h := NewHost(n.Distro, k)
	tools := make([]Tool, len(n.Tools)) // the node's tools in one allocation
	for i, t := range n.Tools {
		v, err := parseVersionShared(t.Version)
		if err != nil {
			return nil, fmt.Errorf("node tool %s: %w", t.Name, err)
		}
		tools[i] = Tool{Name: t.Name, Version: v}
		h.tools[t.Name] = &tools[i] // as Install
	}
	return h, nil
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
func parseVersionShared(s string) (Version, error) {
	if v, ok := parsedVersions.Load(s); ok {
		return v.(Version), nil
	}
	v, err := ParseVersion(s)
	if err == nil && parsedCount.Add(1) <= maxParsedVersions {
		parsedVersions.Store(s, v)
	}
	return v, err
}
