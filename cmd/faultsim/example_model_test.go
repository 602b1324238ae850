package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExampleModelEndToEnd drives the example model (models/hostname: one
// directory and one import line in models/all) through every command: a
// campaign finds its mutant, the finding replays with run and replay (and
// a timeline), campaigns merge, list and bench know it, and its fuzz
// target's seed input imports as a scenario.
func TestExampleModelEndToEnd(t *testing.T) {
	dir := t.TempDir()
	shard := func(i string) string { return filepath.Join(dir, "shard-"+i) }
	for _, i := range []string{"0", "1"} {
		code, out := run(t, "fuzz", "--model", "hostname", "--variant", "all", "--seed", "1", "--max-scenarios", "512",
			"--duration", "5m", "--shard", i+"/2", "--workers", "1", "--out", shard(i))
		if code != 1 && code != 0 {
			t.Fatalf("fuzz shard %s: exit %d\n%s", i, code, out)
		}
	}
	merged := filepath.Join(dir, "merged")
	if code, out := run(t, "merge", "--out", merged, shard("0"), shard("1")); code != 0 {
		t.Fatalf("merge: exit %d\n%s", code, out)
	}
	findings, _ := filepath.Glob(filepath.Join(merged, "hostname-truncate-only-hostname-valid-*.yaml"))
	if len(findings) != 1 {
		t.Fatalf("merged findings %v, want the mutant's hostname-valid once", findings)
	}
	if ref, _ := filepath.Glob(filepath.Join(merged, "hostname-reference-*.yaml")); len(ref) != 0 {
		t.Fatalf("the reference failed: %v", ref)
	}
	if code, out := run(t, "run", merged); code != 0 || !strings.HasSuffix(lastLine(out), "1 passed, 0 failed") {
		t.Fatalf("run of the merged findings: exit %d\n%s", code, out)
	}
	html := filepath.Join(dir, "t.html")
	code, out := run(t, "replay", "--timeline", html, findings[0])
	if code != 0 || !strings.Contains(out, "RunPodSandbox") || !strings.Contains(out, "VIOLATION hostname-valid") {
		t.Fatalf("replay: exit %d\n%s", code, out)
	}
	if page, err := os.ReadFile(html); err != nil || !strings.Contains(string(page), `data-actor="kubelet"`) {
		t.Fatalf("timeline: %v", err)
	}
	if code, out = run(t, "list", "--model", "hostname"); code != 0 || !strings.Contains(out, "truncate-only") || !strings.Contains(out, "long-pod-name") || !strings.Contains(out, "hostname-valid") {
		t.Fatalf("list --model hostname: exit %d\n%s", code, out)
	}
	if code, out = run(t, "bench", "--model", "hostname", "--duration", "50ms", "--seeds", "1"); code != 0 || !strings.Contains(out, "| hostname | truncate-only |") {
		t.Fatalf("bench --model hostname: exit %d\n%s", code, out)
	}
	seed := "../../models/hostname/testdata/fuzz/FuzzHostname/seed-0"
	if code, out = run(t, "import", "--out", filepath.Join(dir, "imported"), seed); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	if imported, _ := filepath.Glob(filepath.Join(dir, "imported", "hostname-*.yaml")); len(imported) == 0 {
		t.Fatal("import wrote no hostname scenario")
	}
}
