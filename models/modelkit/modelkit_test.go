package modelkit

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// toy is a case of a toy model: steps at virtual times and a flag.
type toy struct {
	Steps []toyStep
	Flag  bool
}

type toyStep struct {
	At   time.Duration
	Name string
}

func (c *toy) VariantName() string                       { return "reference" }
func (c *toy) Size() int                                 { return len(c.Steps) }
func (c *toy) Run(sim.Chooser, bool) (sim.Result, error) { return sim.Result{}, nil }
func (c *toy) Simplify() []models.Case                   { return nil }
func (c *toy) clone() *toy                               { d := *c; d.Steps = slices.Clone(c.Steps); return &d }
func steps(c *toy) *[]toyStep                            { return &c.Steps }
func at(s *toyStep) *time.Duration                       { return &s.At }
func describe(cs []models.Case) (out []string) {
	for _, c := range cs {
		t := c.(*toy)
		var b strings.Builder
		for _, s := range t.Steps {
			fmt.Fprintf(&b, "%s@%s ", s.Name, sim.FormatDuration(s.At))
		}
		fmt.Fprintf(&b, "flag=%v", t.Flag)
		out = append(out, b.String())
	}
	return out
}

// TestSimplifier: each helper adds its clones in order and leaves the case
// as it was.
func TestSimplifier(t *testing.T) {
	c := &toy{Steps: []toyStep{{time.Second, "a"}, {3 * time.Second, "b"}, {3 * time.Second, "c"}}, Flag: true}
	tests := []struct {
		name string
		do   func(s *Simplifier[*toy])
		want []string
	}{
		{"drop each", func(s *Simplifier[*toy]) { DropEach(s, steps) },
			[]string{"b@3s c@3s flag=true", "a@1s c@3s flag=true", "a@1s b@3s flag=true"}},
		{"pull each from 0", func(s *Simplifier[*toy]) { PullEachEarlier(s, steps, at, 0) },
			[]string{"a@0s b@2s c@2s flag=true", "a@1s b@1s c@1s flag=true"}},
		{"pull each from 1", func(s *Simplifier[*toy]) { PullEachEarlier(s, steps, at, 1) },
			[]string{"a@1s b@1s c@1s flag=true"}},
		{"try and try-if", func(s *Simplifier[*toy]) {
			s.Try(func(d *toy) { d.Flag = false })
			s.TryIf(func(d *toy) bool { d.Steps = nil; return false })
			s.TryIf(func(d *toy) bool { d.Steps = d.Steps[:1]; return true })
		}, []string{"a@1s b@3s c@3s flag=false", "a@1s flag=true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := describe([]models.Case{c})
			s := NewSimplifier(c, (*toy).clone)
			tt.do(s)
			if got := describe(s.Cases()); !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
			if after := describe([]models.Case{c}); !slices.Equal(before, after) {
				t.Errorf("the case changed: %q -> %q", before, after)
			}
		})
	}
}

func TestInTimeOrder(t *testing.T) {
	s := []toyStep{{2 * time.Second, "a"}, {time.Second, "b"}, {2 * time.Second, "c"}, {0, "d"}}
	var got []string
	for _, p := range InTimeOrder(s, func(s *toyStep) time.Duration { return s.At }) {
		got = append(got, p.Name)
	}
	if want := []string{"d", "b", "a", "c"}; !slices.Equal(got, want) {
		t.Fatalf("InTimeOrder = %q, want %q (stable at equal times)", got, want)
	}
}

