package annotations

import (
	"sync"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// TestMemosSharedByWorkersKeepTraces: cases drawn and run by four
// goroutines at once through the shared memos, cold and then warm, give
// the traces a run with every memo emptied before each case gives (run it
// with -race as well).
func TestMemosSharedByWorkersKeepTraces(t *testing.T) {
	const cases = 150
	want := make(map[string][]string)
	for _, v := range Variants.All() {
		for seed := range uint64(cases) {
			if err := Model.Idle(); err != nil {
				t.Fatal(err)
			}
			r, err := Run(Generate(sim.NewPRNG(seed), v.Name, GenOptions{}), nil, sim.NewPRNG(seed), true)
			if err != nil {
				t.Fatal(err)
			}
			want[v.Name] = append(want[v.Name], r.Trace.Hash())
		}
	}
	if err := Model.Idle(); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		var wg sync.WaitGroup
		errs := make(chan string, 4*cases*2)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, v := range Variants.All() {
					for i := range uint64(cases) {
						seed := (i + uint64(w)*37) % cases // each worker in its own order
						r, err := Run(Generate(sim.NewPRNG(seed), v.Name, GenOptions{}), nil, sim.NewPRNG(seed), true)
						if err != nil || r.Trace.Hash() != want[v.Name][seed] {
							errs <- v.Name
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if n := len(errs); n > 0 {
			t.Fatalf("round %d: %d runs traced otherwise with shared memos (first: %s)", round, n, <-errs)
		}
	}
}
