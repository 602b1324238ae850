package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/models"
)

// TestImportTurnsFuzzInputsIntoReplayableScenarios: a go test -fuzz corpus
// file of a failing signals case imports (model from the directory name) as
// scenario files that faultsim run replays, and --raw writes libFuzzer bytes.
func TestImportTurnsFuzzInputsIntoReplayableScenarios(t *testing.T) {
	m, _ := models.Lookup("signals")
	// Campaign seed 1's first scenario breaks crun-1.16's scope check.
	in := filepath.Join(t.TempDir(), "FuzzSignals", "input")
	data := campaign.EncodeFuzzInput(m, "crun-1.16", 3, scenariosCaseSeed(t))
	if err := os.MkdirAll(filepath.Dir(in), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, campaign.FormatFuzzFile(data), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, text := run(t, "import", "--variant", "crun-1.16", "--out", out, in)
	if code != 0 || !strings.Contains(text, "signals-crun-1.16-") {
		t.Fatalf("import: exit %d\n%s", code, text)
	}
	if code, text := run(t, "run", out); code != 0 {
		t.Fatalf("imported files do not replay: exit %d\n%s", code, text)
	}
	raw := t.TempDir()
	if code, text := run(t, "import", "--raw", raw, in); code != 0 {
		t.Fatalf("import --raw: exit %d\n%s", code, text)
	}
	if back, err := os.ReadFile(filepath.Join(raw, "input")); err != nil || string(back) != string(data) {
		t.Fatalf("raw bytes differ (%v)", err)
	}
	for _, bad := range [][]string{
		{"import", "--out", out, in + "-missing"},
		{"import", "--out", out, filepath.Join(out, "x")},
		{"import", in},
		{"import", "--model", "kubelet", "--out", out, in},
	} {
		if code, text := run(t, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", bad, code, text)
		}
	}
}

// scenariosCaseSeed is the case seed of campaign seed 1's first scenario,
// read back from a one-scenario campaign's finding.
func scenariosCaseSeed(t *testing.T) uint64 {
	t.Helper()
	dir := t.TempDir()
	if code, text := run(t, "fuzz", "--model", "signals", "--variant", "crun-1.16", "--max-scenarios", "1", "--workers", "1", "--shrink", "none", "--out", dir); code != 1 {
		t.Fatalf("one-scenario campaign: exit %d\n%s", code, text)
	}
	st, err := campaign.LoadState(dir)
	if err != nil || len(st.Findings) == 0 {
		t.Fatalf("state: %v", err)
	}
	return st.Findings[0].CaseSeed
}

// TestFuzzFlags: the campaign flags are checked before anything runs.
func TestFuzzFlags(t *testing.T) {
	dir := t.TempDir()
	// --shrink none: this checks which streams --model all --variant buggy
	// selects; shrinking (tested elsewhere) would only add minutes under -race.
	if code, text := run(t, "fuzz", "--model", "all", "--variant", "buggy", "--max-scenarios", "50", "--workers", "2", "--shrink", "none", "--out", dir); code != 1 {
		t.Fatalf("all buggy variants: exit %d\n%s", code, text)
	}
	st, err := campaign.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ss := range st.Streams {
		m, _ := models.Lookup(ss.Model)
		if v, _ := m.Variant(ss.Variant); !v.Buggy {
			t.Fatalf("--variant buggy selected %s/%s", ss.Model, ss.Variant)
		}
	}
	for _, bad := range [][]string{
		{"fuzz", "--variant", "reference", "--shard", "4/4"},
		{"fuzz", "--variant", "reference", "--workers", "0"},
		{"fuzz", "--variant", "reference", "--shrink", "harder"},
		{"fuzz", "--variant", "reference", "--max-scenarios", "-1"},
		{"fuzz", "--model", "signals", "--variant", "crio-1.33.0"},
		{"fuzz", "--resume", dir, "--seed", "2"},
		{"fuzz", "--resume", t.TempDir()},
		{"merge", "--out", t.TempDir(), t.TempDir()},
		{"merge", dir},
	} {
		if code, text := run(t, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", bad, code, text)
		}
	}
}

// TestImportHostilePath: a fuzz input whose path holds a carriage return,
// a line separator and YAML indicators imports as files that run replays
// (the path goes into the description and its comment lines, where a CR
// once started a second "name:" field).
func TestImportHostilePath(t *testing.T) {
	m, _ := models.Lookup("hostport")
	for _, name := range []string{"in\rname: y", "in\u2028- x", "in\u0085#: [&*]"} {
		in := filepath.Join(t.TempDir(), "FuzzHostport", name)
		if err := os.MkdirAll(filepath.Dir(in), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(in, campaign.FormatFuzzFile(campaign.EncodeFuzzInput(m, "reference", 1, 7)), 0o644); err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		if code, text := run(t, "import", "--out", out, in); code != 0 {
			t.Fatalf("import %q: exit %d\n%s", name, code, text)
		}
		if code, text := run(t, "run", out); code != 0 || !strings.HasSuffix(lastLine(text), " passed, 0 failed") {
			t.Fatalf("import %q wrote files run does not replay: exit %d\n%s", name, code, text)
		}
	}
}
