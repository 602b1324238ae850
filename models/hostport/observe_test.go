package hostport

import (
	"strings"
	"testing"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

// TestOracleJudgesByPackets: the oracle asks the node where packets go, so
// a manager with its own table, chain and map names passes, and elements
// that no reachable rule looks up, or that send elsewhere, forward nothing.
func TestOracleJudgesByPackets(t *testing.T) {
	const fib = "fib daddr type local dnat ip to meta l4proto . th dport map @hostports"
	hook, prio := knftables.PreroutingHook, knftables.DNATPriority
	base := &knftables.Chain{Name: "in", Type: knftables.PtrTo(knftables.NATType), Hook: &hook, Priority: &prio}
	for _, tt := range []struct {
		name, table string
		chain       *knftables.Chain
		rule        string
		value       []string
		want        string // "" or a substring of the violation
	}{
		{"another layout forwards", "mine", base, fib, []string{"10.88.0.2", "80"}, ""},
		{"the map is reached through no hook", NFTTable, &knftables.Chain{Name: "in"}, fib, []string{"10.88.0.2", "80"}, "does not forward"},
		{"the element sends elsewhere", "mine", base, fib, []string{"10.88.0.9", "80"}, "no live sandbox asked for"},
		{"a rule the node cannot evaluate", "mine", base, "meta mark 1 " + fib, []string{"10.88.0.2", "80"}, "cannot tell"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := node.New("debian", sim.MustVersion("6.1"))
			n.Install("nft", sim.MustVersion("1.1.1"))
			h := netfilter.New(n)
			nft, err := h.NFTables(netfilter.IPv4, tt.table)
			if err != nil {
				t.Fatal(err)
			}
			tx := nft.NewTransaction()
			tx.Add(&knftables.Table{})
			tx.Add(&knftables.Map{Name: "hostports", Type: "inet_proto . inet_service : ipv4_addr . inet_service"})
			tx.Add(tt.chain)
			tx.Add(&knftables.Rule{Chain: tt.chain.Name, Rule: tt.rule})
			tx.Add(&knftables.Element{Map: "hostports", Key: []string{"tcp", "8080"}, Value: tt.value})
			if err := nft.Run(t.Context(), tx); err != nil {
				t.Fatal(err)
			}
			o := newOracle(h, Config{})
			ms := []*PortMapping{tcp(8080, 80)}
			o.addProbes(ms)
			want, _, _, _ := o.expected("a", []string{"10.88.0.2"}, ms)
			o.sandboxes = append(o.sandboxes, &oracleSandbox{id: "a", owner: SandboxHash("a"), ips: []string{"10.88.0.2"}, state: live, expect: want})
			vs := o.check(h, 0, func(string) bool { return false })
			switch {
			case tt.want == "" && len(vs) > 0:
				t.Errorf("violations %v, want none", vs)
			case tt.want != "" && (len(vs) == 0 || !strings.Contains(vs[0].Message, tt.want)):
				t.Errorf("violations %v, want one saying %q", vs, tt.want)
			}
		})
	}
}
