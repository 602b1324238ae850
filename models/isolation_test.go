package models_test

import (
	"sync"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// isolationCases are the cases of every variant of a model, drawn from
// consecutive seeds, with the trace each gives when run first.
func isolationCases(t *testing.T, m *models.Model, n int) ([]models.Case, []string) {
	t.Helper()
	var cases []models.Case
	for _, v := range m.Variants {
		cases = append(cases, pool(m, v.Name, n)...)
	}
	traces := make([]string, len(cases))
	for i, c := range cases {
		traces[i] = traceOf(t, c, i)
	}
	return cases, traces
}

func traceOf(t *testing.T, c models.Case, seed int) string {
	r, err := c.Run(sim.NewPRNG(uint64(seed)), true)
	if err != nil {
		t.Errorf("%s case %d: %v", c.VariantName(), seed, err)
		return ""
	}
	return r.Trace.Text()
}

// TestRunsAreIsolated runs each case A, then the others (B), then A again:
// what a run leaves behind for the next (the memos and prebuilt objects
// runs share in a process) must not change any trace. Cases of every
// variant are mixed, buggy ones with crashes included (60 per model;
// -short: 20).
func TestRunsAreIsolated(t *testing.T) {
	n := 60
	if testing.Short() {
		n = 20
	}
	for _, m := range models.All() {
		cases, first := isolationCases(t, m, n)
		for i := len(cases) - 1; i >= 0; i-- { // again, every other case run in between
			if got := traceOf(t, cases[i], i); got != first[i] {
				t.Fatalf("%s/%s case %d: the trace changed once other cases had run:\nfirst:\n%s\nagain:\n%s", m.Name, cases[i].VariantName(), i, first[i], got)
			}
		}
	}
}

// TestConcurrentRunsAreIsolated runs the same cases from four goroutines at
// once, as campaign workers do: every trace must be the one a run alone
// gives (go test -race checks the shared state too); 25 cases per model,
// -short: 10.
func TestConcurrentRunsAreIsolated(t *testing.T) {
	n := 25
	if testing.Short() {
		n = 10
	}
	for _, m := range models.All() {
		cases, want := isolationCases(t, m, n)
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for k := range cases {
					i := (k + w*7) % len(cases) // each worker in its own order
					if got := traceOf(t, cases[i], i); got != want[i] {
						t.Errorf("%s/%s case %d: a concurrent run's trace differs from a run alone", m.Name, cases[i].VariantName(), i)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}
