package netfilter

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"testing"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// uncached compiles h's nat rules as if nothing had been compiled before.
func uncached(h *Tables) *Rules {
	r := &Rules{ipt: &h.iptables}
	for i, f := range Families {
		for _, key := range h.nftKeys(f) {
			r.nft[i] = append(r.nft[i], compileNFT(key, h.nft[key], nil))
		}
	}
	return r
}

// nftKeys are the keys of a family's nftables tables that hold a table,
// sorted: listed afresh, not by the memo nftFamily.
func (t *Tables) nftKeys(f Family) []string {
	var keys []string
	for k, fk := range t.nft {
		if isFamilyKey(k, f) && fk.Table != nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// memoWorld is a node whose nat rules a test changes at random, in every
// way the memos must notice.
type memoWorld struct {
	t    *testing.T
	h    *Tables
	nft  map[Family]knftables.Interface
	rng  *rand.Rand
	pods map[Family][]string
}

func newMemoWorld(t *testing.T, seed uint64) *memoWorld {
	n := node.New("x", sim.Version{})
	n.Install("nft", sim.MustVersion("1.1.1"))
	n.Install("iptables", sim.MustVersion("1.8.10"))
	w := &memoWorld{t: t, h: New(n), nft: map[Family]knftables.Interface{}, rng: rand.New(rand.NewPCG(seed, 1)),
		pods: map[Family][]string{IPv4: {"10.88.0.2", "10.88.0.3", "192.0.2.10"}, IPv6: {"fd00::2", "fd00::3", "2001:db8::10"}}}
	for _, f := range Families {
		nft, err := w.h.NFTables(f, "t")
		if err != nil {
			t.Fatal(err)
		}
		w.nft[f] = nft
		w.skeleton(f, false)
	}
	return w
}

func kw(f Family) string {
	if f == IPv6 {
		return "ip6"
	}
	return "ip"
}

// skeleton (re)writes f's table, maps, set and chains; swapped puts the
// prerouting chain's two rules the other way round.
func (w *memoWorld) skeleton(f Family, swapped bool) {
	a := "ipv4_addr"
	if f == IPv6 {
		a = "ipv6_addr"
	}
	tx := w.nft[f].NewTransaction()
	tx.Add(&knftables.Table{})
	tx.Add(&knftables.Map{Name: "hostports", Type: "inet_proto . inet_service : " + a + " . inet_service"})
	tx.Add(&knftables.Map{Name: "hostipports", Type: a + " . inet_proto . inet_service : " + a + " . inet_service"})
	tx.Add(&knftables.Set{Name: "hairpins", Type: a + " . " + a})
	rules := []string{"dnat " + kw(f) + " to " + kw(f) + " daddr . meta l4proto . th dport map @hostipports",
		"fib daddr type local dnat " + kw(f) + " to meta l4proto . th dport map @hostports"}
	if swapped {
		rules[0], rules[1] = rules[1], rules[0]
	}
	for _, c := range []struct{ name, hook, prio string }{{"pre", "prerouting", "dstnat"}, {"post", "postrouting", "srcnat"}} {
		hook, prio := knftables.BaseChainHook(c.hook), knftables.BaseChainPriority(c.prio)
		tx.Add(&knftables.Chain{Name: c.name, Type: knftables.PtrTo(knftables.NATType), Hook: &hook, Priority: &prio})
		tx.Flush(&knftables.Chain{Name: c.name})
	}
	for _, r := range rules {
		tx.Add(&knftables.Rule{Chain: "pre", Rule: r})
	}
	tx.Add(&knftables.Rule{Chain: "post", Rule: kw(f) + " saddr . " + kw(f) + " daddr @hairpins masquerade"})
	w.run(f, tx)
}

func (w *memoWorld) run(f Family, tx *knftables.Transaction) {
	w.t.Helper()
	if err := w.nft[f].Run(w.t.Context(), tx); err != nil {
		w.t.Fatal(err)
	}
}

func (w *memoWorld) pick(xs []string) string { return xs[w.rng.IntN(len(xs))] }

// change makes one random change to family f's rules; inPlace reports a
// change written into the state directly, not through a tool.
func (w *memoWorld) change(f Family) (what string, inPlace bool) {
	port := strconv.Itoa(8080 + w.rng.IntN(3))
	pod, proto := w.pick(w.pods[f]), w.pick([]string{"tcp", "udp"})
	tx := w.nft[f].NewTransaction()
	switch k := w.rng.IntN(10); k {
	case 0, 1:
		tx.Add(&knftables.Element{Map: "hostports", Key: []string{proto, port}, Value: []string{pod, "80"}})
	case 2:
		tx.Add(&knftables.Element{Map: "hostipports", Key: []string{w.pick(w.pods[f]), proto, port}, Value: []string{pod, "81"}})
	case 3:
		tx.Add(&knftables.Element{Set: "hairpins", Key: []string{pod, pod}})
	case 4: // delete an element, if there is one
		m := w.h.NFTState(f, "t").Table.Maps["hostports"]
		if len(m.Elements) == 0 {
			return "nothing", false
		}
		tx.Delete(&knftables.Element{Map: "hostports", Key: m.Elements[w.rng.IntN(len(m.Elements))].Key})
	case 5:
		swapped := w.rng.IntN(2) == 0
		w.skeleton(f, swapped)
		return fmt.Sprintf("skeleton swapped=%v", swapped), false
	case 6: // write an element's value in place: no tool sees it
		m := w.h.NFTState(f, "t").Table.Maps["hostports"]
		if len(m.Elements) == 0 {
			return "nothing", false
		}
		e := m.Elements[w.rng.IntN(len(m.Elements))]
		e.Value[0], e.Key[1] = pod, port
		return "in place " + fmt.Sprint(e.Key, e.Value), true
	case 8: // a second base chain, at another hook or priority, or none
		if w.h.NFTState(f, "t").Table.Chains["pre2"] != nil {
			tx.Delete(&knftables.Chain{Name: "pre2"})
			if w.rng.IntN(3) == 0 { // gone
				break
			}
		}
		hook := knftables.BaseChainHook(w.pick([]string{"prerouting", "output"}))
		prio := knftables.BaseChainPriority(w.pick([]string{"-150", "-50"}))
		tx.Add(&knftables.Chain{Name: "pre2", Type: knftables.PtrTo(knftables.NATType), Hook: &hook, Priority: &prio})
		tx.Add(&knftables.Rule{Chain: "pre2", Rule: "dnat " + kw(f) + " to meta l4proto . th dport map @hostports"})
	case 9: // another table of the family, made on first use
		nft, err := w.h.NFTables(f, "u")
		if err != nil {
			w.t.Fatal(err)
		}
		a := "ipv4_addr"
		if f == IPv6 {
			a = "ipv6_addr"
		}
		hook, prio := knftables.PreroutingHook, knftables.DNATPriority
		tx := nft.NewTransaction()
		tx.Add(&knftables.Table{})
		tx.Add(&knftables.Map{Name: "m", Type: "inet_proto . inet_service : " + a + " . inet_service"})
		tx.Add(&knftables.Chain{Name: "pre", Type: knftables.PtrTo(knftables.NATType), Hook: &hook, Priority: &prio})
		tx.Flush(&knftables.Chain{Name: "pre"})
		tx.Add(&knftables.Rule{Chain: "pre", Rule: "dnat " + kw(f) + " to meta l4proto . th dport map @m"})
		tx.Add(&knftables.Element{Map: "m", Key: []string{proto, port}, Value: []string{pod, "82"}})
		if err := nft.Run(w.t.Context(), tx); err != nil {
			w.t.Fatal(err)
		}
		return "table u " + tx.String(), false
	case 7:
		ipt := w.h.IPTables(f)
		rule := []string{"-p", proto, "-m", proto, "--dport", port, "-m", "addrtype", "--dst-type", "LOCAL",
			"-j", "DNAT", "--to-destination", netip.AddrPortFrom(netip.MustParseAddr(pod), 90).String()}
		op := AppendRule
		if slices.ContainsFunc(ipt.Rules("PREROUTING"), func(r []string) bool { return slices.Equal(r, CanonicalRule(f, rule)) }) {
			op = DeleteRule
		}
		if err := ipt.Apply([]IPTablesOp{{Kind: op, Chain: "PREROUTING", Rule: rule}}); err != nil {
			w.t.Fatal(err)
		}
		return fmt.Sprintf("iptables %d %v", op, rule), false
	}
	w.run(f, tx)
	return tx.String(), false
}

// verdicts are what h's rules, compiled by compile, do to every packet
// the test sends on family f.
func (w *memoWorld) verdicts(rules *Rules, f Family) []string {
	var out []string
	for _, dst := range w.pods[f] {
		for _, src := range w.pods[f][:2] {
			for _, proto := range []string{"tcp", "udp"} {
				for port := uint16(8080); port <= 8082; port++ {
					p := Packet{Family: f, Proto: proto, Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), DstPort: port}
					v, err := rules.Evaluate(p, func(a netip.Addr) bool { return a == netip.MustParseAddr(w.pods[f][2]) })
					out = append(out, fmt.Sprint(p, v, err))
				}
			}
		}
	}
	return out
}

// TestCompiledRulesAreNeverStale: after every random change (elements
// added and deleted, chains rewritten, element texts written in place, an
// iptables rule), the rules Rules returns decide every packet as rules
// compiled from nothing do; and a family's verdicts change only when its
// FamilyGeneration does, for changes made through the node's tools.
func TestCompiledRulesAreNeverStale(t *testing.T) {
	seeds, steps := 20, 60
	if testing.Short() {
		seeds = 5
	}
	for seed := range uint64(seeds) {
		w := newMemoWorld(t, seed)
		gens := map[Family]uint64{}
		last := map[Family][]string{}
		for step := range steps {
			f := Families[w.rng.IntN(2)]
			what, inPlace := w.change(f)
			if inPlace { // Rules compiles a family again after its next transaction
				w.run(f, w.nft[f].NewTransaction())
			}
			for _, g := range Families {
				got, want := w.verdicts(w.h.Rules(), g), w.verdicts(uncached(w.h), g)
				if !slices.Equal(got, want) {
					t.Fatalf("seed %d step %d (%s %s): compiled rules decide\n%v\nbut from nothing\n%v", seed, step, f, what, got, want)
				}
				if gen := w.h.FamilyGeneration(g); gen == gens[g] && !inPlace && last[g] != nil && !slices.Equal(got, last[g]) {
					t.Fatalf("seed %d step %d (%s %s): %s verdicts changed but its generation stayed %d", seed, step, f, what, g, gen)
				}
				gens[g], last[g] = w.h.FamilyGeneration(g), got
			}
		}
	}
}

// TestParsedNFTRuleIsParse: the shared parse memo gives what parsing gives,
// for rules it models and rules it does not.
func TestParsedNFTRuleIsParse(t *testing.T) {
	for _, text := range []string{
		"dnat ip to ip daddr . meta l4proto . th dport map @hostipports",
		"fib daddr type local dnat ip6 to meta l4proto . th dport map @hostports",
		"ip saddr . ip daddr @hairpins masquerade",
		"counter accept",
		"dnat ip to ip daddr . tcp dport map @m",
	} {
		for range 2 { // the second call reads the memo
			got, want := ruleString(parsedNFTRule(text)), ruleString(parseNFTRule(text))
			if got != want {
				t.Errorf("parsedNFTRule(%q) = %s, want %s", text, got, want)
			}
		}
	}
}

func ruleString(r nftRule) string {
	return fmt.Sprintf("%q fib=%v masq=%v lookup=%q selectors=%v err=%v", r.text, r.fibLocal, r.masq, r.lookup, r.selectors, r.err)
}

// TestForgetParsedRulesEmptiesTheMemo: compiling a node's rules remembers
// their texts; ForgetParsedRules forgets them, and parsing again gives the
// same rule.
func TestForgetParsedRulesEmptiesTheMemo(t *testing.T) {
	const text = "ip saddr . ip daddr @forget-test masquerade"
	before := ruleString(parsedNFTRule(text))
	if rememberedRules() == 0 {
		t.Fatal("parsedNFTRule remembered nothing")
	}
	ForgetParsedRules()
	if n := rememberedRules(); n != 0 {
		t.Fatalf("%d rule texts remembered after ForgetParsedRules", n)
	}
	if got := ruleString(parsedNFTRule(text)); got != before {
		t.Fatalf("after ForgetParsedRules %s, want %s", got, before)
	}
}
