package scenarios

import (
	"math/bits"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/sim"
)

// A campaign draws every case as a stream of bits: a choice among n options
// reads bits.Len(n-1) bits, most significant first, and draws again when the
// value is n or more. The same decoding runs over three sources:
//
//   - a campaign's jsf64 generator seeded with the case seed (one output per
//     bit, its lowest bit); the campaign's shrinker replays and shrinks the
//     choices it makes (shrinkChoices), with no rapid involved;
//   - rapid.Bool draws inside a property (rapidBits), which rapid shrinks
//     bit by bit and, through sim.Group, item by item;
//   - the bytes of a native fuzz input, eight little-endian bytes to a draw
//     and their lowest bit, which is how rapid.MakeFuzz reads them (see
//     DecodeFuzzInput), so "faultsim import" rebuilds a go test -fuzz case
//     without rapid.
//
// Lowering a bit lowers the choice, and generators put the simplest option
// first, so shrinking towards zero bits simplifies the case.

// drawInt decodes a choice in [0, n) from bits.
func drawInt(n int, bit func() int) int {
	if n <= 1 {
		return 0
	}
	k := bits.Len(uint(n - 1))
	for {
		v := 0
		for range k {
			v = v<<1 | bit()
		}
		if v < n {
			return v
		}
	}
}

// jsf64 is Bob Jenkins' small noncryptographic PRNG, 64-bit variant
// (rotations 7, 13, 37; a = 0xf1ea5eed, b = c = d = seed, 20 outputs
// discarded), https://burtleburtle.net/bob/rand/smallprng.html: the
// generator a campaign draws each case's bits from, one output a bit. It is
// kept (not math/rand) so that a campaign's seed draws the cases it always
// has, and the findings of earlier campaigns stay reproducible.
type jsf64 struct{ a, b, c, d uint64 }

func newJSF64(seed uint64) *jsf64 {
	x := &jsf64{a: 0xf1ea5eed, b: seed, c: seed, d: seed}
	for range 20 {
		x.next()
	}
	return x
}

func (x *jsf64) next() uint64 {
	e := x.a - bits.RotateLeft64(x.b, 7)
	x.a = x.b ^ bits.RotateLeft64(x.c, 13)
	x.b = x.c + bits.RotateLeft64(x.d, 37)
	x.c = x.d + e
	x.d = e + x.a
	return x.d
}

// caseChooser is the Chooser a campaign generates case seed's case with.
type caseChooser struct{ r *jsf64 }

func newCaseChooser(seed uint64) caseChooser { return caseChooser{newJSF64(seed)} }

func (c caseChooser) bit() int { return int(c.r.next() & 1) }

// Intn decodes a choice from the generator's bits.
func (c caseChooser) Intn(n int) int { return drawInt(n, c.bit) }

// rapidBits is the Chooser of a rapid property: every bit is a rapid.Bool
// draw and every sim.Group a rapid.Custom group, so rapid can lower bits and
// delete whole items.
type rapidBits struct{ t *rapid.T }

var boolGen = rapid.Bool()

func (c rapidBits) bit() int {
	if boolGen.Draw(c.t, "bit") {
		return 1
	}
	return 0
}

// Intn decodes a choice from rapid's bits.
func (c rapidBits) Intn(n int) int { return drawInt(n, c.bit) }

// Group draws fn's choices as one rapid group, which the shrinker can
// delete in one step.
func (c rapidBits) Group(fn func(sim.Chooser)) {
	rapid.Custom(func(t *rapid.T) struct{} {
		fn(rapidBits{t})
		return struct{}{}
	}).Draw(c.t, "group")
}

// recorder is a Chooser that keeps every choice another one made, so two
// draws of a case can be compared choice by choice.
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
