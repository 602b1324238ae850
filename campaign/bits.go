package campaign

import "math/bits"

// A campaign draws every case as a stream of bits: a choice among n options
// reads bits.Len(n-1) bits, most significant first, and draws again when the
// value is n or more. The same decoding runs over three sources:
//
//   - a campaign's jsf64 generator seeded with the case seed (one output per
//     bit, its lowest bit); the campaign's shrinker replays and shrinks the
//     choices it makes (shrink.Choices), with no rapid involved;
//   - rapid.Bool draws inside a native fuzz target's property
//     (scenariotest.Bits), which rapid shrinks bit by bit and, through
//     sim.Group, item by item;
//   - the bytes of a native fuzz input, eight little-endian bytes to a draw
//     and their lowest bit, which is how rapid.MakeFuzz reads them (see
//     DecodeFuzzInput), so "faultsim import" rebuilds a go test -fuzz case
//     without rapid.
//
// Lowering a bit lowers the choice, and generators put the simplest option
// first, so shrinking towards zero bits simplifies the case.

// DrawInt decodes a choice in [0, n) from bits, as every source of a case's
// bits does (see above).
func DrawInt(n int, bit func() int) int {
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
func (c caseChooser) Intn(n int) int { return DrawInt(n, c.bit) }
