package netfilter

import (
	"net/netip"
	"strings"
	"testing"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

func local(a netip.Addr) bool { return a == netip.MustParseAddr("192.0.2.10") }

// TestEvaluateIPTables: the nat table's jumps are followed to the DNAT,
// the addrtype match reads the node's addresses, POSTROUTING sees the
// translated packet, and an option outside the model is an error.
func TestEvaluateIPTables(t *testing.T) {
	h := New(node.New("x", sim.Version{}))
	rules := func(s string) []string { return strings.Fields(s) }
	if err := h.IPTables(IPv4).Apply([]IPTablesOp{
		{Kind: EnsureChain, Chain: "HP"}, {Kind: EnsureChain, Chain: "SVC"},
		{Kind: AppendRule, Chain: "SVC", Rule: rules("-p tcp -j DNAT --to-destination 10.88.0.2:80")},
		{Kind: AppendRule, Chain: "HP", Rule: rules("-p udp -m udp --dport 53 -j RETURN")},
		{Kind: AppendRule, Chain: "HP", Rule: rules("-p tcp --dport 8080 -m comment --comment x -j SVC")},
		{Kind: AppendRule, Chain: "PREROUTING", Rule: rules("-m addrtype --dst-type LOCAL -j HP")},
		{Kind: AppendRule, Chain: "POSTROUTING", Rule: rules("-s 10.88.0.2 -d 10.88.0.2/32 -j MASQUERADE")},
	}); err != nil {
		t.Fatal(err)
	}
	pod := netip.MustParseAddrPort("10.88.0.2:80")
	for _, tt := range []struct {
		src, dst string
		port     uint16
		want     Verdict
	}{
		{"10.77.0.2", "192.0.2.10", 8080, Verdict{DNAT: pod}},
		{"10.88.0.2", "192.0.2.10", 8080, Verdict{DNAT: pod, Masquerade: true}},
		{"10.77.0.2", "192.0.2.11", 8080, Verdict{}}, // not the node's address
		{"10.77.0.2", "192.0.2.10", 8081, Verdict{}},
	} {
		p := Packet{Family: IPv4, Proto: "tcp", Src: netip.MustParseAddr(tt.src), Dst: netip.MustParseAddr(tt.dst), DstPort: tt.port}
		got, err := h.Evaluate(p, local)
		if err != nil || got != tt.want {
			t.Errorf("Evaluate(%+v) = %+v, %v; want %+v", p, got, err, tt.want)
		}
	}
	if err := h.IPTables(IPv4).Apply([]IPTablesOp{{Kind: InsertRule, Chain: "HP", Rule: rules("-m mark --mark 1 -j RETURN")}}); err != nil {
		t.Fatal(err)
	}
	p := Packet{Family: IPv4, Proto: "tcp", Src: netip.MustParseAddr("10.77.0.2"), Dst: netip.MustParseAddr("192.0.2.10"), DstPort: 8080}
	if _, err := h.Evaluate(p, local); err == nil || !strings.Contains(err.Error(), "mark") {
		t.Fatalf("a rule with an unmodelled match evaluated to %v, want an error naming it", err)
	}
}

// nftHost is an empty node with nft 1.1.1 and its IPv4 table "t".
func nftHost(t *testing.T) (*Tables, knftables.Interface) {
	t.Helper()
	n := node.New("x", sim.Version{})
	n.Install("nft", sim.MustVersion("1.1.1"))
	h := New(n)
	nft, err := h.NFTables(IPv4, "t")
	if err != nil {
		t.Fatal(err)
	}
	return h, nft
}

// TestEvaluateNFTables: the hostipports map applies to any destination,
// the hostports map only to the node's own addresses (fib daddr type
// local), and the hairpins set masquerades.
func TestEvaluateNFTables(t *testing.T) {
	h, nft := nftHost(t)
	tx := nft.NewTransaction()
	tx.Add(&knftables.Table{})
	tx.Add(&knftables.Map{Name: "hostports", Type: "inet_proto . inet_service : ipv4_addr . inet_service"})
	tx.Add(&knftables.Map{Name: "hostipports", Type: "ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service"})
	tx.Add(&knftables.Set{Name: "hairpins", Type: "ipv4_addr . ipv4_addr"})
	for _, c := range []struct{ name, hook, prio, rule string }{
		{"pre", "prerouting", "dstnat", "dnat ip to ip daddr . meta l4proto . th dport map @hostipports"},
		{"pre", "prerouting", "dstnat", "fib daddr type local dnat ip to meta l4proto . th dport map @hostports"},
		{"post", "postrouting", "srcnat", "ip saddr . ip daddr @hairpins masquerade"},
	} {
		hook, prio := knftables.BaseChainHook(c.hook), knftables.BaseChainPriority(c.prio)
		tx.Add(&knftables.Chain{Name: c.name, Type: knftables.PtrTo(knftables.NATType), Hook: &hook, Priority: &prio})
		tx.Add(&knftables.Rule{Chain: c.name, Rule: c.rule})
	}
	tx.Add(&knftables.Element{Map: "hostports", Key: []string{"tcp", "8080"}, Value: []string{"10.88.0.2", "80"}})
	tx.Add(&knftables.Element{Map: "hostipports", Key: []string{"192.0.2.11", "udp", "53"}, Value: []string{"10.88.0.3", "5353"}})
	tx.Add(&knftables.Element{Set: "hairpins", Key: []string{"10.88.0.2", "10.88.0.2"}})
	if err := nft.Run(t.Context(), tx); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		proto, src, dst string
		port            uint16
		want            Verdict
	}{
		{"tcp", "10.77.0.2", "192.0.2.10", 8080, Verdict{DNAT: netip.MustParseAddrPort("10.88.0.2:80")}},
		{"tcp", "10.88.0.2", "192.0.2.10", 8080, Verdict{DNAT: netip.MustParseAddrPort("10.88.0.2:80"), Masquerade: true}},
		{"tcp", "10.77.0.2", "192.0.2.12", 8080, Verdict{}},
		{"udp", "10.77.0.2", "192.0.2.11", 53, Verdict{DNAT: netip.MustParseAddrPort("10.88.0.3:5353")}},
		{"tcp", "10.77.0.2", "192.0.2.11", 53, Verdict{}},
	} {
		p := Packet{Family: IPv4, Proto: tt.proto, Src: netip.MustParseAddr(tt.src), Dst: netip.MustParseAddr(tt.dst), DstPort: tt.port}
		got, err := h.Evaluate(p, local)
		if err != nil || got != tt.want {
			t.Errorf("Evaluate(%+v) = %+v, %v; want %+v", p, got, err, tt.want)
		}
	}
}

