package hostport

import (
	"sync"

	"github.com/faultsim/faultsim/sim/netfilter"
)

// idle is the model's Idle: it forgets the sandbox hashes SandboxHash
// remembered, the nft rules the node's netfilter parsed and the slices
// released oracles left, so that a finished campaign holds none of them.
// Runs afterwards remember them again.
func idle() error {
	sandboxHashes.Forget()
	netfilter.ForgetParsedRules()
	oracleBuffers.Store(new(sync.Pool))
	return nil
}

// rememberedHashes counts the sandbox hashes remembered.
func rememberedHashes() int { return sandboxHashes.Len() }
