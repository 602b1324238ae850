package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The native fuzz targets live with their models (scenariotest.FuzzModel,
// models/<m>/fuzz_model_test.go); these tests check what they share.

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
