package fidelity

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/probe"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

// TestHostportIPTablesRulesLoadInRealIPTables runs the scenario with the
// reference manager on a simulated node without nft (so the iptables
// backend is used). After every call each family's simulated nat table is
// loaded into the real iptables-restore in a private network namespace and
// read back with iptables-save: every rule must be accepted and read back
// the same, up to the canonical form iptables-save prints (canonRule).
func TestHostportIPTablesRulesLoadInRealIPTables(t *testing.T) {
	need(t, "iptables-restore", "iptables-save", "ip6tables-restore", "ip6tables-save")
	inNetns(t, func() error {
		n, err := iptablesNode()
		if err != nil {
			return err
		}
		h := netfilter.New(n)
		m, err := hostport.NewReference(h)
		if err != nil {
			return err
		}
		rules := 0 // rules the simulated tables held, summed over the steps
		for i, op := range hostportScenario {
			if op.stop {
				_ = m.Remove(op.sandbox, nil)
			} else {
				for _, ip := range op.ips {
					_ = m.Add(op.sandbox, ip, op.ports)
				}
			}
			for _, f := range netfilter.Families {
				tab := h.IPTables(f)
				want := canonTable(tab)
				got, err := loadReal(f, tab)
				if err != nil {
					return fmt.Errorf("step %d %s: the real iptables refused the simulated table: %w", i, f, err)
				}
				if got != want {
					return fmt.Errorf("step %d %s: nat tables differ\nsimulated:\n%s\nreal iptables-save:\n%s", i, f, want, got)
				}
				for _, c := range tab.Chains() {
					rules += len(tab.Rules(c))
				}
			}
		}
		if rules == 0 {
			return errors.New("the scenario made no iptables rules: the comparison checked nothing")
		}
		return nil
	})
}

// iptablesNode is the default simulated node without nft (a tool-missing
// fault), so the reference manager uses its iptables backend.
func iptablesNode() (*node.Node, error) {
	n, err := node.Default().Build()
	if err != nil {
		return nil, err
	}
	faults.ToolMissing{Tool: "nft"}.ApplyNode(n)
	return n, nil
}

// loadReal replaces the real nat table with the simulated one and returns
// what iptables-save prints, canonical.
func loadReal(f netfilter.Family, tab *netfilter.IPTables) (string, error) {
	restore, save := "iptables-restore", "iptables-save"
	if f == netfilter.IPv6 {
		restore, save = "ip6tables-restore", "ip6tables-save"
	}
	var b strings.Builder
	b.WriteString("*nat\n")
	for _, c := range tab.Chains() {
		if slices.Contains(netfilter.BuiltinNATChains, c) {
			fmt.Fprintf(&b, ":%s ACCEPT [0:0]\n", c)
		} else {
			fmt.Fprintf(&b, ":%s - [0:0]\n", c)
		}
	}
	for _, c := range tab.Chains() {
		for _, r := range tab.Rules(c) {
			fmt.Fprintf(&b, "-A %s %s\n", c, strings.Join(r, " "))
		}
	}
	b.WriteString("COMMIT\n")
	cmd := exec.Command(restore)
	cmd.Stdin = strings.NewReader(b.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s: %v: %s\npayload:\n%s", restore, err, out, b.String())
	}
	out, err := exec.Command(save, "-t", "nat").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s: %v: %s", save, err, out)
	}
	var chains []string
	var lines []string
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

func canonTable(tab *netfilter.IPTables) string {
	var lines []string
	for _, c := range tab.Chains() {
		for _, r := range tab.Rules(c) {
			lines = append(lines, c+" "+canonRule(r))
		}
	}
	return render(tab.Chains(), lines)
}

// render lists chains sorted, then the rules grouped by chain (a stable
// sort keeps each chain's order).
func render(chains, lines []string) string {
	slices.Sort(chains)
	slices.SortStableFunc(lines, func(a, b string) int {
		return strings.Compare(strings.Fields(a)[0], strings.Fields(b)[0])
	})
	return "chains " + strings.Join(chains, " ") + "\n" + strings.Join(lines, "\n") + "\n"
}

