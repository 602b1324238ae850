package scenarios

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/sim"
)

// Native fuzz targets, one per model: make fuzz runs each; go test runs
// their seed corpora (testdata/fuzz/Fuzz<Model>/) as tests. A failing input
// that go test -fuzz saves becomes a scenario with faultsim import.

func FuzzHostport(f *testing.F)    { fuzzModel(f, "hostport") }
func FuzzSignals(f *testing.F)     { fuzzModel(f, "signals") }
func FuzzAnnotations(f *testing.F) { fuzzModel(f, "annotations") }
func FuzzCgroups(f *testing.F)     { fuzzModel(f, "cgroups") }

func fuzzModel(f *testing.F, model string) {
	m, err := LookupModel(model)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(rapid.MakeFuzz(FuzzProperty(model, FuzzVariant(m), nil)))
}

var updateFuzzCorpus = flag.Bool("update-fuzz-corpus", false, "rewrite the seed corpora under testdata/fuzz from campaign seeds")

// fuzzTarget is the name of a model's fuzz target.
func fuzzTarget(model string) string {
	r := []rune(model)
	return "Fuzz" + string(unicode.ToUpper(r[0])) + string(r[1:])
}

// TestFuzzSeedCorpora: every model has a fuzz target's seed corpus (go test
// -run TestFuzzSeedCorpora -update-fuzz-corpus ./scenarios writes it: the
// first cases of campaign seed 1, with run seeds 0-7), and each entry decodes
// without rapid to the case rapid.MakeFuzz draws from it.
func TestFuzzSeedCorpora(t *testing.T) {
	for _, model := range ModelNames() {
		m, _ := LookupModel(model)
		dir := filepath.Join("testdata", "fuzz", fuzzTarget(model))
		if *updateFuzzCorpus {
			for i := range 8 {
				data := EncodeFuzzInput(m, FuzzVariant(m), uint16(i), caseSeed(1, int64(i)))
				if err := writeAtomic(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), FormatFuzzFile(data)); err != nil {
					t.Fatal(err)
				}
			}
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		if len(files) == 0 {
			t.Fatalf("model %s has no seed corpus in %s: add func %s(f *testing.F) { fuzzModel(f, %q) } to fuzz_test.go and run go test -run TestFuzzSeedCorpora -update-fuzz-corpus ./scenarios", model, dir, fuzzTarget(model), model)
		}
		for _, file := range files {
			data, err := ReadFuzzFile(file)
			if err != nil {
				t.Fatal(err)
			}
			decoded, _, err := DecodeFuzzInput(model, FuzzVariant(m), data)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			var drawn *Scenario
			rapid.MakeFuzz(fuzzProperty(model, FuzzVariant(m), func(s *Scenario, _ sim.Result) { drawn = s }))(t, data)
			if drawn == nil || drawn.Seed != decoded.Seed || string(Format(drawn)) != string(Format(decoded)) {
				t.Fatalf("%s: rapid.MakeFuzz and DecodeFuzzInput read different scenarios:\n%v\n---\n%s", file, drawn, Format(decoded))
			}
		}
	}
}

// TestImportFuzzInput: the fuzz input of a campaign's failing case imports
// as the file a campaign writes for that failure (same name, same expect),
// which replays to it; a passing input imports as a pass; a short input is
// an error.
func TestImportFuzzInput(t *testing.T) {
	m, seeds, order := firstFailures(t, "signals", "crun-1.16", 1)
	sig := order[0]
	data := EncodeFuzzInput(m, "crun-1.16", 7, seeds[sig])
	dir := t.TempDir()
	paths, err := ImportFuzzInput("signals", "crun-1.16", data, "seed-x", dir)
	if err != nil || len(paths) == 0 {
		t.Fatalf("import: %v, %v", paths, err)
	}
	names := strings.Join(paths, " ")
	if !strings.Contains(names, findingName(sig)+".yaml") {
		t.Fatalf("imported %v, want the campaign's file name %s.yaml among them", paths, findingName(sig))
	}
	for _, p := range paths {
		s, err := ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if o, err := Run(s, false); err != nil || !o.OK || s.Expect.Violation == "" {
			t.Fatalf("%s does not replay to a violation: %s %v", p, o.Got, err)
		}
	}
	if err := checkFuzzInput("signals", "crun-1.16", data); err == nil || !strings.Contains(err.Error(), "variant: crun-1.16") {
		t.Fatalf("the libFuzzer check of a failing input: %v, want the violation and its scenario", err)
	}
	ref := EncodeFuzzInput(m, "reference", 3, caseSeed(1, 0))
	if err := checkFuzzInput("signals", "reference", ref); err != nil {
		t.Fatalf("the libFuzzer check of a passing input: %v", err)
	}
	paths, err = ImportFuzzInput("signals", "reference", ref, "seed-0", dir)
	if err != nil || len(paths) != 1 || !strings.Contains(paths[0], "-pass-") {
		t.Fatalf("passing input imported as %v, %v", paths, err)
	}
	if _, err := ImportFuzzInput("signals", "reference", ref[:40], "short", dir); err == nil || !strings.Contains(err.Error(), "ends before the case does") {
		t.Fatalf("short input: %v", err)
	}
	raw := filepath.Join(t.TempDir(), "raw")
	if err := os.WriteFile(raw, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if back, err := ReadFuzzFile(raw); err != nil || string(back) != string(data) {
		t.Fatalf("raw input read back as %d bytes, %v", len(back), err)
	}
}
