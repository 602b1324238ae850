package sim

import (
	"errors"

	"fmt"
	"sigs.k8s.io/knftables"
	"slices"
	"strings"
)

// Family is an IP family of the node's netfilter state.
type Family string

// The IP families.
const (
	IPv4 Family = "ipv4"
	IPv6 Family = "ipv6"
)

// Families lists the IP families in a fixed order.
var Families = []Family{IPv4, IPv6}

// ErrNotFound is returned when a tool is not on the node's PATH, as exec's
// "executable file not found in $PATH".
var ErrNotFound = errors.New("executable file not found in $PATH")

// Tool is an executable on the node's PATH.
type Tool struct {
	// Name is the executable's name, e.g. "nft".
	Name string
	// Version is what "tool --version" reports.
	Version Version
	// FailNext is how many of its next invocations fail (a tool-fails fault).
	FailNext int
}

// Host is the simulated node: what a runtime finds when it looks at the
// machine it runs on. Faults reshape it before and during a run; models only
// ever see it through its methods, as a daemon sees a real node.
type Host struct {
	// Distro names the distribution, e.g. "fedora-42".
	Distro string
	// Kernel is the running kernel's version.
	Kernel Version

	tools    map[string]*Tool
	iptables map[Family]*IPTables
	nft      map[string]*knftables.Fake
	// Failures counts tool invocations that failed because of a fault.
	Failures int
	// nftRuns counts nft transactions run through the node's nft.
	nftRuns uint64
}

// NewHost returns a node with the given distro and kernel and no tools.
func NewHost(distro string, kernel Version) *Host {
	return &Host{
		Distro:   distro,
		Kernel:   kernel,
		tools:    map[string]*Tool{},
		iptables: map[Family]*IPTables{},
		nft:      map[string]*knftables.Fake{},
	}
}

// Install puts a tool at a version on the node's PATH, replacing any other.
func (h *Host) Install(name string, version Version) {
	h.tools[name] = &Tool{Name: name, Version: version}
}

// Uninstall removes a tool from the node's PATH.
func (h *Host) Uninstall(name string) { delete(h.tools, name) }

// LookPath returns the tool if it is on the node's PATH.
func (h *Host) LookPath(name string) (*Tool, error) {
	t, ok := h.tools[name]
	if !ok {
		return nil, toolNotFound(name)
	}
	return t, nil
}

// toolNotFound is LookPath's error, "<name>: executable file not found in
// $PATH", formatted only when read: models probe for missing tools far more
// often than anyone prints the answer.
type toolNotFound string

func (e toolNotFound) Error() string { return string(e) + ": " + ErrNotFound.Error() }

// Unwrap makes errors.Is(err, ErrNotFound) hold.
func (e toolNotFound) Unwrap() error { return ErrNotFound }

// Tools lists the installed tools sorted by name.
func (h *Host) Tools() []Tool {
	names := make([]string, 0, len(h.tools))
	for n := range h.tools {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]Tool, len(names))
	for i, n := range names {
		out[i] = *h.tools[n]
	}
	return out
}

// Exec runs a tool: it fails when the tool is missing, or when a fault makes
// this invocation fail (exit status 1 with the tool's name in the error).
func (h *Host) Exec(name string, args ...string) error {
	t, err := h.LookPath(name)
	if err != nil {
		return err
	}
	if t.FailNext > 0 {
		t.FailNext--
		h.Failures++
		return fmt.Errorf("%s %s: exit status 1 (injected failure)", name, strings.Join(args, " "))
	}
	return nil
}

// IPTables returns the node's iptables state for a family. It exists whether
// or not the iptables tools are installed (the kernel keeps it); the tools
// decide whether a runtime can reach it.
func (h *Host) IPTables(f Family) *IPTables {
	t, ok := h.iptables[f]
	if !ok {
		t = newIPTables(f)
		h.iptables[f] = t
	}
	return t
}

// IPTablesState returns the node's iptables state for a family, for
// observers (invariants) that read what the kernel holds, or nil when
// nothing ever touched it. It never creates one.
func (h *Host) IPTablesState(f Family) *IPTables { return h.iptables[f] }

// Generation changes whenever the node's netfilter state may have changed
// through its tools (an iptables-restore applied, an nft transaction run),
// so an observer can reuse what it read while it stays the same.
func (h *Host) Generation() uint64 {
	g := h.nftRuns
	for _, t := range h.iptables {
		g += t.gen
	}
	return g
}

// Dump renders the node's tools and netfilter state as stable text.
func (h *Host) Dump() string {
	var b strings.Builder
	fmt.Fprintf(&b, "node %s kernel %s\n", h.Distro, h.Kernel)
	for _, t := range h.Tools() {
		fmt.Fprintf(&b, "tool %s %s\n", t.Name, t.Version)
	}
	for _, f := range Families {
		if t, ok := h.iptables[f]; ok {
			b.WriteString(t.Save())
		}
	}
	b.WriteString(h.nftDump())
	return b.String()
}