// canonRule is a rule's canonical form for comparing option sets:
// iptables-save prints the protocol first and the other options in its
// own order, and quotes comments; the canonical form drops the quotes and
// sorts the option groups ("-m comment --comment X" is one group).
// Prefix lengths and implicit match modules are compared as printed: the
// simulation stores rules as iptables does (netfilter.CanonicalRule).
func canonRule(args []string) string {
	var groups []string
	for i := 0; i < len(args); {
		g := []string{args[i]}
		i++
		for i < len(args) && (!strings.HasPrefix(args[i], "-") || isNumber(args[i])) {
			g = append(g, strings.Trim(args[i], `"`))
			i++
		}
		// A match module (-m X) takes the options that follow it.
		if g[0] == "-m" {
			for i < len(args) && strings.HasPrefix(args[i], "--") {
				g = append(g, args[i])
				i++
				for i < len(args) && !strings.HasPrefix(args[i], "-") {
					g = append(g, strings.Trim(args[i], `"`))
					i++
				}
			}
		}
		groups = append(groups, strings.Join(g, " "))
	}
	slices.Sort(groups)
	return strings.Join(groups, " ")
}

func isNumber(s string) bool {
	_, err := fmt.Sscanf(s, "%d", new(int))
	return err == nil && !strings.HasPrefix(s, "--")
}

// TestNFTOnlyNodeBehavesAsSimulated checks the nftables-only node of
// incident 1 on the real tools: with a PATH holding nft and no iptables,
// iptables is not found and knftables.New succeeds with the machine's nft
// (probed), as the simulated node with that nft and no iptables says; the
// reference manager's first transaction then runs on both.
func TestNFTOnlyNodeBehavesAsSimulated(t *testing.T) {
	need(t, "nft")
	nftPath, _ := exec.LookPath("nft")
	dir := t.TempDir()
	if err := os.Symlink(nftPath, filepath.Join(dir, "nft")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	node, err := probe.NewReader().Read()
	if err != nil {
		t.Fatal(err)
	}
	spec := node.Spec()
	if len(spec.Tools) != 1 || spec.Tools[0].Name != "nft" {
		t.Fatalf("probe of a PATH holding only nft found %v, want nft alone", spec.Tools)
	}
	n, err := spec.Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range node.MissingTools() { // as tool-missing faults would
		faults.ToolMissing{Tool: tool}.ApplyNode(n)
	}
	h := netfilter.New(n)
	_, simLook := h.Node().LookPath("iptables")
	_, realLook := exec.LookPath("iptables")
	if (simLook == nil) != (realLook == nil) {
		t.Fatalf("iptables lookup: simulated %v, real %v", simLook, realLook)
	}
	inNetns(t, func() error {
		for _, f := range netfilter.Families {
			_, simErr := h.NFTables(f, hostport.NFTTable)
			realNFT, realErr := knftables.New(netfilter.KnftFamily(f), hostport.NFTTable)
			if (simErr == nil) != (realErr == nil) {
				return fmt.Errorf("%s with nft %s: simulated NFTables says %v, real knftables.New %v", f, spec.Tools[0].Version, simErr, realErr)
			}
			if realErr != nil {
				continue
			}
			m, err := hostport.NewReference(h)
			if err != nil {
				return fmt.Errorf("simulated reference manager on the nft-only node: %w", err)
			}
			op := hostportScenario[0]
			if err := m.Add(op.sandbox, op.ips[0], op.ports); err != nil {
				return fmt.Errorf("simulated Add on the nft-only node: %w", err)
			}
			if err := realNFT.Run(context.Background(), h.NFTState(netfilter.IPv4, hostport.NFTTable).LastTransaction); err != nil {
				return fmt.Errorf("real nft refused the nft-only node's transaction: %w", err)
			}
			break
		}
		return nil
	})
}
