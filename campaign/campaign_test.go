package campaign

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/shrink"
	"github.com/faultsim/faultsim/sim"
)

// outcome is what must not depend on workers, shards or interruptions: the
// indexes run and every finding with its representative, hits and file.
func outcome(t *testing.T, dir string, st *State) string {
	t.Helper()
	var b strings.Builder
	for _, ss := range st.Streams {
		fmt.Fprintf(&b, "stream %s/%s done %v\n", ss.Model, ss.Variant, ss.Done)
	}
	for _, f := range st.Findings {
		fmt.Fprintf(&b, "finding %s index %d seed %d hits %d file %s size %d->%d by %s partial %v\n",
			f.Signature, f.Index, f.CaseSeed, f.Hits, f.File, f.SizeBefore, f.SizeAfter, f.Shrinker, f.Partial)
		if dir != "" {
			data, err := os.ReadFile(filepath.Join(dir, f.File))
			if err != nil {
				t.Fatal(err)
			}
			b.Write(data)
		}
	}
	return b.String()
}

// sized is n, or short under go test -short: the campaign tests shrink in
// size (still several chunks of DefaultChunk per stream), not in what they
// assert.
func sized(n, short int) int {
	if testing.Short() {
		return short
	}
	return n
}

var twoStreams = []Stream{{"hostport", "zero-port-unfiltered"}, {"signals", "crio-crun-1.17"}, {"annotations", "reference"}}

