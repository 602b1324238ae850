package fidelity

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

// hostportOp is one manager call of the differential scenario.
type hostportOp struct {
	stop    bool
	sandbox string
	ips     []string
	ports   []*hostport.PortMapping
}

func pm(proto runtimeapi.Protocol, cport, hport int32, hostIP string) *hostport.PortMapping {
	return &hostport.PortMapping{Protocol: proto, ContainerPort: cport, HostPort: hport, HostIp: hostIP}
}

// hostportScenario exercises every element shape the backends make: both
// families, the three protocols, host IPs, a refused conflict, a port 0
// mapping (no rule), and stops that leave other sandboxes' rules in place.
var hostportScenario = []hostportOp{
	{sandbox: "web", ips: []string{"10.88.0.2", "fd00::2"}, ports: []*hostport.PortMapping{
		pm(runtimeapi.Protocol_TCP, 80, 8080, ""), pm(runtimeapi.Protocol_UDP, 53, 5353, "")}},
	{sandbox: "db", ips: []string{"10.88.0.3"}, ports: []*hostport.PortMapping{
		pm(runtimeapi.Protocol_TCP, 5432, 443, "127.0.0.1"), pm(runtimeapi.Protocol_SCTP, 9, 9999, ""), pm(runtimeapi.Protocol_TCP, 1, 0, "")}},
	{sandbox: "clash", ips: []string{"10.88.0.4"}, ports: []*hostport.PortMapping{pm(runtimeapi.Protocol_TCP, 80, 8080, "")}},
	{sandbox: "v6ip", ips: []string{"fd00::5"}, ports: []*hostport.PortMapping{pm(runtimeapi.Protocol_TCP, 80, 80, "fd00::1")}},
	{stop: true, sandbox: "web"},
	{sandbox: "web2", ips: []string{"10.88.0.6"}, ports: []*hostport.PortMapping{pm(runtimeapi.Protocol_TCP, 80, 8080, "")}},
	{stop: true, sandbox: "db"},
	{stop: true, sandbox: "v6ip"},
	{stop: true, sandbox: "web2"},
}

// realNFT are the real knftables interfaces, one per family.
type realNFT map[netfilter.Family]knftables.Interface

// TestHostportNFTablesMatchesRealNFT runs the scenario with the reference
// manager on a simulated node (nft 1.1.1 and iptables, so nftables is the
// backend used); every transaction the simulated nft ran is run again by
// the real nft in a private network namespace, and after every call the
// two rule sets must be the same and the transaction must have succeeded
// or failed alike.
func TestHostportNFTablesMatchesRealNFT(t *testing.T) {
	need(t, "nft")
	inNetns(t, func() error {
		n, err := node.Default().Build()
		if err != nil {
			return err
		}
		h := netfilter.New(n)
		m, err := hostport.NewReference(h)
		if err != nil {
			return err
		}
		real := realNFT{}
		for _, f := range netfilter.Families {
			if real[f], err = knftables.New(netfilter.KnftFamily(f), hostport.NFTTable); err != nil {
				return fmt.Errorf("real knftables.New(%s, %s): %w", f, hostport.NFTTable, err)
			}
		}
		last := map[netfilter.Family]*knftables.Transaction{}
		for i, op := range hostportScenario {
			var simErr error
			if op.stop {
				simErr = m.Remove(op.sandbox, nil)
			} else {
				for _, ip := range op.ips {
					simErr = errors.Join(simErr, m.Add(op.sandbox, ip, op.ports))
				}
			}
			for _, f := range netfilter.Families {
				fk := h.NFTState(f, hostport.NFTTable)
				if fk == nil || fk.LastTransaction == nil || fk.LastTransaction == last[f] {
					continue
				}
				last[f] = fk.LastTransaction
				realErr := real[f].Run(context.Background(), fk.LastTransaction)
				if (realErr == nil) != (simErr == nil) {
					return fmt.Errorf("step %d (%+v) %s: the simulated nft said %v, the real nft %v; transaction:\n%s",
						i, op, f, simErr, realErr, fk.LastTransaction)
				}
				simState, err := nftState(fk)
				if err != nil {
					return err
				}
				realState, err := nftState(real[f])
				if err != nil {
					return err
				}
				if simState != realState {
					return fmt.Errorf("step %d (%+v) %s: rule sets differ\nsimulated:\n%s\nreal:\n%s", i, op, f, simState, realState)
				}
				if err := sameRuleText(f, fk); err != nil {
					return fmt.Errorf("step %d: %w", i, err)
				}
			}
		}
		// The scenario must have exercised both families' tables.
		for _, f := range netfilter.Families {
			if last[f] == nil {
				return fmt.Errorf("the scenario never ran an nft transaction for %s: the comparison checked nothing there", f)
			}
		}
		return nil
	})
}

// nftState lists a table through the knftables interface, normalised:
// chains, sets and maps by name, each chain's rule count and comments,
// each set's and map's elements (key, value and comment), sorted.
func nftState(nft knftables.Interface) (string, error) {
	ctx := context.Background()
	var b strings.Builder
	for _, kind := range []string{"chain", "set", "map"} {
		names, err := nft.List(ctx, kind)
		if knftables.IsNotFound(err) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("list %ss: %w", kind, err)
		}
		slices.Sort(names)
		for _, name := range names {
			fmt.Fprintf(&b, "%s %s\n", kind, name)
			if kind == "chain" {
				rules, err := nft.ListRules(ctx, name)
				if err != nil {
					return "", fmt.Errorf("list rules of %s: %w", name, err)
				}
				fmt.Fprintf(&b, "  %d rules\n", len(rules))
				continue
			}
			elems, err := nft.ListElements(ctx, kind, name)
			if err != nil {
				return "", fmt.Errorf("list elements of %s %s: %w", kind, name, err)
			}
			var lines []string
			for _, e := range elems {
				line := strings.Join(e.Key, " . ")
				if len(e.Value) > 0 {
					line += " : " + strings.Join(e.Value, " . ")
				}
				if e.Comment != nil {
					line += " comment " + *e.Comment
				}
				lines = append(lines, "  "+line)
			}
			slices.Sort(lines)
			for _, l := range lines {
				b.WriteString(l + "\n")
			}
		}
	}
	return b.String(), nil
}

// sameRuleText compares each simulated chain's rules, as knftables wrote
// them, with the rules the real nft lists for that chain.
func sameRuleText(f netfilter.Family, fk *knftables.Fake) error {
	if fk.Table == nil {
		return nil
	}
	for name, ch := range fk.Table.Chains {
		out, err := exec.Command("nft", "list", "chain", string(netfilter.KnftFamily(f)), hostport.NFTTable, name).CombinedOutput()
		if err != nil {
			return fmt.Errorf("nft list chain %s: %v: %s", name, err, out)
		}
		var real []string
		for _, line := range strings.Split(string(out), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line == "}" || strings.HasPrefix(line, "table ") || strings.HasPrefix(line, "chain ") || strings.HasPrefix(line, "type ") {
				continue
			}
			real = append(real, line)
		}
		var simulated []string
		for _, r := range ch.Rules {
			simulated = append(simulated, r.Rule)
		}
		if !slices.Equal(simulated, real) {
			return fmt.Errorf("%s chain %s: simulated rules\n  %s\nreal nft lists\n  %s", f, name,
				strings.Join(simulated, "\n  "), strings.Join(real, "\n  "))
		}
	}
	return nil
}
