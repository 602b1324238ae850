package hostport

import (
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// TestIdleForgetsSandboxHashes: the model's Idle, the owner of the
// sandbox hash memo, empties it; hashes made afterwards are the same.
func TestIdleForgetsSandboxHashes(t *testing.T) {
	h := SandboxHash("idle-test-sandbox")
	if rememberedHashes() == 0 {
		t.Fatal("SandboxHash remembered nothing")
	}
	if err := Model.Idle(); err != nil {
		t.Fatal(err)
	}
	if n := rememberedHashes(); n != 0 {
		t.Fatalf("%d sandbox hashes remembered after Idle", n)
	}
	if got := SandboxHash("idle-test-sandbox"); got != h {
		t.Fatalf("hash after Idle %q, want %q", got, h)
	}
}

// TestIdleEmptiesTheOracleBuffers: a run leaves its oracle's slices for
// the next; after Idle none are left.
func TestIdleEmptiesTheOracleBuffers(t *testing.T) {
	c := Generate(sim.NewPRNG(1), "reference", GenOptions{})
	if _, err := Run(c, nil, sim.NewPRNG(1), false); err != nil {
		t.Fatal(err)
	}
	if err := Model.Idle(); err != nil {
		t.Fatal(err)
	}
	if b := oracleBuffers.Load().Get(); b != nil {
		t.Fatalf("after Idle the pool still holds %T", b)
	}
}