// TestRulesAreCompiledAgainAfterATransaction: the compiled nftables rules
// are reused only while no nft transaction ran; the next one's elements,
// chains and removals are seen.
func TestRulesAreCompiledAgainAfterATransaction(t *testing.T) {
	h, nft := nftHost(t)
	run := func(objs ...knftables.Object) {
		t.Helper()
		tx := nft.NewTransaction()
		for _, o := range objs {
			tx.Add(o)
		}
		if err := nft.Run(t.Context(), tx); err != nil {
			t.Fatal(err)
		}
	}
	hook, prio := knftables.PreroutingHook, knftables.DNATPriority
	run(&knftables.Table{}, &knftables.Map{Name: "m", Type: "inet_proto . inet_service : ipv4_addr . inet_service"},
		&knftables.Chain{Name: "pre", Type: knftables.PtrTo(knftables.NATType), Hook: &hook, Priority: &prio},
		&knftables.Rule{Chain: "pre", Rule: "dnat ip to meta l4proto . th dport map @m"})
	p := Packet{Family: IPv4, Proto: "tcp", Src: netip.MustParseAddr("10.77.0.2"), Dst: netip.MustParseAddr("192.0.2.10"), DstPort: 8080}
	dest := func() netip.AddrPort {
		t.Helper()
		v, err := h.Rules().Destination(p, local)
		if err != nil {
			t.Fatal(err)
		}
		return v.DNAT
	}
	if d := dest(); d.IsValid() {
		t.Fatalf("empty map: DNAT to %s, want none", d)
	}
	run(&knftables.Element{Map: "m", Key: []string{"tcp", "8080"}, Value: []string{"10.88.0.2", "80"}})
	if d, want := dest(), netip.MustParseAddrPort("10.88.0.2:80"); d != want {
		t.Fatalf("after adding an element: DNAT to %s, want %s", d, want)
	}
	tx := nft.NewTransaction()
	tx.Delete(&knftables.Element{Map: "m", Key: []string{"tcp", "8080"}})
	if err := nft.Run(t.Context(), tx); err != nil {
		t.Fatal(err)
	}
	if d := dest(); d.IsValid() {
		t.Fatalf("after deleting the element: DNAT to %s, want none", d)
	}
}

// TestConflictingDNATNamesBoth: two DNATs of one packet to different
// destinations are an error naming what sent it first, iptables or an
// nftables table, and the table that disagrees.
func TestConflictingDNATNamesBoth(t *testing.T) {
	dnatTable := func(t *testing.T, h *Tables, name, to string) {
		t.Helper()
		nft, err := h.NFTables(IPv4, name)
		if err != nil {
			t.Fatal(err)
		}
		hook, prio := knftables.PreroutingHook, knftables.DNATPriority
		tx := nft.NewTransaction()
		tx.Add(&knftables.Table{})
		tx.Add(&knftables.Chain{Name: "pre", Type: knftables.PtrTo(knftables.NATType), Hook: &hook, Priority: &prio})
		tx.Add(&knftables.Map{Name: "m", Type: "inet_proto . inet_service : ipv4_addr . inet_service"})
		tx.Add(&knftables.Rule{Chain: "pre", Rule: "dnat ip to meta l4proto . th dport map @m"})
		tx.Add(&knftables.Element{Map: "m", Key: []string{"tcp", "8080"}, Value: []string{to, "80"}})
		if err := nft.Run(t.Context(), tx); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name     string
		iptables bool
		want     string
	}{
		{"iptables first", true, "netfilter: iptables sends 192.0.2.10 to 10.88.0.1:80 and ipv4/b to 10.88.0.3:80"},
		{"two nftables tables", false, "netfilter: nftables table ipv4/a sends 192.0.2.10 to 10.88.0.2:80 and ipv4/b to 10.88.0.3:80"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := nftHost(t)
			if tt.iptables {
				if err := h.IPTables(IPv4).Apply([]IPTablesOp{{Kind: AppendRule, Chain: "PREROUTING",
					Rule: strings.Fields("-p tcp --dport 8080 -j DNAT --to-destination 10.88.0.1:80")}}); err != nil {
					t.Fatal(err)
				}
			} else {
				dnatTable(t, h, "a", "10.88.0.2")
			}
			dnatTable(t, h, "b", "10.88.0.3")
			p := Packet{Family: IPv4, Proto: "tcp", Src: netip.MustParseAddr("10.77.0.2"), Dst: netip.MustParseAddr("192.0.2.10"), DstPort: 8080}
			_, err := h.Evaluate(p, local)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Evaluate = %v, want an error starting %q", err, tt.want)
			}
		})
	}
}
