package hostport

import (
	"testing"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// TestBuiltInManagersRunConcurrently runs generated cases' sandboxes at
// once (race mode's run, in process): the built-in managers hold their
// backends' locks as CRI-O's do, so under -race nothing is reported; and
// once every sandbox has stopped, the reference leaves nothing forwarded
// on a node whose tools never failed.
func TestBuiltInManagersRunConcurrently(t *testing.T) {
	cases := 150
	if testing.Short() {
		cases = 40
	}
	for _, tt := range []struct {
		variant string
		clean   bool // checks the node is left clean
	}{{"reference", true}, {"zero-port-unfiltered", false}, {"crio-1.33.0", false}} {
		t.Run(tt.variant, func(t *testing.T) {
			checked := 0
			for seed := range uint64(cases) {
				c := Generate(sim.NewPRNG(seed), tt.variant, GenOptions{})
				h, err := c.runConcurrent(2 * time.Millisecond)
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if !tt.clean || h == nil || h.Node().Failures > 0 {
					continue
				}
				checked++
				for _, f := range netfilter.Families {
					left := appendNFTForwards(IPTablesForwards(h.IPTablesState(f), f), h.NFTState(f, NFTTable), f)
					if len(left) > 0 {
						t.Fatalf("seed %d: every sandbox stopped, yet %s forwards %v\n%s", seed, f, left, Describe(c))
					}
				}
			}
			if tt.clean && checked < cases/2 {
				t.Fatalf("only %d of %d cases checked", checked, cases)
			}
			t.Logf("%d of %d cases checked clean", checked, cases)
		})
	}
}
