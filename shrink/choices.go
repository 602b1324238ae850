package shrink

import (
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// Choices shrinks the case that draw, a fresh Chooser, draws for variant of
// m, which fails, on the sequence of choices the generator made for it, as
// rapid and Hypothesis shrink their draws: it deletes runs of choices (8, 4,
// 2, 1 at a time, last first: an item, a step, a fault drawn as a unit goes
// whole), lowers each choice to the smallest value that still fails, by
// bisection (generators put the simplest option first, and 0 ends a list),
// and repeats while anything helps. A candidate is the case the generator
// draws from the changed sequence (0 past its end, a choice clamped to its
// range). fails replays a candidate; it is called at most budget times (a
// sequence already tried is answered from memory) and not once stop is
// set, so the result depends only on the failure. It needs neither rapid
// nor its flags.
func Choices(m *models.Model, variant string, draw sim.Chooser, fails func(models.Case) bool, budget int, stop *atomic.Bool) (models.Case, int) {
	rec := newRecorder(draw)
	best := m.Generate(rec, variant)
	choices := slices.Clone(rec.choices())
	runs := 0
	tried := map[string]bool{}
	var key strings.Builder
	// try reports whether cand, replayed, fails; it becomes the best then.
	try := func(cand []int) bool {
		if runs >= budget || (stop != nil && stop.Load()) {
			return false
		}
		r := &replayChooser{vals: cand}
		c := m.Generate(r, variant)
		key.Reset()
		for _, v := range r.used {
			key.WriteString(strconv.Itoa(v))
			key.WriteByte(',')
		}
		if tried[key.String()] {
			return false
		}
		tried[key.String()] = true
		runs++
		if !fails(c) {
			return false
		}
		best, choices = c, r.used
		return true
	}
	for progress := true; progress && runs < budget && (stop == nil || !stop.Load()); {
		progress = false
		for _, n := range []int{8, 4, 2, 1} {
			for i := len(choices) - n; i >= 0; i-- {
				if i+n <= len(choices) && try(slices.Delete(slices.Clone(choices), i, i+n)) {
					progress = true
				}
			}
		}
		for i := 0; i < len(choices); i++ {
			// The smallest value that still fails, by bisection between 0
			// and the choice: a value that fails becomes the top, one that
			// does not the bottom.
			lo, hi := 0, choices[i]
			for lo < hi && i < len(choices) {
				lower := slices.Clone(choices)
				mid := lo + (hi-lo)/2
				lower[i] = mid
				if try(lower) {
					hi, progress = mid, true
				} else {
					lo = mid + 1
				}
			}
		}
	}
	return best, runs
}

// replayChooser replays recorded choices: past their end every choice is
// 0, and a choice is clamped to its range. used records what it answered.
type replayChooser struct {
	vals []int
	used []int
}

// Intn answers the next recorded choice.
func (r *replayChooser) Intn(n int) int {
	v := 0
	if i := len(r.used); i < len(r.vals) {
		v = min(max(r.vals[i], 0), n-1)
	}
	r.used = append(r.used, v)
	return v
}

var _ sim.Chooser = (*replayChooser)(nil)

// recorder is a Chooser that keeps every choice another one made.
type recorder struct {
	ch   sim.Chooser
	vals *[]int
}

func newRecorder(ch sim.Chooser) recorder { return recorder{ch, new([]int)} }

// Intn records and returns the wrapped Chooser's choice.
func (r recorder) Intn(n int) int {
	v := r.ch.Intn(n)
	*r.vals = append(*r.vals, v)
	return v
}

// Group keeps the wrapped Chooser's grouping.
func (r recorder) Group(fn func(sim.Chooser)) {
	sim.Group(r.ch, func(c sim.Chooser) { fn(recorder{c, r.vals}) })
}

// choices returns the choices recorded so far.
func (r recorder) choices() []int { return *r.vals }
