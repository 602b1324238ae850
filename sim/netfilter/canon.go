package netfilter

import (
	"net/netip"
	"slices"
	"strings"
)

// CanonicalRule is a rule as iptables stores it and iptables-save prints
// it, given as written: an address given to -s or -d without a prefix
// length gets its full one (/32, /128; the family's for a name), and a
// --dport or --sport after "-p tcp" (udp, sctp) without the protocol's
// match module gets the "-m tcp" iptables loads implicitly (iptables(8),
// MATCH EXTENSIONS). The rule is returned itself, not copied, when it is
// canonical already. Option order is kept: iptables-save prints -s, -d
// and -p before the matches, an order no reader depends on (FIDELITY.md).
func CanonicalRule(f Family, rule []string) []string {
	out, _ := canonical(f, rule)
	return out
}

// canonical is CanonicalRule, and whether the rule changed. It copies the
// rule only from its first change on.
func canonical(f Family, rule []string) ([]string, bool) {
	var out []string // nil until the first change
	edit := func(i int) {
		if out == nil {
			out = append(make([]string, 0, len(rule)+2), rule[:i]...)
		}
	}
	proto, matched := "", false
	for i := 0; i < len(rule); i++ {
		a := rule[i]
		switch {
		case (a == "-s" || a == "-d") && i+1 < len(rule) && !strings.Contains(rule[i+1], "/"):
			edit(i)
			out = append(out, a, withPrefix(f, rule[i+1]))
			i++
			continue
		case a == "-p" && i+1 < len(rule):
			proto = rule[i+1]
		case a == "-m" && i+1 < len(rule) && rule[i+1] == proto:
			matched = true
		case (a == "--dport" || a == "--sport") && proto != "" && !matched:
			edit(i)
			out = append(out, "-m", proto)
			matched = true
		}
		if out != nil {
			out = append(out, a)
		}
	}
	if out == nil {
		return rule, false
	}
	return out, true
}

// withPrefix is addr with its full prefix length.
func withPrefix(f Family, addr string) string {
	if a, err := netip.ParseAddr(addr); err == nil {
		if a.Is4() {
			return addr + "/32"
		}
		return addr + "/128"
	}
	if f == IPv6 {
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