// TestCampaignSameWhateverTheWorkers: one, two and three workers run the
// same indexes and write the same findings, byte for byte.
func TestCampaignSameWhateverTheWorkers(t *testing.T) {
	var want string
	max := sized(700, 300)
	for _, workers := range []int{1, 2, 3} {
		dir := t.TempDir()
		rep, err := Run(context.Background(), Config{Streams: twoStreams, Seed: 3, MaxScenarios: max, Workers: workers, Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Scenarios != int64(3*max) || len(rep.Findings) == 0 {
			t.Fatalf("%d workers: %d scenarios, %d findings; want %d and some", workers, rep.Scenarios, len(rep.Findings), 3*max)
		}
		got := outcome(t, dir, rep.State)
		if want == "" {
			want = got
		} else if got != want {
			t.Fatalf("%d workers differ from 1:\n%s\n---\n%s", workers, got, want)
		}
	}
}

// TestJobsCutShortChangeNothing: jobs cut after one scenario each (as a
// slow model's are, by jobQuantum) hand the rest of their range back, and
// the campaign runs the same indexes and writes the same findings.
func TestJobsCutShortChangeNothing(t *testing.T) {
	max := sized(300, 100)
	run := func(workers int) string {
		dir := t.TempDir()
		rep, err := Run(context.Background(), Config{Streams: twoStreams, Seed: 5, MaxScenarios: max, Workers: workers, Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Scenarios != int64(3*max) {
			t.Fatalf("%d workers: %d scenarios, want %d", workers, rep.Scenarios, 3*max)
		}
		return outcome(t, dir, rep.State)
	}
	want := run(1)
	defer func(q time.Duration) { jobQuantum = q }(jobQuantum)
	jobQuantum = 0
	for _, workers := range []int{1, 2} {
		if got := run(workers); got != want {
			t.Fatalf("one-scenario jobs, %d workers, differ from whole chunks:\n%s\n---\n%s", workers, got, want)
		}
	}
}

// TestInterruptedThenResumedEqualsUninterrupted: a campaign cancelled
// mid-run keeps what it found (files on disk, in its state), and resuming it
// runs exactly the indexes it had not run: the result is the uninterrupted
// campaign's, hits included.
func TestInterruptedThenResumedEqualsUninterrupted(t *testing.T) {
	max := sized(1500, 600)
	full := t.TempDir()
	rep, err := Run(context.Background(), Config{Streams: twoStreams, Seed: 5, MaxScenarios: max, Workers: 2, Out: full})
	if err != nil {
		t.Fatal(err)
	}
	want := outcome(t, full, rep.State)

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first, err := Run(ctx, Config{Streams: twoStreams, Seed: 5, MaxScenarios: max, Workers: 2, Out: dir,
		ProgressInterval: 5e6, Progress: func(p Progress) {
			if p.Scenarios > 600 {
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Interrupted || first.Scenarios >= int64(3*max) {
		t.Fatalf("first session: interrupted %v after %d scenarios; want an interrupt before %d", first.Interrupted, first.Scenarios, 3*max)
	}
	saved, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range saved.Findings {
		if _, err := scenarios.ParseFile(filepath.Join(dir, f.File)); err != nil {
			t.Fatalf("finding %s reported before the interrupt has no readable file: %v", f.Signature, err)
		}
	}
	second, err := Run(context.Background(), Config{Resume: saved, Out: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if second.Scenarios+first.Scenarios != int64(3*max) {
		t.Fatalf("sessions ran %d + %d scenarios, want %d in all: a seed ran twice or not at all", first.Scenarios, second.Scenarios, 3*max)
	}
	if got := outcome(t, dir, second.State); got != want {
		t.Fatalf("interrupted and resumed campaign differs from the uninterrupted one:\n%s\n---\n%s", got, want)
	}
	if second.State.Sessions != 2 {
		t.Fatalf("sessions = %d, want 2", second.State.Sessions)
	}
}

// TestShardsMergeEqualsUnsharded: four shards of a campaign, merged, are
// the unsharded campaign: the same indexes, findings, hits and files.
func TestShardsMergeEqualsUnsharded(t *testing.T) {
	max := sized(1300, 520)
	whole := t.TempDir()
	rep, err := Run(context.Background(), Config{Streams: twoStreams, Seed: 9, MaxScenarios: max, Workers: 2, Out: whole})
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	var total int64
	for i := range 4 {
		dir := t.TempDir()
		r, err := Run(context.Background(), Config{Streams: twoStreams, Seed: 9, MaxScenarios: max, Workers: 1, Shard: Shard{i, 4}, Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		total += r.Scenarios
		dirs = append(dirs, dir)
	}
	if total != int64(3*max) {
		t.Fatalf("4 shards ran %d scenarios, want %d", total, 3*max)
	}
	merged := t.TempDir()
	st, err := Merge(merged, dirs...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := outcome(t, merged, st), outcome(t, whole, rep.State); got != want {
		t.Fatalf("merged shards differ from the unsharded campaign:\n%s\n---\n%s", got, want)
	}
	if _, err := Merge(t.TempDir(), dirs[0], dirs[0]); err == nil || !strings.Contains(err.Error(), "expected disjoint shards") {
		t.Fatalf("merging a shard with itself: %v, want an overlap error", err)
	}
}

func TestRanges(t *testing.T) {
	for _, tt := range []struct {
		name    string
		add     []Range
		want    Ranges
		overlap int64
	}{
		{"disjoint in order", []Range{{0, 5}, {10, 15}}, Ranges{{0, 5}, {10, 15}}, 0},
		{"adjacent merge", []Range{{0, 5}, {5, 9}}, Ranges{{0, 9}}, 0},
		{"out of order", []Range{{10, 15}, {0, 5}, {5, 10}}, Ranges{{0, 15}}, 0},
		{"overlap counted", []Range{{0, 10}, {5, 12}}, Ranges{{0, 12}}, 5},
		{"bridge", []Range{{0, 2}, {4, 6}, {8, 10}, {1, 9}}, Ranges{{0, 10}}, 4},
		{"empty ignored", []Range{{3, 3}}, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var rs Ranges
			var overlap int64
			for _, r := range tt.add {
				overlap += rs.Add(r.Lo, r.Hi)
			}
			if !reflect.DeepEqual(rs, tt.want) || overlap != tt.overlap {
				t.Fatalf("got %v (overlap %d), want %v (overlap %d)", rs, overlap, tt.want, tt.overlap)
			}
		})
	}
	rs := Ranges{{2, 4}, {6, 8}}
	if got := rs.Gaps(0, 10); !reflect.DeepEqual(got, Ranges{{0, 2}, {4, 6}, {8, 10}}) {
		t.Fatalf("gaps = %v", got)
	}
	if got := rs.Gaps(2, 4); got != nil {
		t.Fatalf("gaps of a covered range = %v, want none", got)
	}
}

func TestParseShard(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"", Shard{0, 1}, true}, {"0/4", Shard{0, 4}, true}, {"3/4", Shard{3, 4}, true},
		{"4/4", Shard{}, false}, {"-1/4", Shard{}, false}, {"1/0", Shard{}, false}, {"1", Shard{}, false}, {"a/b", Shard{}, false},
	} {
		got, err := ParseShard(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseShard(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestReports: the summary is written as JSON, Markdown and a self-contained
// HTML page with an inline SVG plot.
func TestReports(t *testing.T) {
	dir := t.TempDir()
	if _, err := Run(context.Background(), Config{Streams: twoStreams[:2], Seed: 1, MaxScenarios: 300, Workers: 2, Out: dir, Shrink: shrink.ModeGreedy}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		file string
		want []string
	}{
		{SummaryJSON, []string{`"scenarios_per_worker_s"`, `"first_finding_at_scenario"`, `"signature": "hostport/zero-port-unfiltered/`}},
		{SummaryMD, []string{"# faultsim campaign", "| hostport | zero-port-unfiltered | buggy | 300 |", "## Findings"}},
		{ReportHTML, []string{"<svg", "<polyline", "<circle", "<title>hostport/zero-port-unfiltered/", "signals/crio-crun-1.17"}},
	} {
		data, err := os.ReadFile(filepath.Join(dir, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s lacks %q", tt.file, w)
			}
		}
		if tt.file == ReportHTML && (strings.Contains(string(data), "<script") || strings.Contains(string(data), "http://") && !strings.Contains(string(data), "http://www.w3.org/2000/svg")) {
			t.Errorf("report.html is not self-contained")
		}
	}
}

// TestCampaignIsDeterministic: the same seed finds the same minimal files.
func TestCampaignIsDeterministic(t *testing.T) {
	run := func() string {
		rep, err := Run(context.Background(), Config{Model: "hostport", Variant: "crio-1.33.0", Seed: 7, MaxScenarios: 2000})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, f := range rep.Findings {
			b.Write(scenarios.Format(f.Scenario))
		}
		return b.String()
	}
	if a, b := run(), run(); a != b || a == "" {
		t.Fatalf("two campaigns with one seed differ (or found nothing):\n%s\n---\n%s", a, b)
	}
}

func TestSignatureIgnoresSourceLines(t *testing.T) {
	crash := func(line int) sim.Violation {
		return sim.Violation{Invariant: "crash", Message: "panic: runtime error: x at a place the message names",
			Site: &sim.Site{Func: "hostport.(*iptablesBackend).remove", File: "iptables.go", Line: line}}
	}
	if a, b := signature("v", crash(103)), signature("v", crash(104)); a != b || a != "v/crash@hostport.(*iptablesBackend).remove" {
		t.Fatalf("signatures %q and %q: want one, naming the function", a, b)
	}
	other := sim.Violation{Invariant: "crash", Message: "panic: runtime error: x at a place the message names",
		Site: &sim.Site{Func: "hostport.(*nftBackend).forwards", File: "nftables.go", Line: 1}}
	if signature("v", other) == signature("v", crash(103)) {
		t.Fatal("crashes in different functions share a signature")
	}
}
