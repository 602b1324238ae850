package modelkit_test

import (
	"testing"

	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// choices is a Chooser that returns a fixed list of choices, then 0.
type choices []int

func (c *choices) Intn(n int) int {
	if len(*c) == 0 {
		return 0
	}
	x := (*c)[0] % n
	*c = (*c)[1:]
	return x
}

func (c *choices) Group(fn func(sim.Chooser)) { fn(c) }

// TestSwarm: a choice of 0 leaves a kind as without swarm (weight 1), 1
// turns it off, 2 and 3 weigh it; Hit draws once whatever the state.
func TestSwarm(t *testing.T) {
	ch := choices{0, 1, 2, 3}
	s := modelkit.DrawSwarm(&ch, []string{"a", "b", "c", "d"})
	for _, tt := range []struct {
		kind string
		on   bool
		hits []int // the choices of 8 that hit
	}{
		{"a", true, []int{1}},
		{"b", false, nil},
		{"c", true, []int{1, 2}},
		{"d", true, []int{1, 2, 3}},
		{"unknown", true, []int{1}},
	} {
		if got := s.On(tt.kind); got != tt.on {
			t.Errorf("On(%s) = %v, want %v", tt.kind, got, tt.on)
		}
		for x := range 8 {
			draw := choices{x, 5}
			want := false
			for _, h := range tt.hits {
				want = want || h == x
			}
			if got := s.Hit(&draw, tt.kind, 8); got != want {
				t.Errorf("Hit(%s) with choice %d = %v, want %v", tt.kind, x, got, want)
			}
			if len(draw) != 1 {
				t.Errorf("Hit(%s) drew %d choices, want 1", tt.kind, 2-len(draw))
			}
		}
	}
	var zero modelkit.Swarm
	if !zero.On("x") {
		t.Error("the zero Swarm has a kind off")
	}
}
