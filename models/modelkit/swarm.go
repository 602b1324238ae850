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
	weight map[string]int // kind -> 0 (off), 2 or 3; absent: 1
}

// DrawSwarm draws the swarm configuration of kinds: one choice each, in
// order (0: weight 1; 1: off; 2, 3: that weight).
func DrawSwarm(c sim.Chooser, kinds []string) Swarm {
	s := Swarm{}
	for _, k := range kinds {
		switch x := c.Intn(4); x {
		case 0:
		default:
			if s.weight == nil {
				s.weight = map[string]int{}
			}
			s.weight[k] = x
			if x == 1 {
				s.weight[k] = 0
			}
		}
	}
	return s
}

// On reports whether kind is on.
func (s Swarm) On(kind string) bool {
	w, ok := s.weight[kind]
	return !ok || w > 0
}

// Hit draws a fault of kind: one choice of n (always drawn, so a kind's
// state shifts no other draw) that hits when kind is on and the choice is
// 1 to its weight. A choice of 0 never hits, so shrinking removes the
// fault.
func (s Swarm) Hit(c sim.Chooser, kind string, n int) bool {
	x := c.Intn(n)
	w, ok := s.weight[kind]
	if !ok {
		w = 1
	}
	return x >= 1 && x <= w
}
