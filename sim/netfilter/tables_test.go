package netfilter

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestHostDumpShowsToolsAndNetfilter(t *testing.T) {
	n := node.New("fedora-42", sim.MustVersion("6.14.0"))
	n.Install("nft", sim.MustVersion("1.1.1"))
	h := New(n)
	if err := h.IPTables(IPv4).Apply([]IPTablesOp{{Kind: EnsureChain, Chain: "KUBE-HOSTPORTS"},
		{Kind: InsertRule, Chain: "PREROUTING", Rule: []string{"-j", "KUBE-HOSTPORTS"}}}); err != nil {
		t.Fatal(err)
	}
	nft, err := h.NFTables(IPv6, "crio-hostports")
	if err != nil {
		t.Fatal(err)
	}
	tx := nft.NewTransaction()
	tx.Add(&knftables.Table{})
	if err := nft.Run(t.Context(), tx); err != nil {
		t.Fatal(err)
	}
	if h.NFTState(IPv4, "crio-hostports") != nil {
		t.Fatal("NFTState created a table nothing touched")
	}
	got := h.Dump()
	for _, want := range []string{"node fedora-42 kernel 6.14.0 cgroup v2 systemd 252\n", "tool nft 1.1.1\n", ":KUBE-HOSTPORTS\n",
		"-A PREROUTING -j KUBE-HOSTPORTS\n", "add table ip6 crio-hostports"} {
		if !strings.Contains(got, want) {
			t.Errorf("Dump lacks %q:\n%s", want, got)
		}
	}
}

func TestNFTablesThroughTheNodesTool(t *testing.T) {
	n := node.New("fedora-42", sim.MustVersion("6.14"))
	h := New(n)
	if _, err := h.NFTables(IPv4, "t"); !errors.Is(err, node.ErrNotFound) {
		t.Fatalf("NFTables without nft = %v, want ErrNotFound", err)
	}
	n.Install("nft", sim.MustVersion("1.0.0"))
	if _, err := h.NFTables(IPv4, "t"); err == nil {
		t.Fatal("nft 1.0.0 accepted, want too old")
	}
	n.Install("nft", sim.MustVersion("1.1.1"))
	nft, err := h.NFTables(IPv4, "t")
	if err != nil {
		t.Fatal(err)
	}
	tool, _ := n.LookPath("nft")
	tool.FailNext = 1
	tx := nft.NewTransaction()
	if err := nft.Run(t.Context(), tx); err == nil {
		t.Fatal("injected nft failure not reported")
	}
	if err := nft.Run(t.Context(), tx); err != nil {
		t.Fatalf("second run failed: %v", err)
	}
	if n.Failures != 1 {
		t.Fatalf("Failures = %d, want 1", n.Failures)
	}
	if _, err := h.NFTables("inet", "t"); err == nil || !strings.Contains(err.Error(), `"inet"`) {
		t.Fatalf("NFTables of family inet = %v, want an error naming the family", err)
	}
}

func TestIPTablesApplyIsAtomic(t *testing.T) {
	ipt := New(node.New("x", sim.Version{})).IPTables(IPv4)
	ok := []IPTablesOp{
		{Kind: EnsureChain, Chain: "KUBE-HOSTPORTS"},
		{Kind: InsertRule, Chain: "PREROUTING", Rule: []string{"-j", "KUBE-HOSTPORTS"}},
	}
	if err := ipt.Apply(ok); err != nil {
		t.Fatal(err)
	}
	before := ipt.Save()
	bad := []IPTablesOp{
		{Kind: EnsureChain, Chain: "NEW"},
		{Kind: DeleteChain, Chain: "KUBE-HOSTPORTS"}, // still referenced
	}
	if err := ipt.Apply(bad); err == nil {
		t.Fatal("deleting a referenced chain succeeded")
	}
	if after := ipt.Save(); after != before {
		t.Fatalf("failed Apply changed the table:\n%s\nwas\n%s", after, before)
	}
}

