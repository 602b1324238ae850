package netfilter

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/knftables"
)

// nftTable is one nftables table compiled for evaluation: its nat base
// chains per hook in priority order, its rules split into their parts,
// and its maps and sets indexed by canonical key.
type nftTable struct {
	key   string // family/name
	fk    *knftables.Fake
	hooks map[string][]nftChain
	// chains counts the chains in hooks.
	chains int
	maps   map[string][]nftElement
	sets   map[string]map[nftKey]bool
}

type nftChain struct {
	name, hook string
	priority   int
	rules      []nftRule
}

// nftRule is a rule shape hostport managers write:
//
//	[fib daddr type local] dnat <ip|ip6> to <key> map @<map>
//	<key> @<set> masquerade
//
// where <key> concatenates, with " . ", the selectors ip saddr, ip daddr
// (ip6 for IPv6), meta l4proto and th dport. err holds why any other rule
// cannot be evaluated; it is returned when a packet reaches the rule.
type nftRule struct {
	text      string
	fibLocal  bool
	masq      bool   // a masquerade rule; else a dnat one
	lookup    string // the map or set name
	selectors []selector
	err       error
}

// selector is one part of a lookup key: ip/ip6 saddr or daddr, meta
// l4proto or th dport.
type selector struct {
	family Family // of an address selector: ip is IPv4, ip6 IPv6
	field  string // saddr, daddr, l4proto or dport
}

// nftKey is a canonical lookup key: addresses compare as addresses, the
// rest as written (a concatenation has at most maxKeyParts parts).
type nftKey struct {
	n     int
	parts [maxKeyParts]keyPart
}

const maxKeyParts = 4

type keyPart struct {
	addr netip.Addr
	s    string
}

// nftElement is a dnat map element: its canonical key and its target.
type nftElement struct {
	key    nftKey
	target nftTarget
}

// nftTarget is a dnat map element's value: address . port, or why not.
type nftTarget struct {
	dest netip.AddrPort
	err  error
}

// compileNFT compiles one table: its chains now, each map and set when a
// rule first looks it up. A chain whose rules have the texts of prev's
// chain of the same name (prev may be nil) reuses prev's compiled rules,
// and a table whose base chains all kept their hooks, priorities and rule
// texts reuses prev's chains whole. Maps and sets are indexed afresh.
func compileNFT(key string, fk *knftables.Fake, prev *nftTable) *nftTable {
	nt := &nftTable{key: key, fk: fk}
	if prev.sameChains(fk) {
		nt.hooks, nt.chains = prev.hooks, prev.chains // never written after compiling
		return nt
	}
	var chains []*knftables.FakeChain
	for _, ch := range fk.Table.Chains {
		if isNATBase(ch) {
			chains = append(chains, ch)
		}
	}
	nt.hooks, nt.chains = map[string][]nftChain{}, len(chains)
	slices.SortFunc(chains, func(a, b *knftables.FakeChain) int {
		return cmp.Or(nftPriority(a)-nftPriority(b), strings.Compare(a.Name, b.Name))
	})
	for _, ch := range chains {
		c, ok := prev.chain(ch.Name)
		if !ok || !sameRules(c.rules, ch.Rules) {
			c = nftChain{name: ch.Name, rules: make([]nftRule, len(ch.Rules))}
			for i, r := range ch.Rules {
				c.rules[i] = parsedNFTRule(r.Rule)
			}
		}
		c.hook, c.priority = string(*ch.Hook), nftPriority(ch)
		nt.hooks[c.hook] = append(nt.hooks[c.hook], c)
	}
	return nt
}

func isNATBase(ch *knftables.FakeChain) bool {
	return ch.Hook != nil && ch.Type != nil && *ch.Type == knftables.NATType
}

// sameChains reports whether fk's nat base chains are nt's (nil: none), at
// the same hooks and priorities with rules of the same texts.
func (nt *nftTable) sameChains(fk *knftables.Fake) bool {
	if nt == nil {
		return false
	}
	n := 0
	for _, ch := range fk.Table.Chains {
		if !isNATBase(ch) {
			continue
		}
		n++
		c, ok := nt.chain(ch.Name)
		if !ok || c.hook != string(*ch.Hook) || c.priority != nftPriority(ch) || !sameRules(c.rules, ch.Rules) {
			return false
		}
	}
	return n == nt.chains
}

