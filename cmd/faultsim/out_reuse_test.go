package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutHoldingACampaignIsRefused: fuzz, campaign and merge into an --out
// that holds another campaign are refused (exit 2, saying how to go on)
// and change nothing there; --force replaces it, removing the old
// campaign's finding files, so no file is left that no summary lists.
func TestOutHoldingACampaignIsRefused(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if code, msg := run(t, "fuzz", "--model", "hostname", "--variant", "truncate-only", "--max-scenarios", "300", "--out", out); code != 1 {
		t.Fatalf("first campaign: exit %d, want 1 (a finding)\n%s", code, msg)
	}
	before := listDir(t, out)
	if !strings.Contains(strings.Join(before, " "), "hostname-truncate-only-") {
		t.Fatalf("first campaign wrote %v: expected a finding file", before)
	}
	shard := filepath.Join(dir, "shard")
	if code, msg := run(t, "fuzz", "--model", "hostname", "--variant", "reference", "--max-scenarios", "100", "--out", shard); code != 0 {
		t.Fatalf("shard campaign: exit %d\n%s", code, msg)
	}
	for _, args := range [][]string{
		{"fuzz", "--model", "hostname", "--variant", "reference", "--max-scenarios", "100", "--out", out},
		{"campaign", "--duration", "100ms", "--out", dir}, // dir/out is not it: dir/<model> is
		{"merge", "--out", out, shard},
	} {
		if args[0] == "campaign" {
			if code, msg := run(t, "fuzz", "--model", "hostname", "--variant", "reference", "--max-scenarios", "50", "--out", filepath.Join(dir, "annotations")); code != 0 {
				t.Fatalf("campaign setup: exit %d\n%s", code, msg)
			}
		}
		code, msg := run(t, args...)
		if code != 2 || !strings.Contains(msg, "holds another campaign") || !strings.Contains(msg, "--resume") || !strings.Contains(msg, "--force") {
			t.Errorf("faultsim %v: exit %d, %q; want exit 2 naming --resume and --force", args, code, msg)
		}
	}
	if after := listDir(t, out); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Fatalf("a refused run changed --out: %v, was %v", after, before)
	}
	if code, msg := run(t, "fuzz", "--model", "hostname", "--variant", "reference", "--max-scenarios", "100", "--out", out, "--force"); code != 0 {
		t.Fatalf("--force: exit %d\n%s", code, msg)
	}
	for _, name := range listDir(t, out) {
		if strings.HasPrefix(name, "hostname-truncate-only-") {
			t.Errorf("--force left the old campaign's finding %s", name)
		}
	}
	if code, msg := run(t, "fuzz", "--resume", out, "--force"); code != 2 || !strings.Contains(msg, "--force with --resume") {
		t.Errorf("--resume with --force: exit %d, %q; want it refused", code, msg)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
