package netfilter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultsim/faultsim/sim/node"
)

// IPTables is the nat table of one IP family's iptables state on the node:
// chains of rules, each rule an argument list as iptables-save prints it
// (CanonicalRule: rules are stored, and deleted by, their canonical form).
// Changes go through Apply, which is atomic like iptables-restore: either
// every operation applies or none does.
type IPTables struct {
	family Family
	chains map[string][][]string
	// gen counts the changes Apply made.
	gen uint64
	// node holds the lock of its concurrent mode (nil: none).
	node *node.Node
}

// BuiltinNATChains are the nat table's built-in chains.
var BuiltinNATChains = []string{"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"}

// newIPTables is a family's nat table before anything used it: as with
// iptables-nft, its built-in chains are listed (Chains) but not made in
// the kernel until an operation writes to one (Apply).
func newIPTables(f Family) *IPTables {
	return &IPTables{family: f, chains: map[string][][]string{}}
}

// OpKind is what an IPTablesOp does.
type OpKind int

// The operations iptables-restore can perform on the nat table.
const (
	EnsureChain OpKind = iota // create the chain if missing
	InsertRule                // insert the rule at the head of the chain
	AppendRule                // append the rule at the tail of the chain
	DeleteRule                // delete the first rule equal to Rule
	FlushChain                // delete every rule of the chain
	DeleteChain               // delete an empty, unreferenced chain (an empty built-in one too, as iptables-nft does)
)

// IPTablesOp is one operation of an iptables-restore payload.
type IPTablesOp struct {
	Kind  OpKind
	Chain string
	Rule  []string
}

// Apply performs the operations atomically. It fails, changing nothing, when
// an operation names a missing chain or rule, jumps to a missing or
// built-in chain, or deletes a chain that is missing, not empty or still
// referenced; or when the resulting table is one the kernel refuses
// (validate: a target at a hook it does not support, a loop). As
// iptables-nft (1.8, the nf_tables variant) does, a built-in chain is made
// by the first ensure, insert, append or flush that names it, and an
// empty one can be deleted (FIDELITY.md).
//
// The new state shares the rule lists of the chains it leaves alone with
// the old one: an operation never writes into a list, it makes a new one.
func (t *IPTables) Apply(ops []IPTablesOp) error {
	t.node.Lock()
	defer t.node.Unlock()
	next := make(map[string][][]string, len(t.chains))
	for c, rules := range t.chains {
		next[c] = rules
	}
	adds := false // an insert or append: the only ops that can make a table the kernel refuses
	for _, op := range ops {
		rules, ok := next[op.Chain]
		builtin := slices.Contains(BuiltinNATChains, op.Chain)
		// A missing built-in chain is made by the operations that write
		// to it (iptables-nft makes base chains on first use).
		if !ok && builtin && (op.Kind == InsertRule || op.Kind == AppendRule || op.Kind == FlushChain) {
			ok = true
		}
		if !ok && op.Kind != EnsureChain {
			return fmt.Errorf("iptables-restore: chain %s in table nat does not exist (No chain/target/match by that name)", op.Chain)
		}
		switch op.Kind {
		case EnsureChain:
			if !ok {
				next[op.Chain] = nil
			}
		case InsertRule, AppendRule:
			adds = true
			if target := jumpTarget(op.Rule); target != "" && !isTerminalTarget(target) {
				if slices.Contains(BuiltinNATChains, target) {
					return fmt.Errorf("iptables-restore: rule in chain %s jumps to the built-in chain %s (No such file or directory)", op.Chain, target)
				}
				if _, ok := next[target]; !ok {
					return fmt.Errorf("iptables-restore: rule jumps to chain %s, which does not exist", target)
				}
			}
			rule, changed := canonical(t.family, op.Rule)
			if !changed {
				rule = slices.Clone(rule) // the caller's slice is not the table's
			}
			if op.Kind == InsertRule {
				next[op.Chain] = append([][]string{rule}, rules...)
			} else {
				next[op.Chain] = append(rules[:len(rules):len(rules)], rule)
			}
		case DeleteRule:
			want := CanonicalRule(t.family, op.Rule)
			i := slices.IndexFunc(rules, func(r []string) bool { return slices.Equal(r, want) })
			if i < 0 {
				return fmt.Errorf("iptables-restore: rule %q not found in chain %s", strings.Join(op.Rule, " "), op.Chain)
			}
			next[op.Chain] = slices.Concat(rules[:i], rules[i+1:])
		case FlushChain:
			next[op.Chain] = nil
		case DeleteChain:
			if len(rules) > 0 {
				return fmt.Errorf("iptables-restore: chain %s is not empty (Directory not empty)", op.Chain)
			}
			for c, rs := range next {
				for _, r := range rs {
					if jumpTarget(r) == op.Chain {
						return fmt.Errorf("iptables-restore: chain %s is still referenced from %s", op.Chain, c)
					}
				}
			}
			delete(next, op.Chain)
		default:
			return fmt.Errorf("iptables-restore: unknown operation %d", op.Kind)
		}
	}
	// The table before was valid (every state Apply commits is), and
	// deleting rules, flushing, deleting unreferenced chains or making
	// empty ones only ever removes paths from it: it stays valid.
	if adds {
		if err := validate(next); err != nil {
			return err
		}
	}
	t.chains = next
	t.gen++
	return nil
}

func isTerminalTarget(t string) bool {
	switch t {
	case "DNAT", "SNAT", "MASQUERADE", "RETURN", "ACCEPT", "DROP", "MARK":
		return true
	}
	return false
}

func jumpTarget(rule []string) string {
	for i := 0; i+1 < len(rule); i++ {
		if rule[i] == "-j" {
			return rule[i+1]
		}
	}
	return ""
}

// Chains returns the chain names, sorted: the built-in ones always, as
// iptables-save lists them, whether made or not.
func (t *IPTables) Chains() []string {
	t.node.Lock()
	defer t.node.Unlock()
	return t.chainNames()
}

func (t *IPTables) chainNames() []string {
	out := make([]string, 0, len(t.chains)+len(BuiltinNATChains))
	out = append(out, BuiltinNATChains...)
	for c := range t.chains {
		if !slices.Contains(BuiltinNATChains, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// Rules returns a chain's rules in order (nil when the chain or the table
// is missing).
func (t *IPTables) Rules(chain string) [][]string {
	if t == nil {
		return nil
	}
	t.node.Lock()
	rules := t.chains[chain]
	t.node.Unlock()
	return rules
}

// Save renders the table as iptables-save would, chains sorted.
func (t *IPTables) Save() string {
	t.node.Lock()
	defer t.node.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "# %s iptables\n*nat\n", t.family)
	chains := t.chainNames()
	for _, c := range chains {
		fmt.Fprintf(&b, ":%s\n", c)
	}
	for _, c := range chains {
		for _, r := range t.chains[c] {
			fmt.Fprintf(&b, "-A %s %s\n", c, strings.Join(r, " "))
		}
	}
	b.WriteString("COMMIT\n")
	return b.String()
}
