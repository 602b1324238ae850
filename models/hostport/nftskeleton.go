package hostport

import (
	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim/netfilter"
)

// nftOp is one operation of a transaction: add the object, or flush it.
type nftOp struct {
	flush bool
	obj   knftables.Object
}

// nftSkeletons are, per family, the operations every add transaction
// starts with: ensure the table, its maps and set, and each base chain,
// flushed and given its rules again. They depend on nothing but the family,
// so they are built once; knftables copies what it stores and never changes
// the objects it is given, so one set serves every transaction.
var nftSkeletons = map[netfilter.Family][]nftOp{netfilter.IPv4: nftSkeleton(netfilter.IPv4), netfilter.IPv6: nftSkeleton(netfilter.IPv6)}

// nftSkeleton builds a family's skeleton, as CRI-O's backend writes it.
func nftSkeleton(f netfilter.Family) []nftOp {
	addr, ipKw := "ipv4_addr", "ip"
	if f == netfilter.IPv6 {
		addr, ipKw = "ipv6_addr", "ip6"
	}
	// The comments are CRI-O 1.33.0's; a kernel before 5.10 keeps the
	// table without its comment (sim/node NFTObjectComments).
	ops := []nftOp{
		{obj: &knftables.Table{Comment: knftables.PtrTo("HostPort rules created by CRI-O")}},
		{obj: &knftables.Map{Name: "hostports", Type: "inet_proto . inet_service : " + addr + " . inet_service",
			Comment: knftables.PtrTo("hostports on all local IPs (protocol . hostPort -> podIP . podPort)")}},
		{obj: &knftables.Map{Name: "hostipports", Type: addr + " . inet_proto . inet_service : " + addr + " . inet_service",
			Comment: knftables.PtrTo("hostports on specific IPs (hostIP . protocol . hostPort -> podIP . podPort)")}},
		{obj: &knftables.Set{Name: "hairpins", Type: addr + " . " + addr, Comment: knftables.PtrTo("hostport hairpin connections")}},
	}
	for _, c := range []struct{ name, hook string }{{"prerouting", "prerouting"}, {"output", "output"}, {"postrouting", "postrouting"}} {
		hook := knftables.BaseChainHook(c.hook)
		prio := knftables.DNATPriority
		if c.hook == "postrouting" {
			prio = knftables.SNATPriority
		}
		ops = append(ops,
			nftOp{obj: &knftables.Chain{Name: c.name, Type: knftables.PtrTo(knftables.NATType), Hook: &hook, Priority: &prio}},
			nftOp{flush: true, obj: &knftables.Chain{Name: c.name}})
		if c.hook == "postrouting" {
			ops = append(ops, nftOp{obj: &knftables.Rule{Chain: c.name, Rule: ipKw + " saddr . " + ipKw + " daddr @hairpins masquerade"}})
			continue
		}
		ops = append(ops,
			nftOp{obj: &knftables.Rule{Chain: c.name, Rule: "dnat " + ipKw + " to " + ipKw + " daddr . meta l4proto . th dport map @hostipports"}},
			nftOp{obj: &knftables.Rule{Chain: c.name, Rule: "fib daddr type local dnat " + ipKw + " to meta l4proto . th dport map @hostports"}})
	}
	return ops
}
