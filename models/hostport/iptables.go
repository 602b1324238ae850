package hostport

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/faultsim/faultsim/sim/netfilter"
)

// Chain names of the iptables backend, as CRI-O names them.
const (
	hostportsChain = "KUBE-HOSTPORTS"
	masqChain      = "CRIO-HOSTPORTS-MASQ"
)

// iptablesBackend installs hostport rules in one family's nat table.
type iptablesBackend struct {
	host    *netfilter.Tables
	family  netfilter.Family
	restore string
	// Mutex is held by an add and a remove, as CRI-O's iptables manager
	// holds its mu in Add and Remove.
	sync.Mutex
}

// newIPTablesBackend returns nil and an error when the family's iptables
// binary is missing, as CRI-O's constructor does.
func newIPTablesBackend(h *netfilter.Tables, f netfilter.Family) (*iptablesBackend, error) {
	bin, restore := "iptables", "iptables-restore"
	if f == netfilter.IPv6 {
		bin, restore = "ip6tables", "ip6tables-restore"
	}
	if _, err := h.Node().LookPath(bin); err != nil {
		return nil, &unavailableError{backend: "iptables", err: err}
	}
	return &iptablesBackend{host: h, family: f, restore: restore}, nil
}

func (b *iptablesBackend) name() string { return "iptables/" + string(b.family) }

// chainHash names a forward's chain as CRI-O does: prefix and the upper-case
// hex of the first 8 bytes of sha256(owner, protocol, host port, host IP).
func chainHash(prefix string, f Forward) string {
	sum := sha256.Sum256(appendChainKey(make([]byte, 0, 96), f))
	return hexTag(prefix, sum[:8], true)
}

func hostPart(ip string, f netfilter.Family) string {
	if f == netfilter.IPv6 {
		return "[" + ip + "]"
	}
	return ip
}

func jumpRule(f Forward, target string) []string {
	r := []string{"-m", "comment", "--comment", f.Owner, "-p", f.Proto, "-m", f.Proto, "--dport", strconv.Itoa(int(f.HostPort))}
	if f.HostIP != "" {
		r = append(r, "-d", f.HostIP)
	}
	return append(r, "-j", target)
}

// forwards reads back what the backend installed.
func (b *iptablesBackend) forwards() ([]Forward, error) {
	return IPTablesForwards(b.host.IPTables(b.family), b.family), nil
}

// install makes a DNAT chain and a hairpin masquerade chain per forward,
// and inserts their jumps at the head of the shared chains (newest first)
// (the caller holds the lock).
func (b *iptablesBackend) install(fs []Forward) error {
	t := b.host.IPTables(b.family)
	ops := newAddOps(len(fs))
	for _, entry := range []struct {
		chain string
		rule  []string
	}{
		{"PREROUTING", []string{"-m", "addrtype", "--dst-type", "LOCAL", "-j", hostportsChain}},
		{"OUTPUT", []string{"-m", "addrtype", "--dst-type", "LOCAL", "-j", hostportsChain}},
		{"POSTROUTING", []string{"-j", masqChain}},
	} {
		if !t.HasRule(entry.chain, entry.rule) {
			ops = append(ops, netfilter.IPTablesOp{Kind: netfilter.AppendRule, Chain: entry.chain, Rule: entry.rule})
		}
	}
	for _, f := range fs {
		hp, masq := chainHash("KUBE-HP-", f), chainHash("CRIO-MASQ-", f)
		dest := hostPart(f.PodIP, f.Family) + ":" + strconv.Itoa(int(f.PodPort))
		ops = append(ops,
			netfilter.IPTablesOp{Kind: netfilter.EnsureChain, Chain: hp},
			netfilter.IPTablesOp{Kind: netfilter.FlushChain, Chain: hp},
			netfilter.IPTablesOp{Kind: netfilter.AppendRule, Chain: hp, Rule: []string{"-m", "comment", "--comment", f.Owner,
				"-p", f.Proto, "-m", f.Proto, "-j", "DNAT", "--to-destination", dest}},
			netfilter.IPTablesOp{Kind: netfilter.EnsureChain, Chain: masq},
			netfilter.IPTablesOp{Kind: netfilter.FlushChain, Chain: masq},
			netfilter.IPTablesOp{Kind: netfilter.AppendRule, Chain: masq, Rule: []string{"-m", "comment", "--comment", f.Owner,
				"-s", f.PodIP, "-d", f.PodIP, "-p", f.Proto, "--dport", strconv.Itoa(int(f.PodPort)), "-j", "MASQUERADE"}},
		)
		if jump := jumpRule(f, hp); !t.HasRule(hostportsChain, jump) {
			ops = append(ops,
				netfilter.IPTablesOp{Kind: netfilter.InsertRule, Chain: hostportsChain, Rule: jump},
				netfilter.IPTablesOp{Kind: netfilter.InsertRule, Chain: masqChain, Rule: []string{"-m", "comment", "--comment", f.Owner, "-j", masq}})
		}
	}
	return b.apply(ops)
}

