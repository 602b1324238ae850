package scenarios

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) {
	if v := os.Getenv(determinismChild); v != "" {
		// The second process of TestDeterminismSuite: print, exit.
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "%s=%q: want the number of scenarios per model\n", determinismChild, v)
			os.Exit(2)
		}
		printTraceHashes(os.Stdout, n)
		return
	}
	goleak.VerifyTestMain(m)
}

func corpus(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("corpus/*.yaml")
	if err != nil || len(files) < 6 {
		t.Fatalf("corpus has %d files (%v), want at least 6", len(files), err)
	}
	return files
}

// TestCorpus replays every corpus file: each must produce what it expects.
func TestCorpus(t *testing.T) {
	for _, f := range corpus(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			o, err := Run(s, true)
			if err != nil {
				t.Fatal(err)
			}
			if !o.OK {
				t.Fatalf("expect %s, got %s\n%s", s.Expect, o.Got, o.Result.Trace.Text())
			}
		})
	}
}

// TestTraceHashIsStable replays every corpus file twice at GOMAXPROCS 1 and
// twice at 2: the trace hashes must all be equal.
func TestTraceHashIsStable(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, f := range corpus(t) {
		s, err := ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var hashes []string
		for _, procs := range []int{1, 1, 2, 2} {
			runtime.GOMAXPROCS(procs)
			o, err := Run(s, true)
			if err != nil {
				t.Fatal(err)
			}
			hashes = append(hashes, o.Result.Trace.Hash())
		}
		for _, h := range hashes[1:] {
			if h != hashes[0] {
				t.Fatalf("%s: trace hashes differ across replays and GOMAXPROCS: %v", f, hashes)
			}
		}
	}
}

// TestWriteParseRoundTrip: every corpus scenario written and parsed back is
// the same file and replays to the same trace.
func TestWriteParseRoundTrip(t *testing.T) {
	for _, f := range corpus(t) {
		s, err := ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := Format(s)
		back, err := Parse("roundtrip.yaml", text)
		if err != nil {
			t.Fatalf("%s: written file does not parse: %v\n%s", f, err, text)
		}
		if again := Format(back); string(again) != string(text) {
			t.Fatalf("%s: round trip changed the file:\n%s\n---\n%s", f, text, again)
		}
		a, _ := Run(s, true)
		b, _ := Run(back, true)
		if a.Result.Trace.Hash() != b.Result.Trace.Hash() || a.Got != b.Got {
			t.Fatalf("%s: round trip changed the run: %s/%s vs %s/%s", f, a.Got, a.Result.Trace.Hash(), b.Got, b.Result.Trace.Hash())
		}
	}
}

// TestCampaignFindsShrinksAndReplays: a short campaign against each buggy
// variant finds a failure, writes it shrunk, and the file replays to it;
// the reference finds nothing in the same budget.
func TestCampaignFindsShrinksAndReplays(t *testing.T) {
	for _, tt := range []struct {
		model, variant string
		finds          bool
	}{
		{"hostport", "crio-1.33.0", true}, {"hostport", "zero-port-unfiltered", true}, {"hostport", "reference", false},
		{"signals", "crun-1.16", true}, {"signals", "crio-crun-1.17", true}, {"signals", "reference", false},
	} {
		t.Run(tt.model+"/"+tt.variant, func(t *testing.T) {
			dir := t.TempDir()
			rep, err := Campaign(context.Background(), CampaignConfig{Model: tt.model, Variant: tt.variant, Seed: 1, MaxScenarios: 3000, Out: dir})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(rep.Findings) > 0; got != tt.finds {
				t.Fatalf("findings = %d, want found=%v", len(rep.Findings), tt.finds)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
			if len(files) != len(rep.Findings) {
				t.Fatalf("%d scenario files written for %d findings", len(files), len(rep.Findings))
			}
			for _, f := range rep.Findings {
				if f.SizeAfter > f.SizeBefore || f.SizeAfter > 8 {
					t.Errorf("%s: shrunk from %d to %d", f.Signature, f.SizeBefore, f.SizeAfter)
				}
				s, err := ParseFile(f.Path)
				if err != nil {
					t.Fatal(err)
				}
				o, err := Run(s, false)
				if err != nil || !o.OK {
					t.Fatalf("%s does not replay to %s: got %s (%v)", f.Path, s.Expect, o.Got, err)
				}
			}
		})
	}
}

// TestCampaignIsDeterministic: the same seed finds the same minimal files.
func TestCampaignIsDeterministic(t *testing.T) {
	run := func() string {
		rep, err := Campaign(context.Background(), CampaignConfig{Model: "hostport", Variant: "crio-1.33.0", Seed: 7, MaxScenarios: 2000})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, f := range rep.Findings {
			b.Write(Format(f.Scenario))
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
