package netfilter

import "github.com/faultsim/faultsim/internal/memo"

// parsedNFT holds the rules parseNFTRule has parsed, by text, for every
// node: a rule's parts depend on its text alone and are never written
// after parsing. At most 4096 texts are kept; ForgetParsedRules (its
// owner: the hostport model's Idle) empties it.
var parsedNFT = memo.Capped[string, nftRule]{Max: 4096}

// parsedNFTRule is parseNFTRule(text), parsed once per text.
func parsedNFTRule(text string) nftRule { return parsedNFT.Get(text, parseNFTRule) }

// ForgetParsedRules empties the memo of parsed nft rules, so that a process
// done with nodes (a campaign at its end) keeps none of them. Nodes used
// afterwards fill it again.
func ForgetParsedRules() { parsedNFT.Forget() }

// rememberedRules counts the rule texts the memo holds.
func rememberedRules() int { return parsedNFT.Len() }