// remove deletes every chain and jump tagged with the sandbox's hash.
func (b *iptablesBackend) remove(id string) error {
	t := b.host.IPTables(b.family)
	b.Lock()
	defer b.Unlock()
	owner := SandboxHash(id)
	var ops []netfilter.IPTablesOp
	var chains []string
	for _, shared := range []string{hostportsChain, masqChain} {
		for _, r := range t.Rules(shared) {
			if ruleArg(r, "--comment") == owner {
				ops = append(ops, netfilter.IPTablesOp{Kind: netfilter.DeleteRule, Chain: shared, Rule: r})
				chains = append(chains, ruleArg(r, "-j"))
			}
		}
	}
	for _, c := range chains {
		ops = append(ops, netfilter.IPTablesOp{Kind: netfilter.FlushChain, Chain: c}, netfilter.IPTablesOp{Kind: netfilter.DeleteChain, Chain: c})
	}
	if len(ops) == 0 {
		return nil
	}
	return b.apply(ops)
}

func (b *iptablesBackend) apply(ops []netfilter.IPTablesOp) error {
	if err := b.host.Node().Exec(b.restore, "--noflush"); err != nil {
		return fmt.Errorf("%s: %w", b.name(), err)
	}
	return b.host.IPTables(b.family).Apply(ops)
}

// IPTablesForwards reads the forwards a nat table performs through the
// KUBE-HOSTPORTS chain: each jump's match, followed to its DNAT target.
func IPTablesForwards(t *netfilter.IPTables, fam netfilter.Family) []Forward {
	return appendIPTablesForwards(nil, t, fam)
}

// appendIPTablesForwards appends IPTablesForwards(t, fam) to out (nil t:
// no table, no forwards).
func appendIPTablesForwards(out []Forward, t *netfilter.IPTables, fam netfilter.Family) []Forward {
	for _, r := range t.Rules(hostportsChain) {
		port, _ := strconv.Atoi(ruleArg(r, "--dport"))
		f := Forward{Family: fam, Proto: ruleArg(r, "-p"), HostIP: hostAddr(ruleArg(r, "-d")), HostPort: int32(port), Owner: ruleArg(r, "--comment")}
		for _, target := range t.Rules(ruleArg(r, "-j")) {
			if dest := ruleArg(target, "--to-destination"); dest != "" {
				if ap, err := netip.ParseAddrPort(dest); err == nil {
					f.PodIP, f.PodPort = ap.Addr().String(), int32(ap.Port())
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// hostAddr is a rule's -d address as a forward's host IP: iptables keeps
// it with its full prefix length (127.0.0.1/32), which a host IP has not.
// A shorter prefix is a network, not a host IP, and is kept as it is.
func hostAddr(d string) string {
	if a, ok := strings.CutSuffix(d, "/32"); ok {
		return a
	}
	if a, ok := strings.CutSuffix(d, "/128"); ok {
		return a
	}
	return d
}

func ruleArg(rule []string, flag string) string {
	for i := 0; i+1 < len(rule); i++ {
		if rule[i] == flag {
			return rule[i+1]
		}
	}
	return ""
}

// appendChainKey appends what chainHash hashes: owner, protocol, host port
// and host IP, concatenated.
func appendChainKey(b []byte, f Forward) []byte {
	b = append(b, f.Owner...)
	b = append(b, f.Proto...)
	b = strconv.AppendInt(b, int64(f.HostPort), 10)
	return append(b, f.HostIP...)
}

// newAddOps starts add's payload with room for n forwards' operations: the
// shared chains ensured.
func newAddOps(n int) []netfilter.IPTablesOp {
	ops := make([]netfilter.IPTablesOp, 0, 5+8*n)
	return append(ops, netfilter.IPTablesOp{Kind: netfilter.EnsureChain, Chain: hostportsChain}, netfilter.IPTablesOp{Kind: netfilter.EnsureChain, Chain: masqChain})
}
