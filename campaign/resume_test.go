package campaign

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/shrink"
)

// TestResumeKeepsTheShrinkMode: a --shrink rapid campaign, interrupted and
// resumed without saying how to shrink, shrinks what the second session
// finds with rapid too: its files are the uninterrupted campaign's.
func TestResumeKeepsTheShrinkMode(t *testing.T) {
	const max = 1500
	cfg := Config{Streams: twoStreams, Seed: 5, MaxScenarios: max, Workers: 2, Shrink: shrink.ModeRapid}
	cfg.Out = t.TempDir()
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := outcome(t, cfg.Out, rep.State)

	// Interrupted at once: whatever the machine's speed, every finding is
	// then found, or its shrink finished, by the resumed session, which
	// must shrink with the mode the state restores.
	cfg.Out = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	saved, err := LoadState(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Shrink != shrink.ModeRapid {
		t.Fatalf("state records shrink %q, want rapid", saved.Shrink)
	}
	later := len(rep.State.Findings) - len(saved.Findings)
	for _, f := range saved.Findings {
		if f.Partial || f.File == "" {
			later++
		}
	}
	if later == 0 {
		t.Fatalf("every finding was shrunk before the interrupt: the test shows nothing; interrupt earlier")
	}
	second, err := Run(context.Background(), Config{Resume: saved, Out: cfg.Out, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcome(t, cfg.Out, second.State); got != want {
		t.Fatalf("resumed --shrink rapid campaign (%d findings shrunk after the interrupt) differs from the uninterrupted one:\n%s\n---\n%s", later, got, want)
	}
	if _, err := Run(context.Background(), Config{Resume: saved, Out: cfg.Out, Workers: 1, Shrink: shrink.ModeGreedy}); err == nil || !strings.Contains(err.Error(), "shrinks with rapid") {
		t.Fatalf("resume asking for another shrink mode: %v, expected it refused", err)
	}
}

// TestUnfinishedCampaign: a campaign whose time budget ends before its
// budget in scenarios says so in its report and summary; resumed without a
// time budget it runs to the end and is finished.
func TestUnfinishedCampaign(t *testing.T) {
	dir := t.TempDir()
	streams := []Stream{{"hostport", "reference"}}
	rep, err := Run(context.Background(), Config{Streams: streams, Seed: 2, MaxScenarios: 1 << 40, Duration: 200 * time.Millisecond, Workers: 1, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	left := rep.State.Left()
	if !rep.Unfinished || left != 1<<40-rep.Scenarios {
		t.Fatalf("time budget ended after %d of %d scenarios: unfinished %v, left %d; want unfinished, %d left", rep.Scenarios, int64(1)<<40, rep.Unfinished, left, 1<<40-rep.Scenarios)
	}
	sum := Summarize(rep.State)
	if !sum.Unfinished || !strings.Contains(sum.Headline(), "UNFINISHED") || !strings.Contains(sum.Markdown(), "UNFINISHED") {
		t.Fatalf("summary of an unfinished campaign does not say so: %+v\n%s", sum, sum.Markdown())
	}
	st, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.DurationNS != int64(200*time.Millisecond) {
		t.Fatalf("state records duration %d, want 200ms", st.DurationNS)
	}
	done, err := Run(context.Background(), Config{Resume: st, Out: dir, Workers: 1, MaxScenarios: int(rep.Scenarios) + 300})
	if err != nil {
		t.Fatal(err)
	}
	if done.Unfinished || Summarize(done.State).Unfinished || done.Scenarios != 300 {
		t.Fatalf("resumed to a budget 300 above what ran: %d scenarios, unfinished %v; want 300 and finished", done.Scenarios, done.Unfinished)
	}
}

// TestSchedulerIndexesStayBounded: at the largest shard count, with a
// chunk far larger than a campaign's, the scheduler hands out only
// indexes in [0, MaxIndex) (no overflow into negative indexes, which
// --shard 0/9223372036854775807 gave), increasing, and then stops.
func TestSchedulerIndexesStayBounded(t *testing.T) {
	st := &State{Version: stateVersion, Shard: Shard{MaxShards - 1, MaxShards}.String(), Chunk: maxChunk}
	streams := []Stream{{"hostport", "reference"}}
	s := newScheduler(streams, st, Shard{MaxShards - 1, MaxShards})
	last := int64(-1)
	for n := 0; ; n++ {
		j, ok := s.next()
		if !ok {
			if n == 0 || last > MaxIndex {
				t.Fatalf("stopped after %d jobs at index %d", n, last)
			}
			return
		}
		if j.lo <= last || j.lo < 0 || j.hi > MaxIndex || j.hi <= j.lo {
			t.Fatalf("job %d: [%d, %d) after index %d: expected increasing indexes within [0, %d)", n, j.lo, j.hi, last, MaxIndex)
		}
		last = j.hi - 1
		s.done(j.stream, 0, Range{})
		if n > 20_000 {
			t.Fatalf("still handing out jobs after %d, at index %d: no bound", n, last)
		}
	}
}

// TestStopWithinASecondAtTheWorkerBound: a cgroups campaign (the slowest
// model: real file I/O) on 4x the CPUs' workers, the most the fuzz command
// allows without --force-workers, stops within a second of an interrupt.
// The shared machine's load only adds time, so the best of three attempts
// is what the code takes.
func TestStopWithinASecondAtTheWorkerBound(t *testing.T) {
	workers := 4 * runtime.NumCPU()
	var best time.Duration
	for attempt := range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		var at time.Time
		_, err := Run(ctx, Config{Streams: []Stream{{"cgroups", "kata-3.12.0"}, {"cgroups", "reference"}}, Seed: uint64(attempt + 1),
			Workers: workers, Out: t.TempDir(), ProgressInterval: 10 * time.Millisecond, Progress: func(p Progress) {
				if p.Scenarios >= int64(2*workers) && at.IsZero() {
					at = time.Now()
					cancel()
				}
			}})
		took := time.Since(at)
		cancel()
		if err != nil || at.IsZero() {
			t.Fatalf("campaign: %v (interrupted: %v)", err, !at.IsZero())
		}
		t.Logf("attempt %d: %d workers stopped %s after the interrupt", attempt, workers, took.Round(time.Millisecond))
		if best == 0 || took < best {
			best = took
		}
		if best < time.Second {
			return
		}
	}
	t.Fatalf("%d workers took at best %s to stop, want under 1s", workers, best)
}
