package hostport

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
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

// TestConcurrentRunsInstallOneOfAConflict runs sandboxes mapping the same
// host port at once, on a node using nftables and on one with iptables
// only: each backend checks for a conflict and installs under its lock, so
// exactly one sandbox gets the port each round and the node forwards it
// once (without the lock two may pass the check before either installs).
func TestConcurrentRunsInstallOneOfAConflict(t *testing.T) {
	const sandboxes = 4
	rounds := 200
	if testing.Short() {
		rounds = 50
	}
	for _, tt := range []struct {
		name   string
		faults []faults.Fault
	}{{"nftables", nil}, {"iptables", []faults.Fault{faults.ToolMissing{Tool: "nft"}}}} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := StartNode(&Case{Node: node.Default(), Faults: tt.faults})
			if err != nil {
				t.Fatal(err)
			}
			n.SetConcurrent()
			h := netfilter.New(n)
			d, err := StartDaemon(h, Config{}, NewReference, &Store{}, func(string, ...any) {})
			if err != nil {
				t.Fatal(err)
			}
			for r := range rounds {
				var ok atomic.Int32
				var wg sync.WaitGroup
				start := make(chan struct{})
				id := func(i int) string { return fmt.Sprintf("r%d-%d", r, i) }
				for i := range sandboxes {
					wg.Go(func() {
						<-start
						if d.RunPodSandbox(id(i), []string{fmt.Sprintf("10.88.0.%d", i+2)}, []*PortMapping{tcp(8080, 80)}) == nil {
							ok.Add(1)
						}
					})
				}
				close(start)
				wg.Wait()
				fs := appendNFTForwards(IPTablesForwards(h.IPTablesState(netfilter.IPv4), netfilter.IPv4), h.NFTState(netfilter.IPv4, NFTTable), netfilter.IPv4)
				if ok.Load() != 1 || len(fs) != 1 {
					t.Fatalf("round %d: %d of %d sandboxes mapping *:8080 got it, the node forwards %v; want one", r, ok.Load(), sandboxes, fs)
				}
				for i := range sandboxes {
					if err := d.StopPodSandbox(id(i)); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}