// TestVariants: bound variants are listed in the model; Add registers an
// implementation with this test as its origin and Lookup then builds it;
// Remove takes it away and built-in ones stay.
func TestVariants(t *testing.T) {
	m := &models.Model{Name: "toy"}
	vs := NewVariants(
		Variant[int]{Variant: models.Variant{Name: "reference"}, Build: 1},
		Variant[int]{Variant: models.Variant{Name: "buggy", Buggy: true}, Build: 2},
	)
	if _, err := vs.Add(Variant[int]{Variant: models.Variant{Name: "early"}}); err == nil {
		t.Fatal("Add before Bind succeeded")
	}
	vs.Bind(m)
	if got := fmt.Sprint(m.Variants); !strings.Contains(got, "reference") || len(m.Variants) != 2 || !m.Variants[1].Buggy {
		t.Fatalf("model variants after Bind: %s", got)
	}
	if _, err := vs.Lookup("nope"); err == nil || !strings.Contains(err.Error(), "reference, buggy") {
		t.Fatalf("Lookup(nope) = %v, want an error listing the variants", err)
	}
	remove, err := vs.Add(Variant[int]{Variant: models.Variant{Name: "mine"}, Build: 3})
	if err != nil {
		t.Fatal(err)
	}
	v, err := vs.Lookup("mine")
	if err != nil || v.Build != 3 || v.Origin == nil || v.Origin.Test != "TestVariants" {
		t.Fatalf("Lookup(mine) = %+v, %v: want build 3 from this test", v, err)
	}
	if mv, err := m.Variant("mine"); err != nil || mv.Origin == nil {
		t.Fatalf("model variant mine = %+v, %v", mv, err)
	}
	if _, err := vs.Add(Variant[int]{Variant: models.Variant{Name: "reference"}}); err == nil {
		t.Fatal("Add(reference) succeeded twice")
	}
	remove()
	vs.Remove("reference") // built in: stays
	if got := vs.Names(); !slices.Equal(got, []string{"reference", "buggy"}) || len(m.Variants) != 2 {
		t.Fatalf("after removal: kit %q, model %v", got, m.Variants)
	}
	if _, err := vs.Lookup("mine"); err == nil {
		t.Fatal("Lookup(mine) after removal succeeded")
	}
}

// recorder is a TB that records the failure instead of failing.
type recorder struct{ msg string }

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	if r.msg == "" {
		r.msg = fmt.Sprintf(format, args...)
	}
}

func TestCheck(t *testing.T) {
	violated := sim.Result{Violations: []sim.Violation{{Invariant: "inv", Message: "broken"}}}
	tests := []struct {
		name   string
		result sim.Result
		err    error
		want   string // substring of the failure, "" for none
		failed bool
	}{
		{"pass", sim.Result{}, nil, "", false},
		{"violation", violated, nil, "inv", true},
		{"run error", sim.Result{}, fmt.Errorf("bad case"), "run: bad case\ncase 7", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Harness[int]{
				Generate: func(ch sim.Chooser) int { return 7 },
				Run:      func(int, sim.Chooser) (sim.Result, error) { return tt.result, tt.err },
				Describe: func(c int) string { return fmt.Sprintf("case %d", c) },
			}
			var r recorder
			gotFailed := false
			Check(&r, sim.Fixed{}, h, func(c int, _ sim.Result) { gotFailed = c == 7 })
			if (tt.want == "") != (r.msg == "") || !strings.Contains(r.msg, tt.want) {
				t.Errorf("failure %q, want %q", r.msg, tt.want)
			}
			if tt.want != "" && !strings.HasSuffix(r.msg, "case 7") {
				t.Errorf("failure %q does not describe the case", r.msg)
			}
			if gotFailed != tt.failed {
				t.Errorf("failed called: %v, want %v", gotFailed, tt.failed)
			}
		})
	}
}

// fixedSource draws the same hostile string every time.
type fixedSource string

func (f fixedSource) String(string) string { return string(f) }
func (fixedSource) Bool(string) bool       { return false }

// TestRenamerKeepsNamesDistinct: a drawn name already given, and then the
// old name already given too, still yield distinct names.
func TestRenamerKeepsNamesDistinct(t *testing.T) {
	r := NewRenamer(fixedSource("b"), "name")
	seen := map[string]bool{}
	for _, old := range []string{"a", "b", "c"} {
		n := r.Get(old)
		if seen[n] {
			t.Fatalf("Get(%q) = %q, given already", old, n)
		}
		seen[n] = true
		if again := r.Get(old); again != n {
			t.Fatalf("Get(%q) = %q then %q", old, n, again)
		}
	}
}
