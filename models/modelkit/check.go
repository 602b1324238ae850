package modelkit

import "github.com/faultsim/faultsim/sim"

// Harness is what a property needs of a model to check one
// implementation: draw a case, run it, and describe it readably.
type Harness[C any] struct {
	// Generate draws a case; every decision goes through ch.
	Generate func(ch sim.Chooser) C
	// Run runs it with the implementation under test, ties broken by ch,
	// with the trace on.
	Run func(c C, ch sim.Chooser) (sim.Result, error)
	// Describe renders a case in a few readable lines.
	Describe func(c C) string
}

// TB is the part of testing.TB and rapid's T a check fails through.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Check draws one case through ch, runs it, and fails t on a run error or
// the first violated invariant, with the case described. If failed is not
// nil it receives every failing case first, so under rapid the last one it
// gets is rapid's minimal case. A model's Property is Check with
// sim.RapidChooser over rapid's T.
func Check[C any](t TB, ch sim.Chooser, h Harness[C], failed func(C, sim.Result)) {
	t.Helper()
	c := h.Generate(ch)
	r, err := h.Run(c, ch)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, h.Describe(c))
		return
	}
	if len(r.Violations) > 0 {
		if failed != nil {
			failed(c, r)
		}
		t.Fatalf("%s\n%s", r.Violations[0], h.Describe(c))
	}
}
