package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/scenarios"
)

// TestFindingNumbersMatchSummary checks that a finding's description and
// summary.md number its scenario alike: from 1 within its model and
// variant, the state's 0-based index plus one.
func TestFindingNumbersMatchSummary(t *testing.T) {
	dir := t.TempDir()
	if code, out := run(t, "fuzz", "--model", "hostport", "--variant", "crio-1.33.0,zero-port-unfiltered",
		"--max-scenarios", "300", "--seed", "1", "--workers", "1", "--out", dir); code != 1 {
		t.Fatalf("fuzz: exit %d, want 1 (findings)\n%s", code, out)
	}
	st, err := campaign.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, campaign.SummaryMD))
	if err != nil {
		t.Fatal(err)
	}
	header := regexp.MustCompile(`\(scenario (\d+) of ([^/]+)/(\S+), counted from 1\)`)
	if len(st.Findings) == 0 {
		t.Fatal("no findings to check")
	}
	for _, f := range st.Findings {
		s, err := scenarios.ParseFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		m := header.FindStringSubmatch(s.Description)
		if m == nil {
			t.Fatalf("%s: description %q names no \"(scenario N of model/variant, counted from 1)\"", f.File, s.Description)
		}
		inFile, _ := strconv.ParseInt(m[1], 10, 64)
		if inFile != f.Index+1 || m[2] != f.Model || m[3] != f.Variant {
			t.Errorf("%s: description says scenario %s of %s/%s, state has index %d of %s/%s (scenario %d)",
				f.File, m[1], m[2], m[3], f.Index, f.Model, f.Variant, f.Index+1)
		}
		if inSummary := summaryFirstScenario(t, string(md), f.Signature); inSummary != inFile {
			t.Errorf("%s: description says scenario %d, summary.md says %d", f.File, inFile, inSummary)
		}
	}
}

// summaryFirstScenario reads the "first scenario" column of a finding's
// row in summary.md.
func summaryFirstScenario(t *testing.T, md, signature string) int64 {
	t.Helper()
	for line := range strings.Lines(md) {
		if !strings.HasPrefix(line, "| `"+signature+"` |") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			break
		}
		n, err := strconv.ParseInt(strings.TrimSpace(cells[3]), 10, 64)
		if err != nil {
			t.Fatalf("summary.md row %q: first scenario %q: %v", line, cells[3], err)
		}
		return n
	}
	t.Fatalf("summary.md has no row for %s:\n%s", signature, md)
	return 0
}
