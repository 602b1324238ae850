package annotations

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// defeatingTexts are texts made to defeat the split of splitDecode: other
// members that fold to the annotations field before or after it, the
// member repeated, null, empty and wrong values, the key escaped or
// nested, texts that do not decode.
var defeatingTexts = []string{
	`{"annotations":{"a":"b"},"Annotations":{"c":"d"}}`,
	`{"Annotations":{"c":"d"},"annotations":{"a":"b"}}`,
	`{"ANNOTATIONS":{},"annotations":{"a":"b"}}`,
	`{"annotations":{"a":"b"},"annotations":null}`,
	`{"annotations":null,"annotations":{"a":"b"}}`,
	`{"annotations":{"a":"b"},"annotations":{"c":"d"}}`,
	`{"annotations":{"a":"b"},"annotations":{}}`,
	`{"annotations":{"a":"b"},"annotationſ":{"c":"d"}}`,
	`{"annotationſ":{"c":"d"},"annotations":{"a":"b"}}`,
	`{"annotations":null}`,
	`{"annotations":{}}`,
	`{"annotations":5}`,
	`{"annotations":"x"}`,
	`{"annotations":[]}`,
	`{"annotations":{"a":1}}`,
	`{"annotations":{"a":{"b":"c"}}}`,
	`{"annotations":{"a":"b"}`,
	`{"annotations":{"a":"b"},}`,
	`{"annotations":{"a":"b"}} x`,
	`{"annotations":{"a":"b"}}}`,
	`[{"annotations":{"a":"b"}}]`,
	`{"annotations" {"a":"b"}}`,
	`{"annotations":{"a":"b"} "process":{}}`,
	`{"process":{"annotations":{"a":"b"}},"annotations":{"c":"d"}}`,
	`{"process":5,"annotations":{"a":"b"}}`,
	`{"annotations":{"a":"b"},"linux":{"devices":[{"path":"/dev/vfio/12"}]}}`,
	`{"annotations":{"a":"b"},"linux":{"devices":[{"path":12}]}}`,
	`{"annot\u0061tions":{"a":"b"}}`,
	`{"hostname":"\"annotations\":{}","annotations":{"a":"b"}}`,
	`{"hostname":"x\\","annotations":{"a":"b"}}`,
	`{"annotations":{"a":"\ud800","\u00e9":"<&>"}}`,
	"{\"annotations\":{\"a\":\"\xff\"}}",
	`{"annotations":{"a":"b","a":"c"}}`,
	`{"annotations":{"a":"b"},"linux":null}`,
	`{"annotations":{"a":"b"},"linux":{"devices":null}}`,
	`{"annotations":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	`{"annotations":{"a":"b"},"linux":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	`{"annotations":{"a":"b"}, "mounts":[{"destination":"/x"}]}`,
	` {"annotations" : {"a":"b"} , "ociVersion" : "1.1.0" } `,
	`{"annotations":{"a":"b"},"x":tru}`,
	`{"annotations":tru}`,
	``,
	`{`,
	`{"annotations":`,
}

// mutations returns n texts made from text by deleting, repeating or
// replacing a byte, most of which no longer decode.
func mutations(text string, n int, ch sim.Chooser) []string {
	if text == "" {
		return nil
	}
	var out []string
	const bytes = `{}[]":,\ a0n`
	for range n {
		i := ch.Intn(len(text))
		switch ch.Intn(3) {
		case 0:
			out = append(out, text[:i]+text[i+1:])
		case 1:
			out = append(out, text[:i+1]+text[i:])
		default:
			out = append(out, text[:i]+string(bytes[ch.Intn(len(bytes))])+text[i+1:])
		}
	}
	return out
}

// TestSplitDecodeIsDecodeSpec: wherever the split stands for the whole text,
// its view is the whole decode's, on drawn texts, the specs shims write out
// for them, texts made to defeat the split and mutations of drawn texts;
// and decodeSharedBytes, split or whole, gives DecodeSpec's view and error.
func TestSplitDecodeIsDecodeSpec(t *testing.T) {
	drawn := generatedTexts(t, 400, 0)
	texts := append(append([]string(nil), drawn...), defeatingTexts...)
	ch := sim.NewPRNG(1)
	for _, text := range drawn[:min(300, len(drawn))] {
		texts = append(texts, mutations(text, 4, ch)...)
	}
	split, decodes := 0, 0
	for i, text := range texts {
		wantSpec, wantErr := freshView(t, text)
		if wantErr == "<nil>" {
			decodes++
		}
		if spec, ok := splitDecode([]byte(text)); ok {
			split++
			if got := viewString(spec); got != wantSpec || wantErr != "<nil>" {
				t.Errorf("text %d: split decode %s, whole decode %s, error %s:\n%.300s", i, got, wantSpec, wantErr, text)
			}
		}
		spec, err := decodeSharedBytes([]byte(text))
		checkAnswer(t, fmt.Sprintf("text %d", i), text, spec, err)
	}
	if split < len(drawn)/2 || decodes == len(texts) {
		t.Fatalf("split %d of %d texts (%d drawn), %d decode: the test does not exercise both paths", split, len(texts), len(drawn), decodes)
	}
}

// TestSplitFallsBackOnDefeatingTexts: none of the texts made to defeat the
// split that decode differently in parts is split: the check of the rest
// refuses them (TestSplitDecodeIsDecodeSpec checks the views; this checks
// the refusals happen where a naive split would be wrong).
func TestSplitFallsBackOnDefeatingTexts(t *testing.T) {
	for _, text := range []string{
		`{"annotations":{"a":"b"},"Annotations":{"c":"d"}}`,
		`{"Annotations":{"c":"d"},"annotations":{"a":"b"}}`,
		`{"annotations":{"a":"b"},"annotations":null}`,
		`{"annotations":{"a":"b"},"annotations":{"c":"d"}}`,
		`{"annotations":null}`,
		`{"process":5,"annotations":{"a":"b"}}`,
		`{"annotations":{"a":"b"},"x":tru}`,
	} {
		if spec, ok := splitDecode([]byte(text)); ok {
			t.Errorf("%s was split, to %s", text, viewString(spec))
		}
	}
}

// TestPartMemoAnswersAreFreshDecodes: the part memos answer every lookup
// as a decode made now would, first or remembered, for two keys that
// share a slot, and for keys that differ only in where before ends.
func TestPartMemoAnswersAreFreshDecodes(t *testing.T) {
	m := newPartMemo[restView](partBudget)
	rest := func(n int) (string, string) {
		return `{"annotations":`, fmt.Sprintf(`,"linux":{"devices":[{"path":"/dev/vfio/%d"}]}}`, n)
	}
	bySlot := map[*atomic.Pointer[partEntry[restView]]]int{}
	a, b := -1, -1
	for n := 0; a < 0; n++ {
		before, after := rest(n)
		s := m.slot([]byte(before), []byte(after))
		if prev, ok := bySlot[s]; ok {
			a, b = prev, n
		}
		bySlot[s] = n
	}
	for i, n := range []int{a, b, a, b, b, a} {
		before, after := rest(n)
		got := m.get([]byte(before), []byte(after), func() restView { return decodeRest([]byte(before), []byte(after)) }, restSize)
		want := decodeRest([]byte(before), []byte(after))
		if restString(got) != restString(want) {
			t.Errorf("lookup %d (rest %d): the memo answers %s, a decode %s", i, n, restString(got), restString(want))
		}
	}
	// One key's bytes split two ways are two keys.
	mm := newPartMemo[string](partBudget)
	for i, k := range [][2]string{{`{"a":"b"}`, ``}, {`{"a":`, `"b"}`}, {`{"a":"b"}`, ``}, {``, `{"a":"b"}`}, {`{"a":`, `"b"}`}} {
		want := k[0] + "|" + k[1]
		got := mm.get([]byte(k[0]), []byte(k[1]), func() string { return want }, func(string) int64 { return 0 })
		if got != want {
			t.Errorf("lookup %d (%q, %q): the memo answers %q", i, k[0], k[1], got)
		}
	}
}

// TestPartMemosUnchangedByRuns: after campaigns of every variant (Kata
// 3.8.0's shim writes into the maps it decodes, and crashes), every
// remembered part is still what its bytes decode to.
func TestPartMemosUnchangedByRuns(t *testing.T) {
	for _, v := range Variants.All() {
		for seed := range uint64(400) {
			c := Generate(sim.NewPRNG(seed), v.Name, GenOptions{})
			if _, err := Run(c, nil, sim.NewPRNG(seed), seed%2 == 0); err != nil {
				t.Fatalf("%s case %d: %v", v.Name, seed, err)
			}
		}
	}
	rests, members := 0, 0
	for i := range sharedRests.slots {
		if e := sharedRests.slots[i].Load(); e != nil {
			want := decodeRest([]byte(e.before), []byte(e.after))
			if restString(e.view) != restString(want) {
				t.Errorf("rest slot %d remembers %s, its bytes decode to %s", i, restString(e.view), restString(want))
			}
			rests++
		}
		if e := sharedMembers.slots[i].Load(); e != nil {
			if want := decodeMember([]byte(e.before)); fmt.Sprint(e.view) != fmt.Sprint(want) || e.after != "" {
				t.Errorf("member slot %d remembers %v, its bytes decode to %v", i, e.view, want)
			}
			members++
		}
	}
	if rests < 100 || members < 20 {
		t.Fatalf("only %d rests and %d members were remembered after 800 runs: the memos are not in use", rests, members)
	}
}

// restString renders a rest's view, telling nil from empty.
func restString(v restView) string {
	if v.linux == nil {
		return fmt.Sprintf("ok %v, linux nil", v.ok)
	}
	return fmt.Sprintf("ok %v, devices %#v", v.ok, v.linux.Devices)
}

// TestPartMemoBudget: a part memo holds at most partBudget bytes, counts
// exactly what its slots hold, and still replaces entries once full.
func TestPartMemoBudget(t *testing.T) {
	m := newPartMemo[string](partBudget)
	const view = 4 << 10
	size := func(string) int64 { return view }
	for i := range 3 * partBudget / view {
		k := []byte(fmt.Sprint("key ", i))
		m.get(k, nil, func() string { return string(k) }, size)
	}
	var sum int64
	for i := range m.slots {
		if e := m.slots[i].Load(); e != nil {
			sum += e.size
		}
	}
	if held := m.held.Load(); held > partBudget || held != sum || held < partBudget/2 {
		t.Fatalf("held %d bytes, its slots %d, budget %d", held, sum, partBudget)
	}
	// A new key whose slot holds another is remembered in its place.
	for i := 0; ; i++ {
		k := []byte(fmt.Sprint("new key ", i))
		slot := m.slot(k, nil)
		if slot.Load() == nil {
			continue
		}
		m.get(k, nil, func() string { return string(k) }, size)
		if e := slot.Load(); e == nil || e.before != string(k) {
			t.Fatalf("a full memo did not replace a slot's entry with %q: %+v", k, e)
		}
		break
	}
}
