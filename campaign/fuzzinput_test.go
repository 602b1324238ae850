package campaign

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/internal/badinput"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
)

// The native fuzz targets live with their models (scenariotest.FuzzModel,
// models/<m>/fuzz_model_test.go); these tests check what they share.

// firstFailures finds, for a model and variant, the first case seed of
// campaign seed 1 that breaks each signature (at most n signatures).
func firstFailures(t *testing.T, model, variant string, n int) (m *models.Model, seeds map[string]uint64, order []string) {
	t.Helper()
	m, err := scenarios.LookupModel(model)
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
		s, err := scenarios.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if o, err := scenarios.Run(s, false); err != nil || !o.OK || s.Expect.Violation == "" {
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

// TestReadFuzzFileRefusesBadFiles: ReadFuzzFile refuses each special file
// (internal/badinput.Files: a FIFO, /dev/zero, a symlink loop, ...) within
// a second, naming the path and what it is, as ParseFile does (the
// scenarios package's TestBadFiles).
func TestReadFuzzFileRefusesBadFiles(t *testing.T) {
	for _, c := range badinput.Files() {
		t.Run(c.Name, func(t *testing.T) {
			path, err := c.Make(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { _, err := ReadFuzzFile(path); done <- err }()
			select {
			case err := <-done:
				if want := path + ": " + c.Want; err == nil || err.Error() != want {
					t.Errorf("ReadFuzzFile(%s) = %v, want %q", path, err, want)
				}
			case <-time.After(time.Second):
				t.Fatalf("ReadFuzzFile(%s) did not return within 1s", path)
			}
		})
	}
}