// chain is the compiled base chain name of nt (nil: none).
func (nt *nftTable) chain(name string) (nftChain, bool) {
	if nt == nil {
		return nftChain{}, false
	}
	for _, cs := range nt.hooks {
		for _, c := range cs {
			if c.name == name {
				return c, true
			}
		}
	}
	return nftChain{}, false
}

// sameRules reports whether compiled holds rules of exactly the texts of rs.
func sameRules(compiled []nftRule, rs []*knftables.Rule) bool {
	if len(compiled) != len(rs) {
		return false
	}
	for i, r := range rs {
		if compiled[i].text != r.Rule {
			return false
		}
	}
	return true
}

// lookupMap is the element of map name with key, indexing the map on first
// use; ok is false when the map is missing.
func (nt *nftTable) lookupMap(name string, key nftKey) (t nftTarget, found, ok bool) {
	idx, ok := nt.maps[name]
	if !ok {
		m := nt.fk.Table.Maps[name]
		if m == nil {
			return t, false, false
		}
		idx = make([]nftElement, 0, len(m.Elements))
		for _, e := range m.Elements {
			if k, ok := elementKey(e.Key); ok {
				idx = append(idx, nftElement{k, parseTarget(name, e)})
			}
		}
		if nt.maps == nil {
			nt.maps = map[string][]nftElement{}
		}
		nt.maps[name] = idx
	}
	for i := range idx { // the first element in the list wins
		if idx[i].key == key {
			return idx[i].target, true, true
		}
	}
	return t, false, true
}

// inSet reports whether set name holds key, indexing the set on first use;
// ok is false when the set is missing.
func (nt *nftTable) inSet(name string, key nftKey) (in, ok bool) {
	idx, ok := nt.sets[name]
	if !ok {
		s := nt.fk.Table.Sets[name]
		if s == nil {
			return false, false
		}
		idx = make(map[nftKey]bool, len(s.Elements))
		for _, e := range s.Elements {
			if k, ok := elementKey(e.Key); ok {
				idx[k] = true
			}
		}
		if nt.sets == nil {
			nt.sets = map[string]map[nftKey]bool{}
		}
		nt.sets[name] = idx
	}
	return idx[key], true
}

func parseTarget(mapName string, e *knftables.Element) nftTarget {
	if len(e.Value) != 2 {
		return nftTarget{err: fmt.Errorf("map %s element %v: expected address . port", mapName, e.Key)}
	}
	a, aerr := netip.ParseAddr(e.Value[0])
	port, perr := strconv.ParseUint(e.Value[1], 10, 16)
	if aerr != nil || perr != nil {
		return nftTarget{err: fmt.Errorf("map %s element %v value %v: expected address . port", mapName, e.Key, e.Value)}
	}
	return nftTarget{dest: netip.AddrPortFrom(a, uint16(port))}
}

// elementKey is an element's key in canonical form; false when it has
// more parts than any rule's lookup can have.
func elementKey(parts []string) (nftKey, bool) {
	var k nftKey
	if len(parts) > maxKeyParts {
		return k, false
	}
	k.n = len(parts)
	for i, s := range parts {
		// Only an address has a dot or a colon: a protocol or a port is
		// not parsed (a failed parse costs an error value).
		if !strings.ContainsAny(s, ".:") {
			k.parts[i].s = s
		} else if a, err := netip.ParseAddr(s); err == nil {
			k.parts[i].addr = a
		} else {
			k.parts[i].s = s
		}
	}
	return k, true
}

func parseNFTRule(text string) nftRule {
	r := nftRule{text: text}
	toks := strings.Fields(text)
	if len(toks) >= 4 && slices.Equal(toks[:4], []string{"fib", "daddr", "type", "local"}) {
		r.fibLocal, toks = true, toks[4:]
	}
	switch {
	case len(toks) >= 6 && toks[0] == "dnat" && toks[2] == "to" && toks[len(toks)-2] == "map":
		name, ok := strings.CutPrefix(toks[len(toks)-1], "@")
		if !ok {
			r.err = fmt.Errorf("map %s is missing", toks[len(toks)-1])
			return r
		}
		r.lookup = name
		r.selectors, r.err = parseSelectors(toks[3 : len(toks)-2])
	case len(toks) >= 3 && toks[len(toks)-1] == "masquerade" && strings.HasPrefix(toks[len(toks)-2], "@"):
		r.masq, r.lookup = true, toks[len(toks)-2][1:]
		r.selectors, r.err = parseSelectors(toks[:len(toks)-2])
	default:
		r.err = fmt.Errorf("rule shape is not modelled")
	}
	return r
}

