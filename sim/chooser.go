package sim

import (
	"math/rand/v2"

	"pgregory.net/rapid"
)

// Chooser decides every choice a simulation makes: which of several
// simultaneous events runs first, and what a generator draws. A seeded PRNG
// makes a campaign replayable; rapid draws make a property test shrinkable.
type Chooser interface {
	// Intn returns a value in [0, n). n must be > 0.
	Intn(n int) int
}

// PRNG is a Chooser backed by a seeded PCG generator: fast, and the same
// seed always yields the same sequence.
type PRNG struct {
	r   rand.Rand
	pcg rand.PCG // r's source: both held here, one allocation a PRNG
}

// NewPRNG returns a PRNG seeded with seed.
func NewPRNG(seed uint64) *PRNG {
	p := &PRNG{}
	p.pcg.Seed(seed, seed^0x9e3779b97f4a7c15)
	p.r = *rand.New(&p.pcg)
	return p
}

// Intn returns a pseudo-random value in [0, n).
func (p *PRNG) Intn(n int) int { return p.r.IntN(n) }

// RapidChooser is a Chooser that draws from a rapid test case, so that rapid
// can shrink every choice the simulation made.
type RapidChooser struct{ T *rapid.T }

// Intn draws a value in [0, n) from the rapid test case; rapid shrinks it
// towards 0, so generators should put the simplest option first.
func (c RapidChooser) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	return rapid.IntRange(0, n-1).Draw(c.T, "choice")
}

// Fixed is a Chooser that always picks the first option. It is the Chooser of
// a replay that needs no tie broken by chance.
type Fixed struct{}

// Intn always returns 0.
func (Fixed) Intn(int) int { return 0 }

// Grouper is a Chooser that can mark a run of draws as one unit, so a
// shrinker can delete the unit whole (a container, a step, a fault).
type Grouper interface {
	Group(fn func(Chooser))
}

// Group runs fn with c, as one unit of draws when c supports it.
func Group(c Chooser, fn func(Chooser)) {
	if g, ok := c.(Grouper); ok {
		g.Group(fn)
		return
	}
	fn(c)
}

// Group draws fn's choices as one rapid group, which rapid's shrinker can
// remove in one step.
func (c RapidChooser) Group(fn func(Chooser)) {
	rapid.Custom(func(t *rapid.T) struct{} {
		fn(RapidChooser{T: t})
		return struct{}{}
	}).Draw(c.T, "group")
}
