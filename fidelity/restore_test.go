package fidelity

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

// restoreSeeds and restoreChecks fix the restore property's search, so CI
// runs the same operation lists every time.
const (
	restoreSeeds  = 3
	restoreChecks = 40
)

// restoreChains are the chains the drawn operations name: the nat table's
// built-in ones and three user chains, missing until an operation makes
// them.
var restoreChains = append(slices.Clone(netfilter.BuiltinNATChains), "A", "B", "C")

// restoreRules are the rules drawn operations carry, per family: the
// shapes hostport managers write (comments, addrtype, protocol and port
// matches, addresses, DNAT and MASQUERADE) and jumps to every chain (a
// built-in one included).
var restoreRules = map[netfilter.Family][]string{
	netfilter.IPv4: {
		"-j RETURN", "-s 10.88.0.2 -j RETURN", "-p tcp --dport 80 -j ACCEPT",
		"-m comment --comment x -j A", "-j B", "-m addrtype --dst-type LOCAL -j C", "-j OUTPUT",
		"-p tcp -m tcp -j DNAT --to-destination 10.88.0.2:80", "-s 10.88.0.2 -d 10.88.0.2 -p udp --dport 53 -j MASQUERADE",
	},
	netfilter.IPv6: {
		"-j RETURN", "-s fd00::2 -j RETURN", "-p tcp --dport 80 -j ACCEPT",
		"-m comment --comment x -j A", "-j B", "-m addrtype --dst-type LOCAL -j C", "-j OUTPUT",
		"-p tcp -m tcp -j DNAT --to-destination [fd00::2]:80", "-s fd00::2 -d fd00::2 -p udp --dport 53 -j MASQUERADE",
	},
}

// TestIPTablesRestoreOperationsMatchTheRealTool draws lists of operations
// (ensure, insert, append, delete, flush, delete chain; on any chain, with
// any rule, so many are invalid) and applies them, batch after batch, to
// the simulated nat table with IPTables.Apply and to the real one with
// iptables-restore --noflush (ip6tables-restore for IPv6) in a private
// network namespace. Each batch must succeed in both or fail in both; the
// tables must then be the same (compared as iptables-save prints them),
// and a failed batch must have left each table as it was.
//
// EnsureChain is written as a chain declaration (":A - [0:0]", a built-in
// chain's ":PREROUTING ACCEPT [0:0]") when the chain is missing, and a
// user chain's is left out when it exists: with --noflush, declaring
// an existing user chain flushes it, which EnsureChain does not do
// (FIDELITY.md; hostport managers ensure their shared chains with
// "iptables -N" outside the restore). Whether a chain exists is read from
// the real table before the batch and followed through the batch's own
// ensures and deletes.
func TestIPTablesRestoreOperationsMatchTheRealTool(t *testing.T) {
	need(t, "iptables-restore", "iptables-save", "ip6tables-restore", "ip6tables-save")
	ns, err := newNSThread()
	if err != nil {
		t.Fatal(err)
	}
	defer ns.close()
	stats := map[string]int{}
	for seed := uint64(1); seed <= restoreSeeds; seed++ {
		rapidtb.WithSeed(seed, func() {
			rapidtb.WithChecks(restoreChecks, func() {
				rapid.Check(t, func(rt *rapid.T) {
					if err := restoreProperty(rt, ns, stats); err != nil {
						rt.Fatal(err)
					}
				})
			})
		})
	}
	t.Logf("batches: %v", stats)
	if stats["accepted"] == 0 || stats["refused"] == 0 {
		t.Fatalf("the drawn batches were not both accepted and refused (%v): the comparison is one-sided", stats)
	}
}

// restoreProperty draws a family and up to four batches and compares each.
func restoreProperty(rt *rapid.T, ns *nsThread, stats map[string]int) error {
	f := netfilter.Families[rapid.IntRange(0, 1).Draw(rt, "family")]
	n, err := node.Default().Build()
	if err != nil {
		return err
	}
	tab := netfilter.New(n).IPTables(f)
	if err := resetReal(ns, f); err != nil {
		return err
	}
	batches := rapid.IntRange(1, 4).Draw(rt, "batches")
	for b := 0; b < batches; b++ {
		ops := drawOps(rt, f)
		if b == 0 && rapid.Bool().Draw(rt, "ensure user chains first") {
			// Fewer batches fail for a missing chain.
			ops = append([]netfilter.IPTablesOp{{Kind: netfilter.EnsureChain, Chain: "A"},
				{Kind: netfilter.EnsureChain, Chain: "B"}, {Kind: netfilter.EnsureChain, Chain: "C"}}, ops...)
		}
		before := canonTable(tab)
		realBefore, err := saveReal(ns, f)
		if err != nil {
			return err
		}
		payload := restorePayload(ops, realChains(realBefore))
		simErr := tab.Apply(ops)
		realErr := restoreReal(ns, f, payload)
		realAfter, err := saveReal(ns, f)
		if err != nil {
			return err
		}
		after := canonTable(tab)
		switch {
		case (simErr == nil) != (realErr == nil):
			rt.Fatalf("batch %d (%s): the simulation says %v, the real tool %v\npayload:\n%s\ntable before:\n%s", b, f, simErr, realErr, payload, before)
		case simErr != nil && (after != before || realAfter != realBefore):
			rt.Fatalf("batch %d (%s): a refused batch changed a table\npayload:\n%s\nsimulated before/after:\n%s%s\nreal before/after:\n%s%s", b, f, payload, before, after, realBefore, realAfter)
		case after != realAfter:
			rt.Fatalf("batch %d (%s): tables differ\npayload:\n%s\nsimulated:\n%s\nreal:\n%s", b, f, payload, after, realAfter)
		}
		if simErr != nil {
			stats["refused"]++
		} else {
			stats["accepted"]++
		}
	}
	return nil
}