// parseSelectors reads "a b . c d . ..." into its selectors.
func parseSelectors(toks []string) ([]selector, error) {
	var sels []selector
	for i := 0; i < len(toks); i += 3 {
		if i+1 >= len(toks) || (i+2 < len(toks) && toks[i+2] != ".") {
			return nil, fmt.Errorf("selector list %q: expected selectors joined by \" . \"", strings.Join(toks, " "))
		}
		var sel selector
		switch a, b := toks[i], toks[i+1]; {
		case (a == "ip" || a == "ip6") && (b == "saddr" || b == "daddr"):
			sel = selector{family: IPv4, field: b}
			if a == "ip6" {
				sel.family = IPv6
			}
		case a == "meta" && b == "l4proto", a == "th" && b == "dport":
			sel.field = b
		default:
			return nil, fmt.Errorf("selector %q is not modelled", a+" "+b)
		}
		sels = append(sels, sel)
	}
	if len(sels) > maxKeyParts {
		return nil, fmt.Errorf("selector list %q: more than %d selectors are not modelled", strings.Join(toks, " "), maxKeyParts)
	}
	return sels, nil
}

// hook runs a packet through the table's nat base chains at hook, rule by
// rule, until a rule translates it. It returns the DNAT destination and
// whether the packet was masqueraded.
func (nt *nftTable) hook(hook string, p Packet, isLocal func(netip.Addr) bool) (netip.AddrPort, bool, error) {
	port := "" // p.DstPort in decimal, once a rule reads it
	for _, ch := range nt.hooks[hook] {
		for i := range ch.rules {
			dest, masq, err := nt.eval(&ch.rules[i], p, &port, isLocal)
			if err != nil {
				_, name, _ := strings.Cut(nt.key, "/")
				return netip.AddrPort{}, false, fmt.Errorf("netfilter: nft chain %s %s rule %q: %w", name, ch.name, ch.rules[i].text, err)
			}
			if dest.IsValid() || masq {
				return dest, masq, nil
			}
		}
	}
	return netip.AddrPort{}, false, nil
}

// eval evaluates one rule; a lookup that finds no element does not match,
// as in nft.
func (nt *nftTable) eval(r *nftRule, p Packet, port *string, isLocal func(netip.Addr) bool) (netip.AddrPort, bool, error) {
	none := netip.AddrPort{}
	if r.err != nil {
		return none, false, r.err
	}
	if r.fibLocal && !isLocal(p.Dst) {
		return none, false, nil
	}
	key, err := packetKey(r.selectors, p, port)
	if err != nil {
		return none, false, err
	}
	if r.masq {
		in, ok := nt.inSet(r.lookup, key)
		if !ok {
			return none, false, fmt.Errorf("set %s is missing", r.lookup)
		}
		return none, in, nil
	}
	t, found, ok := nt.lookupMap(r.lookup, key)
	if !ok {
		return none, false, fmt.Errorf("map @%s is missing", r.lookup)
	}
	if !found {
		return none, false, nil
	}
	return t.dest, false, t.err
}

// packetKey is the packet's key for a concatenation of selectors. An
// address selector of the other family is an error, as nft refuses it.
// port caches p.DstPort's text ("" until first needed).
func packetKey(sels []selector, p Packet, port *string) (nftKey, error) {
	k := nftKey{n: len(sels)}
	for i, sel := range sels {
		switch sel.field {
		case "saddr", "daddr":
			if sel.family != p.Family {
				kw := "ip"
				if sel.family == IPv6 {
					kw = "ip6"
				}
				return k, fmt.Errorf("selector %q is not modelled", kw+" "+sel.field)
			}
			k.parts[i].addr = p.Dst
			if sel.field == "saddr" {
				k.parts[i].addr = p.Src
			}
		case "l4proto":
			k.parts[i].s = p.Proto
		case "dport":
			if *port == "" {
				*port = strconv.Itoa(int(p.DstPort))
			}
			k.parts[i].s = *port
		}
	}
	return k, nil
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
