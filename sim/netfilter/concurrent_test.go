package netfilter

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// TestConcurrentToolsLoseNothing runs tools from many goroutines on a node
// in concurrent mode, as race mode's handlers do: every iptables-restore,
// nft transaction and injected failure counts once and no change is lost
// (an unlocked Apply or counter loses some, and -race reports it).
func TestConcurrentToolsLoseNothing(t *testing.T) {
	const workers = 4
	rounds := 200
	if testing.Short() {
		rounds = 50
	}
	for _, tt := range []struct {
		name string
		// fail: nft's first half of the invocations fail (a tool-fails fault).
		fail bool
		// do is one round of worker w; check what all rounds left.
		do    func(h *Tables, w, i int) error
		check func(t *testing.T, h *Tables, total int)
	}{
		{"iptables-restore", false, func(h *Tables, w, i int) error {
			if err := h.Node().Exec("iptables-restore", "--noflush"); err != nil {
				return err
			}
			chain := "W" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
			jump := []string{"-m", "comment", "--comment", chain, "-j", chain}
			ipt := h.IPTables(IPv4)
			ops := []IPTablesOp{{Kind: EnsureChain, Chain: "SHARED"}, {Kind: EnsureChain, Chain: chain},
				{Kind: InsertRule, Chain: "SHARED", Rule: jump}}
			if ipt.HasRule("SHARED", jump) {
				return errors.New("rule of " + chain + " there before it was added")
			}
			return ipt.Apply(ops)
		}, func(t *testing.T, h *Tables, total int) {
			if got := len(h.IPTablesState(IPv4).Rules("SHARED")); got != total {
				t.Errorf("SHARED holds %d rules, want %d", got, total)
			}
			if got := len(h.IPTables(IPv4).Chains()); got != total+1+len(BuiltinNATChains) {
				t.Errorf("%d chains, want %d", got, total+1+len(BuiltinNATChains))
			}
		}},
		{"nft", false, func(h *Tables, w, i int) error {
			nft, err := h.NFTables(IPv4, "shared")
			if err != nil {
				return err
			}
			tx := nft.NewTransaction()
			tx.Add(&knftables.Table{})
			tx.Add(&knftables.Set{Name: "s", Type: "inet_service"})
			tx.Add(&knftables.Element{Set: "s", Key: []string{strconv.Itoa(1 + w*rounds + i)}})
			if err := nft.Run(context.Background(), tx); err != nil {
				return err
			}
			_, err = nft.ListElements(context.Background(), "set", "s")
			return err
		}, func(t *testing.T, h *Tables, total int) {
			if got := len(h.NFTState(IPv4, "shared").Table.Sets["s"].Elements); got != total {
				t.Errorf("set holds %d elements, want %d", got, total)
			}
			if g := h.Generation(); g != uint64(total) {
				t.Errorf("generation %d after %d transactions", g, total)
			}
		}},
		{"injected failures", true, func(h *Tables, _, _ int) error {
			_ = h.Node().Exec("nft", "-f", "-") // the first total/2 fail
			return nil
		}, func(t *testing.T, h *Tables, total int) {
			if got := h.Node().Failures; got != total/2 {
				t.Errorf("%d failures counted, want %d", got, total/2)
			}
			if tools := h.Node().Tools(); tools[0].FailNext != 0 {
				t.Errorf("%d failures left, want 0", tools[0].FailNext)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := node.New("fedora-42", sim.MustVersion("6.14.0"))
			n.Install("nft", sim.MustVersion("1.1.1"))
			n.Install("iptables-restore", sim.MustVersion("1.8.11"))
			if tt.fail {
				tool, _ := n.LookPath("nft")
				tool.FailNext = workers * rounds / 2
			}
			n.SetConcurrent()
			h := New(n)
			var wg sync.WaitGroup
			errs := make([]error, workers)
			start := make(chan struct{})
			for w := range workers {
				wg.Go(func() {
					<-start
					for i := range rounds {
						if err := tt.do(h, w, i); err != nil {
							errs[w] = err
							return
						}
					}
				})
			}
			close(start)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			tt.check(t, h, workers*rounds)
		})
	}
}
