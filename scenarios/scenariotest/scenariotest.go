// Package scenariotest is what a model's go test files use to be driven
// like every other model: its native fuzz target (rapid.MakeFuzz over the
// model's generator, the input format "faultsim import" reads) and the
// check of that target's seed corpus under the model's testdata/fuzz. It
// holds what of faultsim depends on rapid (and so on package testing), so
// that the scenario file, shrink and campaign packages do not.
package scenariotest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unicode"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
)

var updateFuzzCorpus = flag.Bool("update-fuzz-corpus", false, "rewrite the seed corpus under testdata/fuzz from campaign seeds")

// FuzzTarget is the name of a model's native fuzz target: Fuzz and the
// model's name capitalised (FuzzHostport).
func FuzzTarget(model string) string {
	r := []rune(model)
	return "Fuzz" + string(unicode.ToUpper(r[0])) + string(r[1:])
}

// FuzzModel is a model's native fuzz target: each input draws a run seed
// and a case of the model's fuzz variant (its reference) and fails on any
// violation, printing the scenario that replays it.
func FuzzModel(f *testing.F, model string) {
	m, err := scenarios.LookupModel(model)
	if err != nil {
		f.Fatal(err)
	}
	releaseAtEnd(f)
	f.Fuzz(rapid.MakeFuzz(fuzzProperty(model, campaign.FuzzVariant(m), func(*scenarios.Scenario, sim.Result) {})))
}

// releaseAtEnd lets the models release what their runs kept for the next
// ones (models.Release: parked task coroutines, memos) when t ends, as a
// campaign does at its end, so that a goroutine check after the tests
// (goleak) finds none of it.
func releaseAtEnd(t testing.TB) {
	t.Cleanup(func() {
		if err := models.Release(models.All()...); err != nil {
			t.Errorf("models.Release: %v", err)
		}
	})
}

// fuzzProperty is the property of a model's native fuzz target: it draws a
// run seed and a case of variant (campaign.DrawFuzzCase, from Bits) and
// fails on any violation, printing the scenario that replays it. seen
// receives every drawn scenario and its result.
func fuzzProperty(model, variant string, seen func(*scenarios.Scenario, sim.Result)) func(*rapid.T) {
	return func(t *rapid.T) {
		m, err := scenarios.LookupModel(model)
		if err != nil {
			t.Fatalf("%v", err)
		}
		s, r, err := campaign.DrawFuzzCase(m, variant, Bits(t))
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		seen(s, r)
		if len(r.Violations) > 0 {
			t.Fatalf("%s\nscenario (faultsim import turns the saved input into this file):\n%s", r.Violations[0], scenarios.Format(s))
		}
	}
}

// Bits is the Chooser of a native fuzz target's property: every bit is a
// rapid.Bool draw, decoded into choices as a campaign decodes its bits
// (campaign.DrawInt), and every sim.Group a rapid.Custom group, so rapid
// can lower bits and delete whole items.
func Bits(t *rapid.T) sim.Chooser { return rapidBits{t} }

type rapidBits struct{ t *rapid.T }

var boolGen = rapid.Bool()

func (c rapidBits) bit() int {
	if boolGen.Draw(c.t, "bit") {
		return 1
	}
	return 0
}

// Intn decodes a choice from rapid's bits.
func (c rapidBits) Intn(n int) int { return campaign.DrawInt(n, c.bit) }

// Group draws fn's choices as one rapid group, which the shrinker can
// delete in one step.
func (c rapidBits) Group(fn func(sim.Chooser)) {
	rapid.Custom(func(t *rapid.T) struct{} {
		fn(rapidBits{t})
		return struct{}{}
	}).Draw(c.t, "group")
}

// CheckSeedCorpus checks the seed corpus of a model's fuzz target, run from
// the model's package directory: testdata/fuzz/<FuzzTarget> exists, and
// each entry decodes without rapid to the case rapid.MakeFuzz draws from
// it. With -update-fuzz-corpus it first writes the corpus: the first eight
// cases of campaign seed 1.
func CheckSeedCorpus(t *testing.T, model string) {
	t.Helper()
	m, err := scenarios.LookupModel(model)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "fuzz", FuzzTarget(model))
	if *updateFuzzCorpus {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range 8 {
			data := campaign.FormatFuzzFile(campaign.SeedInput(m, i))
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Fatalf("model %s has no seed corpus in %s: run go test -run %s -update-fuzz-corpus in the model's directory", model, dir, t.Name())
	}
	variant := campaign.FuzzVariant(m)
	for _, file := range files {
		data, err := campaign.ReadFuzzFile(file)
		if err != nil {
			t.Fatal(err)
		}
		decoded, _, err := campaign.DecodeFuzzInput(model, variant, data)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var drawn *scenarios.Scenario
		rapid.MakeFuzz(fuzzProperty(model, variant, func(s *scenarios.Scenario, _ sim.Result) { drawn = s }))(t, data)
		if drawn == nil || drawn.Seed != decoded.Seed || string(scenarios.Format(drawn)) != string(scenarios.Format(decoded)) {
			t.Fatalf("%s: rapid.MakeFuzz and DecodeFuzzInput read different scenarios:\n%v\n---\n%s", file, drawn, scenarios.Format(decoded))
		}
	}
}