// drawOps draws one batch of one to five operations.
func drawOps(rt *rapid.T, f netfilter.Family) []netfilter.IPTablesOp {
	ops := make([]netfilter.IPTablesOp, rapid.IntRange(1, 5).Draw(rt, "ops"))
	for i := range ops {
		ops[i] = netfilter.IPTablesOp{
			Kind:  netfilter.OpKind(rapid.IntRange(0, int(netfilter.DeleteChain)).Draw(rt, "kind")),
			Chain: rapid.SampledFrom(restoreChains).Draw(rt, "chain"),
		}
		switch ops[i].Kind {
		case netfilter.InsertRule, netfilter.AppendRule, netfilter.DeleteRule:
			ops[i].Rule = strings.Fields(rapid.SampledFrom(restoreRules[f]).Draw(rt, "rule"))
		}
	}
	return ops
}

// restorePayload writes ops as an iptables-restore payload for the nat
// table; exists are the chains the table has before it.
func restorePayload(ops []netfilter.IPTablesOp, exists map[string]bool) string {
	var b strings.Builder
	b.WriteString("*nat\n")
	for _, op := range ops {
		switch op.Kind {
		case netfilter.EnsureChain:
			if slices.Contains(netfilter.BuiltinNATChains, op.Chain) {
				// Declaring a built-in chain makes it when missing and
				// keeps its rules (only its policy is set).
				fmt.Fprintf(&b, ":%s ACCEPT [0:0]\n", op.Chain)
			} else if !exists[op.Chain] {
				fmt.Fprintf(&b, ":%s - [0:0]\n", op.Chain)
				exists[op.Chain] = true
			}
		case netfilter.InsertRule:
			fmt.Fprintf(&b, "-I %s %s\n", op.Chain, strings.Join(op.Rule, " "))
		case netfilter.AppendRule:
			fmt.Fprintf(&b, "-A %s %s\n", op.Chain, strings.Join(op.Rule, " "))
		case netfilter.DeleteRule:
			fmt.Fprintf(&b, "-D %s %s\n", op.Chain, strings.Join(op.Rule, " "))
		case netfilter.FlushChain:
			fmt.Fprintf(&b, "-F %s\n", op.Chain)
		case netfilter.DeleteChain:
			fmt.Fprintf(&b, "-X %s\n", op.Chain)
			delete(exists, op.Chain)
		}
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

func restoreTools(f netfilter.Family) (restore, save string) {
	if f == netfilter.IPv6 {
		return "ip6tables-restore", "ip6tables-save"
	}
	return "iptables-restore", "iptables-save"
}

// resetReal empties the real nat table: built-in chains only, no rules.
func resetReal(ns *nsThread, f netfilter.Family) error {
	restore, _ := restoreTools(f)
	return ns.do(func() error {
		cmd := exec.Command(restore)
		cmd.Stdin = strings.NewReader("*nat\nCOMMIT\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s (reset): %v: %s", restore, err, out)
		}
		return nil
	})
}

// restoreReal runs the payload through the real restore --noflush.
func restoreReal(ns *nsThread, f netfilter.Family, payload string) error {
	restore, _ := restoreTools(f)
	return ns.do(func() error {
		cmd := exec.Command(restore, "--noflush")
		cmd.Stdin = strings.NewReader(payload)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s --noflush: %v: %s", restore, err, strings.TrimSpace(string(out)))
		}
		return nil
	})
}

// saveReal reads the real nat table, in canonTable's form.
func saveReal(ns *nsThread, f netfilter.Family) (string, error) {
	_, save := restoreTools(f)
	var out []byte
	err := ns.do(func() (err error) {
		out, err = exec.Command(save, "-t", "nat").CombinedOutput()
		return err
	})
	if err != nil {
		return "", fmt.Errorf("%s: %v: %s", save, err, out)
	}
	var chains, lines []string
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, ":"):
			chains = append(chains, strings.Fields(line[1:])[0])
		case strings.HasPrefix(line, "-A "):
			fields := strings.Fields(line)
			lines = append(lines, fields[1]+" "+canonRule(fields[2:]))
		}
	}
	return render(chains, lines), nil
}

// realChains lists the chains of a saveReal table.
func realChains(saved string) map[string]bool {
	out := map[string]bool{}
	first, _, _ := strings.Cut(saved, "\n")
	for _, c := range strings.Fields(strings.TrimPrefix(first, "chains ")) {
		out[c] = true
	}
	return out
}
