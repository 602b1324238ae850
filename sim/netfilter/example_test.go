package netfilter_test

import (
	"context"
	"fmt"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

// The node's nft decides as knftables.New does on a real node, and its
// kernel keeps what it has: on 5.4 a table loses its comment, and destroy
// (Linux 6.3) is refused.
func ExampleTables_NFTables() {
	n := node.New("ubuntu20.04-like", sim.MustVersion("5.4"))
	n.Install("nft", sim.MustVersion("1.0.9"))
	n.OnLack = func(tool string, f node.Feature, what string) { fmt.Printf("%s: %s: %s\n", tool, f.Name, what) }
	h := netfilter.New(n)

	if _, err := h.NFTables(netfilter.IPv4, "demo", knftables.RequireDestroy); err != nil {
		fmt.Println(err)
	}
	nft, _ := h.NFTables(netfilter.IPv4, "demo")
	tx := nft.NewTransaction()
	tx.Add(&knftables.Table{Comment: knftables.PtrTo("made by the example")})
	_ = nft.Run(context.Background(), tx)

	tx = nft.NewTransaction()
	tx.Destroy(&knftables.Table{})
	fmt.Println(nft.Run(context.Background(), tx))
	// Output:
	// `nft destroy` is not available: Error: Could not process rule: Invalid argument (kernel 5.4 lacks nft-destroy (Linux 6.3))
	// nft: nft-object-comments: kept table ip demo without comment
	// Error: Could not process rule: Invalid argument (kernel 5.4 lacks nft-destroy (Linux 6.3))
}

// A family's generation moves only with changes to that family's rules:
// an observer of IPv4 packets can keep what it found while IPv6 changes.
func ExampleTables_FamilyGeneration() {
	n := node.New("debian", sim.MustVersion("6.1"))
	n.Install("nft", sim.MustVersion("1.1.1"))
	h := netfilter.New(n)
	v4 := h.FamilyGeneration(netfilter.IPv4)

	nft, _ := h.NFTables(netfilter.IPv6, "demo")
	tx := nft.NewTransaction()
	tx.Add(&knftables.Table{})
	_ = nft.Run(context.Background(), tx)
	_ = h.IPTables(netfilter.IPv6).Apply([]netfilter.IPTablesOp{{Kind: netfilter.EnsureChain, Chain: "HP"}})

	fmt.Println(h.FamilyGeneration(netfilter.IPv4) == v4, h.FamilyGeneration(netfilter.IPv6) == 0)
	// Output: true false
}

func ExampleFamilyIndex() {
	for _, f := range []netfilter.Family{netfilter.IPv4, netfilter.IPv6, "inet"} {
		fmt.Println(f, netfilter.FamilyIndex(f))
	}
	// Output:
	// ipv4 0
	// ipv6 1
	// inet -1
}
