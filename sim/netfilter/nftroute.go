package netfilter

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/knftables"
)

// nftHook runs a packet through the nat base chains of one nftables table
// at hook, in priority order (by name at equal priority), rule by rule,
// until a rule translates it. It returns the DNAT destination and whether
// the packet was masqueraded.
func (t *Tables) nftHook(fk *knftables.Fake, hook string, p Packet, isLocal func(netip.Addr) bool) (netip.AddrPort, bool, error) {
	var chains []*knftables.FakeChain
	for _, ch := range fk.Table.Chains {
		if ch.Hook != nil && string(*ch.Hook) == hook && ch.Type != nil && *ch.Type == knftables.NATType {
			chains = append(chains, ch)
		}
	}
	slices.SortFunc(chains, func(a, b *knftables.FakeChain) int {
		if d := nftPriority(a) - nftPriority(b); d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, ch := range chains {
		for _, r := range ch.Rules {
			dest, masq, err := nftRule(fk, t.fields(r.Rule), p, isLocal)
			if err != nil {
				return netip.AddrPort{}, false, fmt.Errorf("netfilter: nft chain %s %s rule %q: %w", fk.Table.Name, ch.Name, r.Rule, err)
			}
			if dest.IsValid() || masq {
				return dest, masq, nil
			}
		}
	}
	return netip.AddrPort{}, false, nil
}

// nftPriority is a base chain's numeric priority (knftables' named ones
// resolved for the nat hooks).
func nftPriority(ch *knftables.FakeChain) int {
	if ch.Priority == nil {
		return 0
	}
	switch *ch.Priority {
	case knftables.DNATPriority:
		return -100
	case knftables.SNATPriority:
		return 100
	}
	n, _ := strconv.Atoi(string(*ch.Priority))
	return n
}

// nftRule evaluates the rule shapes hostport managers write:
//
//	[fib daddr type local] dnat <ip|ip6> to <key> map @<map>
//	<key> @<set> masquerade
//
// where <key> concatenates, with " . ", the selectors ip saddr, ip daddr
// (ip6 for IPv6), meta l4proto and th dport. A lookup that finds no
// element does not match, as in nft. Other rules are an error.
func nftRule(fk *knftables.Fake, toks []string, p Packet, isLocal func(netip.Addr) bool) (netip.AddrPort, bool, error) {
	none := netip.AddrPort{}
	if len(toks) >= 4 && slices.Equal(toks[:4], []string{"fib", "daddr", "type", "local"}) {
		if !isLocal(p.Dst) {
			return none, false, nil
		}
		toks = toks[4:]
	}
	switch {
	case len(toks) >= 6 && toks[0] == "dnat" && toks[2] == "to" && toks[len(toks)-2] == "map":
		key, err := nftKey(toks[3:len(toks)-2], p)
		if err != nil {
			return none, false, err
		}
		name, ok := strings.CutPrefix(toks[len(toks)-1], "@")
		m := fk.Table.Maps[name]
		if !ok || m == nil {
			return none, false, fmt.Errorf("map %s is missing", toks[len(toks)-1])
		}
		for _, e := range m.Elements {
			if sameKey(e.Key, key) {
				if len(e.Value) != 2 {
					return none, false, fmt.Errorf("map %s element %v: expected address . port", name, e.Key)
				}
				a, aerr := netip.ParseAddr(e.Value[0])
				port, perr := strconv.ParseUint(e.Value[1], 10, 16)
				if aerr != nil || perr != nil {
					return none, false, fmt.Errorf("map %s element %v value %v: expected address . port", name, e.Key, e.Value)
				}
				return netip.AddrPortFrom(a, uint16(port)), false, nil
			}
		}
		return none, false, nil
	case len(toks) >= 3 && toks[len(toks)-1] == "masquerade" && strings.HasPrefix(toks[len(toks)-2], "@"):
		key, err := nftKey(toks[:len(toks)-2], p)
		if err != nil {
			return none, false, err
		}
		name := toks[len(toks)-2][1:]
		s := fk.Table.Sets[name]
		if s == nil {
			return none, false, fmt.Errorf("set %s is missing", name)
		}
		return none, slices.ContainsFunc(s.Elements, func(e *knftables.Element) bool { return sameKey(e.Key, key) }), nil
	}
	return none, false, fmt.Errorf("rule shape is not modelled")
}

// nftKey is the packet's value of each selector of a concatenation.
func nftKey(toks []string, p Packet) ([]string, error) {
	ipKw := "ip"
	if p.Family == IPv6 {
		ipKw = "ip6"
	}
	var key []string
	for i := 0; i < len(toks); i += 3 {
		if i+1 >= len(toks) || (i+2 < len(toks) && toks[i+2] != ".") {
			return nil, fmt.Errorf("selector list %q: expected selectors joined by \" . \"", strings.Join(toks, " "))
		}
		switch sel := toks[i] + " " + toks[i+1]; sel {
		case ipKw + " saddr":
			key = append(key, p.Src.String())
		case ipKw + " daddr":
			key = append(key, p.Dst.String())
		case "meta l4proto":
			key = append(key, p.Proto)
		case "th dport":
			key = append(key, strconv.Itoa(int(p.DstPort)))
		default:
			return nil, fmt.Errorf("selector %q is not modelled", sel)
		}
	}
	return key, nil
}

// fields is a rule's words, split once per rule text while the tables
// live: every packet evaluated walks the same rules.
func (t *Tables) fields(rule string) []string {
	if toks, ok := t.ruleFields[rule]; ok {
		return toks
	}
	if t.ruleFields == nil {
		t.ruleFields = map[string][]string{}
	}
	toks := strings.Fields(rule)
	t.ruleFields[rule] = toks
	return toks
}

// sameKey compares an element's key with a packet's: addresses as
// addresses, the rest as written.
func sameKey(elem, pkt []string) bool {
	if len(elem) != len(pkt) {
		return false
	}
	for i := range elem {
		if elem[i] == pkt[i] {
			continue
		}
		a, aerr := netip.ParseAddr(elem[i])
		b, berr := netip.ParseAddr(pkt[i])
		if aerr == nil && berr == nil {
			if a != b {
				return false
			}
			continue
		}
		if elem[i] != pkt[i] {
			return false
		}
	}
	return true
}
