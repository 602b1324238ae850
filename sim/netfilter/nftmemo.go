package netfilter

import (
	"sync"
	"sync/atomic"
)

// parsedNFT holds the rules parseNFTRule has parsed, by text, for every
// node: a rule's parts depend on its text alone and are never written
// after parsing. At most maxParsedNFT texts are kept.
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
