package scenariotest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/scenarios/scenariotest"
)

// recorder is a testing.TB that keeps what a helper reports instead of
// failing the test running it.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	fatal  bool
}

func (r *recorder) Helper()             {}
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
	runtime.Goexit()
}

// run calls fn with a recorder on a goroutine of its own (Fatal ends it).
func run(t *testing.T, fn func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r
}

func TestConformancePassesTheReference(t *testing.T) {
	out := t.TempDir()
	r := run(t, func(tb testing.TB) {
		scenariotest.Conformance(tb, "hostport", "reference", scenariotest.Options{Scenarios: 300, Out: out})
	})
	if len(r.errors) > 0 {
		t.Fatalf("the reference failed conformance: %v", r.errors)
	}
	if files, _ := filepath.Glob(filepath.Join(out, "*")); len(files) > 0 {
		t.Errorf("a passing run wrote %v", files)
	}
}

// TestConformanceWritesAFailureThatReplays: a buggy variant fails with the
// violation and the shrunk scenario (no rapid draws), the file it wrote
// replays to its expect, and the same file passes on the reference.
func TestConformanceWritesAFailureThatReplays(t *testing.T) {
	out := t.TempDir()
	r := run(t, func(tb testing.TB) {
		scenariotest.Conformance(tb, "hostport", "crio-1.33.0", scenariotest.Options{Scenarios: 300, Out: out})
	})
	if r.fatal || len(r.errors) == 0 {
		t.Fatalf("want a failure of crio-1.33.0, got fatal=%v %v", r.fatal, r.errors)
	}
	msg := r.errors[0]
	for _, want := range []string{"hostport/crio-1.33.0 breaks ", "written to " + out, "variant: crio-1.33.0", "expect:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "[rapid]") || strings.Count(msg, "\n") > 60 {
		t.Errorf("failure message is noisy:\n%s", msg)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.yaml"))
	if len(files) != len(r.errors) {
		t.Fatalf("%d failures but files %v", len(r.errors), files)
	}
	t.Run("replays", func(t *testing.T) { scenariotest.ReplayDir(t, out) })
	for _, f := range files {
		scenariotest.PassesAs(t, f, "reference")
	}
}

// TestConformanceKeepsOnlyKeptCases: a node constraint that no drawn case
// meets runs nothing, so even a buggy variant passes; one that keeps nodes
// with nft still finds it.
func TestConformanceKeepsOnlyKeptCases(t *testing.T) {
	fewFaults := func(c models.Case) bool { return len(c.(*hostport.Case).Faults) <= 1 }
	for _, tt := range []struct {
		name string
		keep func(models.Case) bool
		fail bool
	}{
		{"none", func(models.Case) bool { return false }, false},
		{"at most one fault", fewFaults, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			r := run(t, func(tb testing.TB) {
				scenariotest.Conformance(tb, "hostport", "crio-1.33.0", scenariotest.Options{Scenarios: 300, Out: out, Keep: tt.keep})
			})
			if got := len(r.errors) > 0; got != tt.fail {
				t.Fatalf("failed = %v, want %v: %v", got, tt.fail, r.errors)
			}
			files, _ := filepath.Glob(filepath.Join(out, "*.yaml"))
			for _, f := range files {
				s, err := scenarios.ParseFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if !tt.keep(s.Case) {
					t.Errorf("%s: the shrunk case breaks the constraint", f)
				}
			}
		})
	}
}

// TestReplayDirRefusesNothingToReplay: a missing or empty directory is an
// error, never a pass.
func TestReplayDirRefusesNothingToReplay(t *testing.T) {
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{empty, filepath.Join(empty, "missing")} {
		if files, err := scenariotest.Files(dir); err == nil {
			t.Errorf("Files(%s) = %v, want an error", dir, files)
		}
	}
}
