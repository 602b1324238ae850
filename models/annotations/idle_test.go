package annotations

import "testing"

// TestIdleEmptiesTheSpecMemo: the model's Idle, the owner of the decoded
// spec memo, empties it and what it counts as held; decodes afterwards
// give the same view.
func TestIdleEmptiesTheSpecMemo(t *testing.T) {
	const text = `{"ociVersion":"1.2.0","annotations":{"io.kubernetes.cri.container-type":"sandbox"}}`
	before, err := decodeShared(text)
	if err != nil {
		t.Fatal(err)
	}
	if sharedSpecs.remembered() == 0 || sharedSpecs.held.Load() == 0 {
		t.Fatal("decodeShared remembered nothing")
	}
	if err := Model.Idle(); err != nil {
		t.Fatal(err)
	}
	if n, held := sharedSpecs.remembered(), sharedSpecs.held.Load(); n != 0 || held != 0 {
		t.Fatalf("%d specs (%d bytes) remembered after Idle", n, held)
	}
	after, err := decodeShared(text)
	if err != nil {
		t.Fatal(err)
	}
	if before.Annotations["io.kubernetes.cri.container-type"] != after.Annotations["io.kubernetes.cri.container-type"] {
		t.Fatalf("view after Idle %+v, want %+v", after, before)
	}
}
