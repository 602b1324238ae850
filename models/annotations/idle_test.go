package annotations

import (
	"reflect"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// TestIdleEmptiesTheSpecMemo: the model's Idle, the owner of the memos of
// decoded specs, of their parts and of rendered texts, empties them and what they count as
// held; decodes afterwards give the same views.
func TestIdleEmptiesTheSpecMemo(t *testing.T) {
	texts := []string{
		`{"ociVersion":"1.2.0","annotations":{"io.kubernetes.cri.container-type":"sandbox"}}`, // in parts
		`{"ociVersion":"1.2.0","linux":{"devices":[{"path":"/dev/vfio/12"}]}}`,                // whole
	}
	held := func() (int64, int64, int64, int64) {
		return sharedSpecs.held.Load(), sharedRests.held.Load(), sharedMembers.held.Load(), sharedStepTexts.held.Load()
	}
	if err := Model.Idle(); err != nil {
		t.Fatal(err)
	}
	var before []string
	for _, text := range texts {
		spec, err := decodeShared(text)
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, viewString(spec))
	}
	Generate(sim.NewPRNG(3), "reference", GenOptions{})
	if w, r, m, s := held(); w == 0 || r == 0 || m == 0 || s == 0 || sharedSpecs.remembered() == 0 {
		t.Fatalf("decodeShared and Generate remembered too little: %d, %d, %d and %d bytes held by the whole, rest, member and step text memos", w, r, m, s)
	}
	if err := Model.Idle(); err != nil {
		t.Fatal(err)
	}
	if w, r, m, s := held(); w != 0 || r != 0 || m != 0 || s != 0 || sharedSpecs.remembered() != 0 {
		t.Fatalf("after Idle %d texts remembered, %d, %d, %d and %d bytes held by the whole, rest, member and step text memos", sharedSpecs.remembered(), w, r, m, s)
	}
	for i := range sharedRests.slots {
		if sharedRests.slots[i].Load() != nil || sharedMembers.slots[i].Load() != nil || sharedStepTexts.slots[i].Load() != nil {
			t.Fatalf("part memo slot %d holds an entry after Idle", i)
		}
	}
	var after []string
	for _, text := range texts {
		spec, err := decodeShared(text)
		if err != nil {
			t.Fatal(err)
		}
		after = append(after, viewString(spec))
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("views after Idle %v, want %v", after, before)
	}
}
