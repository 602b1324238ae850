package sim

import "fmt"

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
	k, err := ParseVersion(n.Kernel)
	if err != nil {
		return nil, fmt.Errorf("node kernel: %w", err)
	}
	h := NewHost(n.Distro, k)
	for _, t := range n.Tools {
		v, err := ParseVersion(t.Version)
		if err != nil {
			return nil, fmt.Errorf("node tool %s: %w", t.Name, err)
		}
		h.Install(t.Name, v)
	}
	return h, nil
}
