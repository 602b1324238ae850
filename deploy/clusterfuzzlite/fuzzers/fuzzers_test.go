package fuzzers

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/scenarios"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestEveryModelHasATarget: a model added without a libFuzzer target here
// fails, and every target passes its model's seed corpus.
func TestEveryModelHasATarget(t *testing.T) {
	var names []string
	for name := range Targets {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := scenarios.ModelNames(); !slices.Equal(names, want) {
		t.Fatalf("targets for %v, models %v: add a FuzzX function and a Targets entry for each model", names, want)
	}
	for _, name := range names {
		dir := "Fuzz" + strings.ToUpper(name[:1]) + name[1:]
		files, _ := filepath.Glob(filepath.Join("..", "..", "..", "scenarios", "testdata", "fuzz", dir, "*"))
		if len(files) == 0 {
			t.Fatalf("%s: no seed corpus in scenarios/testdata/fuzz/%s", name, dir)
		}
		for _, f := range files {
			data, err := scenarios.ReadFuzzFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := Targets[name](data); got != 0 {
				t.Fatalf("%s on %s returned %d", name, f, got)
			}
		}
	}
}

// TestShortInputIsNotACrash: an input too short to draw a case is skipped,
// as rapid.MakeFuzz skips it, not reported as a crash.
func TestShortInputIsNotACrash(t *testing.T) {
	for name, target := range Targets {
		if got := target([]byte{1, 2, 3}); got != 0 {
			t.Fatalf("%s: short input returned %d", name, got)
		}
	}
}
