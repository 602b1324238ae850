package annotations

import (
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/sim"
)

// freshView is what the memo must answer for text: the harness's view of a
// decode made now.
func freshView(t *testing.T, text string) (string, string) {
	t.Helper()
	spec, err := DecodeSpec([]byte(text))
	return viewString(harnessView(spec)), fmt.Sprint(err)
}

// viewString renders what a view holds, telling nil maps and slices from
// empty ones.
func viewString(s *specs.Spec) string {
	if s == nil {
		return "no spec"
	}
	var b strings.Builder
	if s.Annotations == nil {
		b.WriteString("annotations nil")
	} else {
		fmt.Fprintf(&b, "annotations %v", s.Annotations) // fmt sorts map keys
	}
	switch {
	case s.Linux == nil:
		b.WriteString(", linux nil")
	case s.Linux.Devices == nil:
		b.WriteString(", devices nil")
	default:
		fmt.Fprintf(&b, ", devices %#v", s.Linux.Devices)
	}
	if !reflect.DeepEqual(s, harnessView(s)) {
		b.WriteString(", and members the harness does not read")
	}
	return b.String()
}

// checkAnswer fails unless the memo's answer for text is a fresh decode's.
func checkAnswer(t *testing.T, what, text string, spec *specs.Spec, err error) {
	t.Helper()
	wantSpec, wantErr := freshView(t, text)
	if got := viewString(spec); got != wantSpec {
		t.Errorf("%s: the memo answers %s for %.60q, a decode gives %s", what, got, text, wantSpec)
	}
	if got := fmt.Sprint(err); got != wantErr {
		t.Errorf("%s: the memo's error for %.60q is %q, a decode's %q", what, text, got, wantErr)
	}
}

// generatedTexts are config.json texts as campaigns draw them from seeds
// from on, with the specs the reference shim writes out for them.
func generatedTexts(t *testing.T, cases int, from uint64) []string {
	t.Helper()
	var out []string
	for seed := from; seed < from+uint64(cases); seed++ {
		c := Generate(sim.NewPRNG(seed), "reference", GenOptions{})
		for _, s := range c.Steps {
			if s.Op != OpCreate {
				continue
			}
			out = append(out, s.Spec)
			sh := NewReference(c.PCI, c.Config, func(string, ...any) {})
			if sh.Create(s.ID, []byte(s.Spec)) == nil {
				if raw, ok := sh.Spec(s.ID); ok {
					out = append(out, string(raw))
				}
			}
		}
	}
	return out
}

// TestMemoAnswersAreFreshDecodes: every answer of the memo, first or
// remembered, by string or by bytes, is the view a decode made now gives,
// for drawn texts, texts that do not decode and texts too long to keep.
func TestMemoAnswersAreFreshDecodes(t *testing.T) {
	long := `{"ociVersion":"1.1.0","annotations":{"k":"` + strings.Repeat("v", memoMaxText) + `"}}`
	texts := append(generatedTexts(t, 300, 0),
		`{"annotations":null,"linux":{}}`, `{"linux":{"devices":[]}}`, `{}`, `{"annotations":{}}`,
		`{"annotations":5}`, `{"process":`, ``, long)
	m := newPartMemo[decoded](memoBudget)
	for round := range 2 { // the second round is answered from the memo
		for i, text := range texts {
			spec, err := decodeWhole(m, []byte(text))
			checkAnswer(t, fmt.Sprintf("round %d, text %d", round, i), text, spec, err)
		}
	}
	if e := m.slot([]byte(long), nil).Load(); e != nil && e.before == long {
		t.Errorf("a text of %d bytes was remembered, above memoMaxText %d", len(long), memoMaxText)
	}
}

// TestMemoSlotSharedByTwoTexts: two texts that fall in one slot each get
// their own answer, whichever the slot remembers.
func TestMemoSlotSharedByTwoTexts(t *testing.T) {
	m := newPartMemo[decoded](memoBudget)
	text := func(n int) string {
		return fmt.Sprintf(`{"ociVersion":"1.1.0","annotations":{"n":"%d"},"linux":{"devices":[{"path":"/dev/vfio/%d"}]}}`, n, n)
	}
	bySlot := map[*atomic.Pointer[partEntry[decoded]]]int{}
	a, b := -1, -1
	for n := 0; a < 0; n++ {
		s := m.slot([]byte(text(n)), nil)
		if prev, ok := bySlot[s]; ok {
			a, b = prev, n
		}
		bySlot[s] = n
	}
	for i, n := range []int{a, b, a, b, b, a} {
		spec, err := decodeWhole(m, []byte(text(n)))
		checkAnswer(t, fmt.Sprintf("lookup %d (text %d)", i, n), text(n), spec, err)
	}
}

// TestMemoUnchangedByRuns: after campaigns of every variant ran through the
// shared memo (Kata 3.8.0's shim writes into the maps it decodes, and
// crashes), every remembered view is still what its text decodes to: no
// run changed what the next one reads.
func TestMemoUnchangedByRuns(t *testing.T) {
	for _, v := range Variants.All() {
		for seed := range uint64(400) {
			c := Generate(sim.NewPRNG(seed), v.Name, GenOptions{})
			if _, err := Run(c, nil, sim.NewPRNG(seed), seed%2 == 0); err != nil {
				t.Fatalf("%s case %d: %v", v.Name, seed, err)
			}
		}
	}
	checked := 0
	for i := range sharedSpecs.slots {
		if e := sharedSpecs.slots[i].Load(); e != nil {
			checkAnswer(t, fmt.Sprintf("slot %d", i), e.before, e.view.spec, e.view.err)
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d texts were remembered after 800 runs: the memo is not in use", checked)
	}
}

// TestHarnessViewReadsAsSpec: what the harness asks of a spec, it gets
// alike from the view.
func TestHarnessViewReadsAsSpec(t *testing.T) {
	for i, text := range generatedTexts(t, 200, 0) {
		spec, err := DecodeSpec([]byte(text))
		if err != nil {
			continue
		}
		view := harnessView(spec)
		ct, cerr := TypeOf(spec)
		vt, verr := TypeOf(view)
		sb, sok := SandboxOf(spec)
		vb, vok := SandboxOf(view)
		if ct != vt || fmt.Sprint(cerr) != fmt.Sprint(verr) || sb != vb || sok != vok ||
			!reflect.DeepEqual(DevicePaths(spec), DevicePaths(view)) ||
			!reflect.DeepEqual(spec.Annotations, view.Annotations) ||
			(specSummary{spec}).String() != (specSummary{view}).String() {
			t.Errorf("text %d: the view reads differently from the spec:\n%s", i, text)
		}
	}
}

// remembered counts the memo's entries.
func (m *partMemo[V]) remembered() int {
	n := 0
	for i := range m.slots {
		if m.slots[i].Load() != nil {
			n++
		}
	}
	return n
}
