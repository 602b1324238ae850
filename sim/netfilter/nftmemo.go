package netfilter

import (
	"sync"
	"sync/atomic"
)

// parsedNFT holds the rules parseNFTRule has parsed, by text, for every
// node: a rule's parts depend on its text alone and are never written
// after parsing. At most maxParsedNFT texts are kept; ForgetParsedRules
// (its owner: the hostport model's Idle) empties it.
var (
	parsedNFT      sync.Map // string -> nftRule
	parsedNFTCount atomic.Int64
)

const maxParsedNFT = 4096

// parsedNFTRule is parseNFTRule(text), parsed once per text.
func parsedNFTRule(text string) nftRule {
	if r, ok := parsedNFT.Load(text); ok {
		return r.(nftRule)
	}
	r := parseNFTRule(text)
	if parsedNFTCount.Load() < maxParsedNFT {
		if _, loaded := parsedNFT.LoadOrStore(text, r); !loaded {
			parsedNFTCount.Add(1)
		}
	}
	return r
}

// ForgetParsedRules empties the memo of parsed nft rules, so that a process
// done with nodes (a campaign at its end) keeps none of them. Nodes used
// afterwards fill it again.
func ForgetParsedRules() {
	parsedNFT.Clear()
	parsedNFTCount.Store(0)
}

// rememberedRules counts the rule texts the memo holds.
func rememberedRules() int {
	n := 0
	parsedNFT.Range(func(any, any) bool { n++; return true })
	return n
}
