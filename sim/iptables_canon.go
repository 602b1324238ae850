package sim

import (
	"net/netip"
	"slices"
	"strings"
)

// CanonicalRule is a rule as iptables stores it and iptables-save prints
// it, given as written: an address given to -s or -d without a prefix
// length gets the family's full one (/32, /128), and a --dport or --sport
// after "-p tcp" (udp, sctp) without the protocol's match module gets the
// "-m tcp" iptables loads implicitly (iptables(8), MATCH EXTENSIONS).
// The rule is returned unchanged, not copied, when it is canonical
// already. Option order is kept: iptables-save prints -s, -d and -p before
// the matches, an order the rules faultsim's models write keep already
// or that no reader depends on (FIDELITY.md).
func CanonicalRule(f Family, rule []string) []string {
	if isCanonical(rule) {
		return rule
	}
	out := make([]string, 0, len(rule)+2)
	proto, matched := "", false
	for i := 0; i < len(rule); i++ {
		a := rule[i]
		switch {
		case (a == "-s" || a == "-d") && i+1 < len(rule):
			out = append(out, a, withPrefix(f, rule[i+1]))
			i++
			continue
		case a == "-p" && i+1 < len(rule):
			proto = rule[i+1]
		case a == "-m" && i+1 < len(rule) && rule[i+1] == proto:
			matched = true
		case (a == "--dport" || a == "--sport") && proto != "" && !matched:
			out = append(out, "-m", proto)
			matched = true
		}
		out = append(out, a)
	}
	return out
}

// isCanonical reports whether CanonicalRule would leave rule as it is.
func isCanonical(rule []string) bool {
	proto, matched := "", false
	for i, a := range rule {
		switch {
		case (a == "-s" || a == "-d") && i+1 < len(rule):
			if !strings.Contains(rule[i+1], "/") {
				return false
			}
		case a == "-p" && i+1 < len(rule):
			proto = rule[i+1]
		case a == "-m" && i+1 < len(rule) && rule[i+1] == proto:
			matched = true
		case (a == "--dport" || a == "--sport") && proto != "" && !matched:
			return false
		}
	}
	return true
}

// withPrefix adds the full prefix length to an address that has none.
func withPrefix(f Family, addr string) string {
	if strings.Contains(addr, "/") {
		return addr
	}
	if a, err := netip.ParseAddr(addr); err == nil && a.Is6() && !a.Is4In6() {
		return addr + "/128"
	}
	if f == IPv6 && !strings.Contains(addr, ".") {
		return addr + "/128"
	}
	return addr + "/32"
}

// HasRule reports whether chain holds rule, compared in canonical form as
// "iptables -C" compares it.
func (t *IPTables) HasRule(chain string, rule []string) bool {
	want := CanonicalRule(t.family, rule)
	return slices.ContainsFunc(t.Rules(chain), func(r []string) bool { return slices.Equal(r, want) })
}
