package hostport

import "testing"

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