// TestIPTablesApplyRefusesWhatTheKernelRefuses: the refusals and
// acceptances the fidelity test found in the real iptables-restore
// (iptables-nft 1.8.9 on kernel 6.18; FIDELITY.md).
func TestIPTablesApplyRefusesWhatTheKernelRefuses(t *testing.T) {
	r := strings.Fields
	ensure := func(c string) IPTablesOp { return IPTablesOp{Kind: EnsureChain, Chain: c} }
	app := func(c, rule string) IPTablesOp { return IPTablesOp{Kind: AppendRule, Chain: c, Rule: r(rule)} }
	for _, tt := range []struct {
		name string
		ops  []IPTablesOp
		ok   bool
	}{
		{"DNAT in PREROUTING", []IPTablesOp{app("PREROUTING", "-p tcp -j DNAT --to-destination 10.0.0.1:80")}, true},
		{"DNAT in POSTROUTING", []IPTablesOp{app("POSTROUTING", "-p tcp -j DNAT --to-destination 10.0.0.1:80")}, false},
		{"MASQUERADE in PREROUTING", []IPTablesOp{app("PREROUTING", "-j MASQUERADE")}, false},
		{"DNAT in an unreached chain", []IPTablesOp{ensure("A"), app("A", "-p tcp -j DNAT --to-destination 10.0.0.1:80")}, true},
		{"DNAT reached from POSTROUTING", []IPTablesOp{ensure("A"), app("A", "-p tcp -j DNAT --to-destination 10.0.0.1:80"), app("POSTROUTING", "-j A")}, false},
		{"an unreached loop", []IPTablesOp{ensure("A"), ensure("B"), app("A", "-j B"), app("B", "-j A")}, true},
		{"a reached loop", []IPTablesOp{ensure("A"), ensure("B"), app("A", "-j B"), app("B", "-j A"), app("OUTPUT", "-j A")}, false},
		{"a jump to a built-in chain", []IPTablesOp{app("PREROUTING", "-j OUTPUT")}, false},
		{"delete a built-in chain never made", []IPTablesOp{{Kind: DeleteChain, Chain: "INPUT"}}, false},
		{"delete an empty built-in chain", []IPTablesOp{{Kind: FlushChain, Chain: "INPUT"}, {Kind: DeleteChain, Chain: "INPUT"}}, true},
		{"delete a built-in chain twice", []IPTablesOp{ensure("INPUT"), {Kind: DeleteChain, Chain: "INPUT"}, {Kind: DeleteChain, Chain: "INPUT"}}, false},
		{"delete a built-in chain with rules", []IPTablesOp{app("INPUT", "-j RETURN"), {Kind: DeleteChain, Chain: "INPUT"}}, false},
	} {
		tab := newIPTables(IPv4)
		err := tab.Apply(tt.ops)
		if (err == nil) != tt.ok {
			t.Errorf("%s: Apply = %v, want ok %v", tt.name, err, tt.ok)
		}
		for _, c := range BuiltinNATChains {
			if !slices.Contains(tab.Chains(), c) {
				t.Errorf("%s: chains %v lack %s: built-in chains are listed whether made or not", tt.name, tab.Chains(), c)
			}
		}
	}
}

// TestIPTablesOfAnotherFamilyIsRefused: iptables has nat tables for IPv4
// and IPv6 only; asking for another family's is a loud error naming both,
// not a table nothing would ever read, and leaves the node's lock free.
func TestIPTablesOfAnotherFamilyIsRefused(t *testing.T) {
	n, err := node.Spec{}.Build()
	if err != nil {
		t.Fatal(err)
	}
	n.SetConcurrent()
	h := New(n)
	got := func() (msg string) {
		defer func() { msg, _ = recover().(string) }()
		h.IPTables("inet")
		return ""
	}()
	if !strings.Contains(got, `"inet"`) || !strings.Contains(got, "ipv4 or ipv6") {
		t.Fatalf("IPTables(inet) panicked with %q, want the family and the two known", got)
	}
	if h.IPTablesState("inet") != nil {
		t.Fatal("IPTablesState(inet) is not nil")
	}
	if h.IPTables(IPv4) == nil { // would deadlock if the panic had kept the lock
		t.Fatal("no IPv4 table")
	}
}

// TestIPTablesApplyCommitsOnlyValidTables: Apply validates only payloads
// that add rules, since removing never makes a valid table invalid; over
// random payloads (half of them removals alone), every table it commits
// passes the kernel's checks, and every payload it refuses left it as it was.
func TestIPTablesApplyCommitsOnlyValidTables(t *testing.T) {
	chains := []string{"A", "B", "C", "PREROUTING", "OUTPUT", "POSTROUTING"}
	rules := [][]string{{"-j", "A"}, {"-j", "B"}, {"-j", "C"}, {"-j", "RETURN"}, {"-j", "MASQUERADE"},
		{"-p", "tcp", "-j", "DNAT", "--to-destination", "10.0.0.1:80"}}
	rng := sim.NewPRNG(1)
	committed, refused := 0, 0
	for round := range 200 {
		tab := newIPTables(IPv4)
		for range 30 {
			removals := rng.Intn(2) == 0
			var ops []IPTablesOp
			for range 1 + rng.Intn(3) {
				c := chains[rng.Intn(len(chains))]
				switch k := rng.Intn(4); {
				case !removals && k < 2:
					kind := AppendRule
					if k == 1 {
						kind = InsertRule
					}
					ops = append(ops, IPTablesOp{Kind: EnsureChain, Chain: c}, IPTablesOp{Kind: kind, Chain: c, Rule: rules[rng.Intn(len(rules))]})
				case k == 0 && len(tab.Rules(c)) > 0:
					rs := tab.Rules(c)
					ops = append(ops, IPTablesOp{Kind: DeleteRule, Chain: c, Rule: rs[rng.Intn(len(rs))]})
				case k == 1:
					ops = append(ops, IPTablesOp{Kind: FlushChain, Chain: c})
				case k == 2:
					ops = append(ops, IPTablesOp{Kind: DeleteChain, Chain: c})
				default:
					ops = append(ops, IPTablesOp{Kind: EnsureChain, Chain: c})
				}
			}
			before := tab.Save()
			if err := tab.Apply(ops); err != nil {
				refused++
				if after := tab.Save(); after != before {
					t.Fatalf("round %d: refused %v changed the table:\n%s\nwas\n%s", round, ops, after, before)
				}
				continue
			}
			committed++
			if err := validate(tab.chains); err != nil {
				t.Fatalf("round %d: Apply(%v) committed a table the kernel refuses: %v\n%s", round, ops, err, tab.Save())
			}
		}
	}
	if committed < 1000 || refused < 1000 {
		t.Fatalf("%d payloads committed, %d refused: want many of each", committed, refused)
	}
}
