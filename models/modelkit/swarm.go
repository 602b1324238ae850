package modelkit

import "github.com/faultsim/faultsim/sim"

// Swarm is one generated scenario's swarm configuration (swarm testing, as
// TigerBeetle's VOPR draws one per seed): before anything else, the
// generator draws for each fault kind it knows whether the kind is off in
// this scenario or on with a weight, and then draws faults of the kinds on
// only, the heavier ones more often. A scenario thus piles up a few kinds
// instead of thinly mixing all, and the kinds left out cannot mask what
// the others provoke.
//
// The zero Swarm has every kind on at weight 1, which is a generator's
// behaviour without swarm; so is a choice of 0, so shrinking (which
// lowers choices) returns a kind to it.
type Swarm struct {
	kinds  []string // the kinds drawn, in order (shared, not copied)
	weight []uint8  // per kind: 0 off, else its weight
}

// DrawSwarm draws the swarm configuration of kinds: one choice each, in
// order (0: weight 1; 1: off; 2, 3: that weight).
func DrawSwarm(c sim.Chooser, kinds []string) Swarm {
	s := Swarm{kinds: kinds, weight: make([]uint8, len(kinds))}
	for i := range kinds {
		switch x := c.Intn(4); x {
		case 0:
			s.weight[i] = 1
		case 1:
		default:
			s.weight[i] = uint8(x)
		}
	}
	return s
}

// weightOf is kind's weight (1 for a kind not drawn).
func (s Swarm) weightOf(kind string) int {
	for i, k := range s.kinds {
		if k == kind {
			return int(s.weight[i])
		}
	}
	return 1
}

// On reports whether kind is on.
func (s Swarm) On(kind string) bool { return s.weightOf(kind) > 0 }

// Hit draws a fault of kind: one choice of n (always drawn, so a kind's
// state shifts no other draw) that hits when kind is on and the choice is
// 1 to its weight. A choice of 0 never hits, so shrinking removes the
// fault.
func (s Swarm) Hit(c sim.Chooser, kind string, n int) bool {
	x := c.Intn(n)
	return x >= 1 && x <= s.weightOf(kind)
}
