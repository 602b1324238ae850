package netfilter

import (
	"fmt"
	"slices"
	"strings"
)

// natHooks are the hooks of the nat table's built-in chains.
var natHooks = map[string]string{"PREROUTING": "prerouting", "INPUT": "input", "OUTPUT": "output", "POSTROUTING": "postrouting"}

// targetHooks are the hooks at which a nat target may run, as the
// kernel's targets declare them (net/netfilter/xt_nat.c, xt_MASQUERADE.c,
// xt_REDIRECT.c): a rule using one elsewhere is refused.
var targetHooks = map[string][]string{
	"DNAT":       {"prerouting", "output"},
	"REDIRECT":   {"prerouting", "output"},
	"SNAT":       {"input", "postrouting"},
	"MASQUERADE": {"postrouting"},
}

// maxJumpDepth is how deep jumps may nest below a built-in chain
// (NFT_JUMP_STACK_SIZE in the kernel's nf_tables).
const maxJumpDepth = 16

// validate checks a nat table as the kernel checks it when a restore
// commits (nf_tables validates every chain reachable from a base chain):
// each target runs at a hook it supports, no chain reachable from a
// built-in chain jumps back into its own path (a loop), and jumps nest at
// most maxJumpDepth deep. Chains no built-in chain reaches are not
// checked, as the kernel does not check them: they may hold a DNAT, or
// jump to themselves, until something jumps to them.
func validate(chains map[string][][]string) error {
	done := map[chainHook]bool{} // fully checked
	// path is one buffer for every walk: a call appends its chain for its
	// callees alone, and nothing keeps the slice.
	path := make([]string, 1, maxJumpDepth+2)
	for _, c := range BuiltinNATChains {
		path[0] = c
		if err := validateFrom(chains, natHooks[c], path, done); err != nil {
			return err
		}
	}
	return nil
}

// chainHook is a chain reached from a hook.
type chainHook struct{ chain, hook string }

// validateFrom checks the last chain of path, reached from path[0] at hook.
func validateFrom(chains map[string][][]string, hook string, path []string, done map[chainHook]bool) error {
	chain := path[len(path)-1]
	if done[chainHook{chain, hook}] {
		return nil
	}
	for _, r := range chains[chain] {
		target := jumpTarget(r)
		if hooks, ok := targetHooks[target]; ok {
			if !slices.Contains(hooks, hook) {
				return fmt.Errorf("iptables-restore: %s in chain %s is reached from %s (hook %s): %s is valid only in %s (Invalid argument)",
					target, chain, strings.Join(path, " -> "), hook, target, strings.Join(hooks, ", "))
			}
			continue
		}
		if _, ok := chains[target]; !ok || natHooks[target] != "" {
			continue // a terminal target, or a jump Apply refuses itself
		}
		if i := slices.Index(path, target); i >= 0 {
			return fmt.Errorf("iptables-restore: chain %s jumps back to %s: a loop reachable from %s (Too many levels of symbolic links)",
				chain, target, path[0])
		}
		if len(path) > maxJumpDepth {
			return fmt.Errorf("iptables-restore: jumps from %s nest more than %d deep (%s)", path[0], maxJumpDepth, strings.Join(path, " -> "))
		}
		if err := validateFrom(chains, hook, append(path, target), done); err != nil {
			return err
		}
	}
	done[chainHook{chain, hook}] = true
	return nil
}
