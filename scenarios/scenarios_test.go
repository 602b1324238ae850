package scenarios

import (
	"path/filepath"
	"runtime"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/models"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(models.Releasing(m)) }

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
