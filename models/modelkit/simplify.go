package modelkit

import (
	"slices"
	"time"

	"github.com/faultsim/faultsim/models"
)

// Simplifier collects the one-change simplifications of a case, in the
// order they are tried: each change is applied to a fresh clone, so the
// case itself is left unchanged. C is the model's case pointer type.
type Simplifier[C models.Case] struct {
	orig  C
	clone func(C) C
	out   []models.Case
}

// NewSimplifier starts the simplifications of c; clone deep-copies a case.
func NewSimplifier[C models.Case](c C, clone func(C) C) *Simplifier[C] {
	return &Simplifier[C]{orig: c, clone: clone}
}

// Case is the case being simplified (not to be changed).
func (s *Simplifier[C]) Case() C { return s.orig }

// Try adds the clone that change makes.
func (s *Simplifier[C]) Try(change func(d C)) {
	d := s.clone(s.orig)
	change(d)
	s.out = append(s.out, d)
}

// TryIf adds the clone that change makes when change reports it is a
// simplification worth trying.
func (s *Simplifier[C]) TryIf(change func(d C) bool) {
	if d := s.clone(s.orig); change(d) {
		s.out = append(s.out, d)
	}
}

// Cases returns the simplifications collected, in order.
func (s *Simplifier[C]) Cases() []models.Case { return s.out }

// DropEach adds, for each element of the list field picks, the case
// without it, first element first.
func DropEach[C models.Case, E any](s *Simplifier[C], field func(C) *[]E) {
	for i := range *field(s.orig) {
		s.Try(func(d C) {
			l := field(d)
			*l = slices.Delete(*l, i, i+1)
		})
	}
}

// PullEarlier adds, when steps[i] comes later than the step before it (or
// than time zero for the first), the case with it and every later step
// pulled earlier by that gap, so the steps keep their order. at points at
// a step's virtual time.
func PullEarlier[C models.Case, E any](s *Simplifier[C], steps func(C) *[]E, at func(*E) *time.Duration, i int) {
	l := *steps(s.orig)
	var floor time.Duration
	if i > 0 {
		floor = *at(&l[i-1])
	}
	gap := *at(&l[i]) - floor
	if gap <= 0 {
		return
	}
	s.Try(func(d C) {
		dl := *steps(d)
		for k := i; k < len(dl); k++ {
			*at(&dl[k]) -= gap
		}
	})
}

// PullEachEarlier calls PullEarlier for every step from index from on.
func PullEachEarlier[C models.Case, E any](s *Simplifier[C], steps func(C) *[]E, at func(*E) *time.Duration, from int) {
	for i := from; i < len(*steps(s.orig)); i++ {
		PullEarlier(s, steps, at, i)
	}
}

// InTimeOrder returns pointers to the steps sorted by their virtual time,
// steps at the same time in the order given: the order a run without a
// scheduler performs them in.
func InTimeOrder[E any](steps []E, at func(*E) time.Duration) []*E {
	out := make([]*E, len(steps))
	for i := range steps {
		out[i] = &steps[i]
	}
	slices.SortStableFunc(out, func(a, b *E) int {
		switch ta, tb := at(a), at(b); {
		case ta < tb:
			return -1
		case ta > tb:
			return 1
		}
		return 0
	})
	return out
}
