package netfilter

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/knftables"
)

// Packet is the first packet of a connection as the node's nat hooks see
// it: arriving from an interface (the PREROUTING hook) or generated on the
// node itself (Local: the OUTPUT hook).
type Packet struct {
	Family  Family
	Proto   string // tcp, udp or sctp
	Src     netip.Addr
	Dst     netip.Addr
	DstPort uint16
	Local   bool
}

// Verdict is what the node's nat rules do to a packet: where DNAT sends it
// (the zero AddrPort: nowhere, the packet keeps its destination) and
// whether POSTROUTING masquerades it (its source becomes the node's).
type Verdict struct {
	DNAT       netip.AddrPort
	Masquerade bool
}

// Evaluate decides what the node's nat rules (both families' iptables nat
// tables and every nftables table) do to p. isLocal reports whether an
// address is one of the node's own, as the kernel's addrtype match and
// "fib daddr type local" see it. It understands the matches and targets
// hostport managers write (-p, -m <proto>, --dport, --sport, -s, -d,
// -m addrtype --dst-type LOCAL, -m comment; jumps, RETURN, ACCEPT, DNAT,
// MASQUERADE; nft dnat and masquerade through maps and sets keyed by ip
// saddr, ip daddr, meta l4proto and th dport) and returns an error naming
// any other rule, rather than guess. Two backends translating one packet to
// different destinations are an error too: the order of two nat chains at
// one priority is not modelled.
func (t *Tables) Evaluate(p Packet, isLocal func(netip.Addr) bool) (Verdict, error) {
	return t.Rules().Evaluate(p, isLocal)
}

// Rules is the node's nat rules compiled for evaluating many packets: what
// Evaluate reads. It holds while the node's Generation stays the same;
// take it again after a change.
type Rules struct {
	ipt *iptState      // the Tables' own: a family made later is seen
	nft [2][]*nftTable // per family (FamilyIndex), by table key
}

// FamilyIndex is f's index in Families, or -1.
func FamilyIndex(f Family) int {
	switch f {
	case IPv4:
		return 0
	case IPv6:
		return 1
	}
	return -1
}

// tables are the compiled nftables tables of family f.
func (r *Rules) tables(f Family) []*nftTable {
	if i := FamilyIndex(f); i >= 0 {
		return r.nft[i]
	}
	return nil
}

// Rules compiles the node's nat rules. A family's nftables part is reused
// until the node's nft runs another transaction on one of its tables;
// then a table's chains whose rules kept their texts are reused.
func (t *Tables) Rules() *Rules {
	t.node.Lock()
	defer t.node.Unlock()
	next := t.rules
	for i := range Families {
		if t.rules != nil && t.compiledAt[i] == t.nftFamilyRuns[i] {
			continue
		}
		if next == t.rules { // a Rules taken before keeps what it had
			next = &Rules{ipt: &t.iptables}
			if t.rules != nil {
				next.nft = t.rules.nft
			}
		}
		var tables []*nftTable
		for _, e := range t.nftFamily(i) {
			if e.fk.Table == nil {
				continue
			}
			var old *nftTable
			for _, nt := range next.nft[i] {
				if nt.key == e.key {
					old = nt
				}
			}
			tables = append(tables, compileNFT(e.key, e.fk, old))
		}
		next.nft[i] = tables
		t.compiledAt[i] = t.nftFamilyRuns[i]
	}
	t.rules = next
	return next
}

// Evaluate is Tables.Evaluate on the compiled rules.
func (r *Rules) Evaluate(p Packet, isLocal func(netip.Addr) bool) (Verdict, error) {
	v, err := r.Destination(p, isLocal)
	if err != nil {
		return v, err
	}
	// POSTROUTING sees the translated destination.
	post := p
	if v.DNAT.IsValid() {
		post.Dst, post.DstPort = v.DNAT.Addr(), v.DNAT.Port()
	}
	if ipt := r.ipt.get(p.Family); ipt != nil {
		_, masq, err := ipt.walk("POSTROUTING", post, isLocal)
		if err != nil {
			return v, err
		}
		v.Masquerade = masq
	}
	for _, nt := range r.tables(p.Family) {
		_, masq, err := nt.hook("postrouting", post, isLocal)
		if err != nil {
			return v, err
		}
		v.Masquerade = v.Masquerade || masq
	}
	return v, nil
}

// Destination is Evaluate's DNAT decision alone (Masquerade is left
// false): the PREROUTING or OUTPUT hook, without POSTROUTING.
func (r *Rules) Destination(p Packet, isLocal func(netip.Addr) bool) (Verdict, error) {
	var v Verdict
	first, hook := "OUTPUT", "output"
	if !p.Local {
		first, hook = "PREROUTING", "prerouting"
	}
	var from *nftTable // the nftables table that sent it (nil: iptables)
	if ipt := r.ipt.get(p.Family); ipt != nil {
		d, _, err := ipt.walk(first, p, isLocal)
		if err != nil {
			return v, err
		}
		v.DNAT = d // the zero AddrPort when iptables sends it nowhere
	}
	for _, nt := range r.tables(p.Family) {
		d, _, err := nt.hook(hook, p, isLocal)
		if err != nil {
			return v, err
		}
		switch {
		case !d.IsValid():
		case !v.DNAT.IsValid():
			v.DNAT, from = d, nt
		case v.DNAT != d:
			by := "iptables"
			if from != nil {
				by = "nftables table " + from.key
			}
			return v, fmt.Errorf("netfilter: %s sends %s to %s and %s to %s: the order of two nat chains is not modelled", by, p.Dst, v.DNAT, nt.key, d)
		}
	}
	return v, nil
}

