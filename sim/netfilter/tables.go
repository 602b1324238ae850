// Package netfilter is the simulated kernel's netfilter state of one node:
// the iptables nat table of each IP family (changed atomically, as
// iptables-restore does) and nftables tables behind knftables' Interface,
// reached through the node's tools so that a missing, old or failing tool
// fails the way the real one does.
package netfilter

import (
	"fmt"
	"strings"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim/node"
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

// Tables is the netfilter state of a node. The kernel keeps it whether or
// not the tools are installed; the node's tools decide whether a runtime
// can reach it.
type Tables struct {
	node     *node.Node
	iptables iptState
	nft      map[string]*knftables.Fake
	// nftRuns counts nft transactions run through the node's nft, and
	// nftFamilyRuns those on each family's tables (FamilyIndex).
	nftRuns       uint64
	nftFamilyRuns [2]uint64
	// rules is what Rules compiled last (nil: nothing yet); compiledAt
	// says, per family (FamilyIndex), at which of its nftFamilyRuns.
	rules      *Rules
	compiledAt [2]uint64
	// nftLists are nftFamily's lists, made when nft had nftListed tables.
	nftLists  [2][]nftEntry
	nftListed int
}

// New returns the empty netfilter state of n.
func New(n *node.Node) *Tables {
	return &Tables{node: n, nft: map[string]*knftables.Fake{}}
}

// iptState is the iptables nat state of IPv4 and IPv6, by FamilyIndex.
type iptState [2]*IPTables

// get is family f's state, or nil (nil too for a family iptables has not).
func (s *iptState) get(f Family) *IPTables {
	if i := FamilyIndex(f); i >= 0 {
		return s[i]
	}
	return nil
}

// generations sums the generations of every family's state.
func (s *iptState) generations() uint64 {
	var g uint64
	for _, ipt := range s {
		if ipt != nil {
			g += ipt.gen
		}
	}
	return g
}

// Concurrency: in the node's concurrent mode (node.SetConcurrent, race
// mode) every tool run and every read a tool or a manager makes holds the
// node's lock, so components may call them from many goroutines, as the
// real tools may be run at once; otherwise nothing is locked. Rules and
// Evaluate are for observers of a node at rest.

// Node is the node the tables belong to.
func (t *Tables) Node() *node.Node { return t.node }

// IPTables returns the iptables nat state of a family, IPv4 or IPv6; any
// other is a programming error (iptables has no such table), a panic.
func (t *Tables) IPTables(f Family) *IPTables {
	i := FamilyIndex(f)
	if i < 0 {
		panic(fmt.Sprintf("netfilter: iptables of IP family %q: want %s or %s", f, IPv4, IPv6))
	}
	t.node.Lock()
	ipt := t.iptables[i]
	if ipt == nil {
		ipt = newIPTables(f)
		ipt.node = t.node
		t.iptables[i] = ipt
	}
	t.node.Unlock()
	return ipt
}

// IPTablesState returns the iptables nat state of a family, for observers
// (invariants) that read what the kernel holds, or nil when nothing ever
// touched it. It never creates one.
func (t *Tables) IPTablesState(f Family) *IPTables {
	t.node.Lock()
	defer t.node.Unlock()
	return t.iptables.get(f)
}

// Generation changes whenever the netfilter state may have changed through
// the node's tools (an iptables-restore applied, an nft transaction run),
// so an observer can reuse what it read while it stays the same.
func (t *Tables) Generation() uint64 {
	t.node.Lock()
	defer t.node.Unlock()
	return t.nftRuns + t.iptables.generations()
}

// FamilyGeneration is Generation for the state of one family alone (its
// iptables nat table and its nftables tables): what Rules decides for a
// packet of that family stays the same while it does.
func (t *Tables) FamilyGeneration(f Family) uint64 {
	t.node.Lock()
	defer t.node.Unlock()
	i := FamilyIndex(f)
	if i < 0 {
		return 0
	}
	g := t.nftFamilyRuns[i]
	if ipt := t.iptables[i]; ipt != nil {
		g += ipt.gen
	}
	return g
}

// Dump renders the node and its netfilter state as stable text.
func (t *Tables) Dump() string {
	var b strings.Builder
	b.WriteString(t.node.Dump())
	for _, f := range Families {
		if ipt := t.IPTablesState(f); ipt != nil {
			b.WriteString(ipt.Save())
		}
	}
	b.WriteString(t.nftDump())
	return b.String()
}
