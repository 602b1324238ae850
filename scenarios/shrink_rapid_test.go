package scenarios

import (
	"testing"
	"time"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// firstFailures finds, for a model and variant, the first case seed of
// campaign seed 1 that breaks each signature (at most per signatures).
func firstFailures(t *testing.T, model, variant string, n int) (m *models.Model, seeds map[string]uint64, order []string) {
	t.Helper()
	m, err := LookupModel(model)
	if err != nil {
		t.Fatal(err)
	}
	seeds = map[string]uint64{}
	for i := int64(0); i < 3000 && len(order) < n; i++ {
		seed := caseSeed(1, i)
		r, err := m.Generate(newCaseChooser(seed), variant).Run(sim.NewPRNG(seed), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range r.Violations {
			if sig := signature(model+"/"+variant, v); seeds[sig] == 0 && len(order) < n {
				seeds[sig] = seed
				order = append(order, sig)
			}
		}
	}
	return m, seeds, order
}

// failsWith replays a case under seed and reports whether it breaks sig.
func failsWith(name string, seed uint64, sig string) func(models.Case) bool {
	return func(c models.Case) bool {
		r, err := c.Run(sim.NewPRNG(seed), false)
		if err != nil {
			return false
		}
		for _, v := range r.Violations {
			if signature(name, v) == sig {
				return true
			}
		}
		return false
	}
}

// TestRapidStartsFromTheCampaignCase: rapid's first example under the case
// seed is the campaign's case, choice for choice (shrinkRapid checks it and
// returns errRapidDiverged otherwise), rapid's shrink keeps the failure and
// is deterministic, and the shrinkers' figures are logged (go test -v).
func TestRapidStartsFromTheCampaignCase(t *testing.T) {
	for _, mv := range [][2]string{{"hostport", "crio-1.33.0"}, {"hostport", "zero-port-unfiltered"}, {"signals", "crun-1.16"}, {"annotations", "kata-3.8.0"}} {
		m, seeds, order := firstFailures(t, mv[0], mv[1], 3)
		if len(order) == 0 {
			t.Fatalf("%s/%s: no failure in 3000 scenarios", mv[0], mv[1])
		}
		for _, sig := range order {
			seed := seeds[sig]
			fails := failsWith(mv[0]+"/"+mv[1], seed, sig)
			orig := m.Generate(newCaseChooser(seed), mv[1])
			start := time.Now()
			min, runs, err := shrinkRapid(m, mv[1], seed, fails, 3000, nil)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("%s: %v", sig, err)
			}
			again, _, _ := shrinkRapid(m, mv[1], seed, fails, 3000, nil)
			if !fails(min) || min.Size() > orig.Size() {
				t.Fatalf("%s: rapid's minimal case (size %d from %d) does not fail the same way", sig, min.Size(), orig.Size())
			}
			if string(formatCase(mv[0], min)) != string(formatCase(mv[0], again)) {
				t.Fatalf("%s: two shrinks of one failure differ", sig)
			}
			greedy, gruns := shrinkGreedy(orig, fails, 5000, nil)
			both, bruns, how := shrinkCase(ShrinkBest, m, mv[1], seed, orig, fails, 3000, nil)
			t.Logf("%-62s size %2d: rapid %2d (%4d replays, %s), greedy %2d (%3d replays), best %2d by %s (%d replays)",
				sig, orig.Size(), min.Size(), runs, took.Round(time.Millisecond), greedy.Size(), gruns, both.Size(), how, bruns)
			if both.Size() > greedy.Size() || both.Size() > min.Size() {
				t.Fatalf("%s: best shrink %d is larger than greedy %d or rapid %d", sig, both.Size(), greedy.Size(), min.Size())
			}
		}
	}
}

// formatCase renders a case's model fields.
func formatCase(model string, c models.Case) []byte {
	return Format(&Scenario{Name: "x", Model: model, Variant: c.VariantName(), Case: c})
}

// TestJSF64MatchesRapidBitStream: a campaign's case seed draws, through
// rapid.Bool draws under -rapid.seed, the same bits as caseChooser; if a
// rapid upgrade changed its generator this fails (and campaigns fall back to
// the greedy shrinker).
func TestJSF64MatchesRapidBitStream(t *testing.T) {
	m, _ := LookupModel("signals")
	for i := int64(0); i < 20; i++ {
		seed := caseSeed(11, i)
		var first []int
		withRapidFlags(seed, func() {
			rapidCheckOnce(func(ch sim.Chooser) { rec := newRecorder(ch); m.Generate(rec, "reference"); first = rec.choices() })
		})
		want := newRecorder(newCaseChooser(seed))
		m.Generate(want, "reference")
		if len(first) == 0 || string(fmtInts(first)) != string(fmtInts(want.choices())) {
			t.Fatalf("seed %d: rapid drew %v, the campaign %v", seed, first, want.choices())
		}
	}
}

func fmtInts(v []int) []byte {
	var b []byte
	for _, x := range v {
		b = append(b, byte('0'+x%10), ',')
	}
	return b
}