// walk runs a packet through a built-in chain of the nat table, following
// jumps, until a terminal target or the end of the built-in chain (its
// policy, ACCEPT). It returns the DNAT destination and whether the packet
// was masqueraded.
func (t *IPTables) walk(chain string, p Packet, isLocal func(netip.Addr) bool) (netip.AddrPort, bool, error) {
	type frame struct {
		chain string
		next  int
	}
	var buf [8]frame
	stack := append(buf[:0], frame{chain, 0})
	for steps := 0; len(stack) > 0; steps++ {
		if steps > 10000 {
			return netip.AddrPort{}, false, fmt.Errorf("netfilter: %s nat chain %s loops", t.family, chain)
		}
		top := &stack[len(stack)-1]
		rules := t.chains[top.chain]
		if top.next >= len(rules) {
			stack = stack[:len(stack)-1] // falls off: back to the caller
			continue
		}
		rule := rules[top.next]
		top.next++
		target, dest, ok, err := matchRule(t.family, rule, p, isLocal)
		if err != nil {
			return netip.AddrPort{}, false, fmt.Errorf("netfilter: %s nat chain %s rule %q: %w", t.family, top.chain, strings.Join(rule, " "), err)
		}
		if !ok {
			continue
		}
		switch target {
		case "":
		case "ACCEPT":
			return netip.AddrPort{}, false, nil
		case "RETURN":
			stack = stack[:len(stack)-1]
		case "DNAT":
			return dest, false, nil
		case "MASQUERADE":
			return netip.AddrPort{}, true, nil
		default:
			if _, ok := t.chains[target]; !ok {
				return netip.AddrPort{}, false, fmt.Errorf("netfilter: %s nat chain %s jumps to %s, which is missing", t.family, top.chain, target)
			}
			stack = append(stack, frame{target, 0})
		}
	}
	return netip.AddrPort{}, false, nil
}

// matchRule reports whether rule matches p, and its target (a chain name,
// a terminal target or "") with a DNAT rule's destination.
func matchRule(f Family, rule []string, p Packet, isLocal func(netip.Addr) bool) (target string, dest netip.AddrPort, ok bool, err error) {
	ok = true
	arg := func(i int) (string, error) {
		if i+1 >= len(rule) {
			return "", fmt.Errorf("%s lacks its value", rule[i])
		}
		return rule[i+1], nil
	}
	for i := 0; i < len(rule); i++ {
		v, err := arg(i)
		if err != nil {
			return "", dest, false, err
		}
		switch rule[i] {
		case "-p":
			ok = ok && v == p.Proto
		case "-m":
			switch v {
			case "tcp", "udp", "sctp", "comment", "addrtype":
			default:
				return "", dest, false, fmt.Errorf("match module %s is not modelled", v)
			}
		case "--comment":
		case "--dport", "--sport":
			if rule[i] == "--sport" {
				return "", dest, false, fmt.Errorf("--sport is not modelled")
			}
			n, err := strconv.ParseUint(v, 10, 16)
			if err != nil {
				return "", dest, false, fmt.Errorf("--dport %q: expected a port number", v)
			}
			ok = ok && uint16(n) == p.DstPort
		case "-s", "-d":
			pfx, err := parsePrefix(f, v)
			if err != nil {
				return "", dest, false, err
			}
			a := p.Dst
			if rule[i] == "-s" {
				a = p.Src
			}
			ok = ok && pfx.Contains(a)
		case "--dst-type":
			if v != "LOCAL" {
				return "", dest, false, fmt.Errorf("--dst-type %s is not modelled", v)
			}
			ok = ok && isLocal(p.Dst)
		case "-j":
			target = v
		case "--to-destination":
			if dest, err = netip.ParseAddrPort(v); err != nil {
				return "", dest, false, fmt.Errorf("--to-destination %q: expected address:port", v)
			}
		default:
			return "", dest, false, fmt.Errorf("option %s is not modelled", rule[i])
		}
		i++
	}
	if target == "DNAT" && !dest.IsValid() {
		return "", dest, false, fmt.Errorf("DNAT without --to-destination address:port")
	}
	return target, dest, ok, nil
}

func parsePrefix(f Family, s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		s = withPrefix(f, s)
	}
	pfx, err := netip.ParsePrefix(s)
	if err != nil {
		return pfx, fmt.Errorf("address %q: expected an address or prefix", s)
	}
	return pfx, nil
}

// nftEntry is one of the node's nftables tables.
type nftEntry struct {
	key string
	fk  *knftables.Fake
}

// nftFamily lists the nftables tables of family Families[i] ever made or
// asked for (whether they hold a table now or not), sorted by key. Tables
// are only ever added, so the lists hold while their number does.
func (t *Tables) nftFamily(i int) []nftEntry {
	if t.nftListed != len(t.nft) {
		t.nftLists = [2][]nftEntry{}
		for k, fk := range t.nft {
			for j, f := range Families {
				if isFamilyKey(k, f) {
					t.nftLists[j] = append(t.nftLists[j], nftEntry{k, fk})
				}
			}
		}
		for j := range t.nftLists {
			slices.SortFunc(t.nftLists[j], func(a, b nftEntry) int { return strings.Compare(a.key, b.key) })
		}
		t.nftListed = len(t.nft)
	}
	return t.nftLists[i]
}

// isFamilyKey reports whether table key k is of family f (f/name).
func isFamilyKey(k string, f Family) bool {
	return len(k) > len(f) && k[len(f)] == '/' && k[:len(f)] == string(f)
}
