package scenariotest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
)

// DefaultOut is where Conformance writes failures unless told otherwise:
// relative to the test's package directory, the go test working directory.
const DefaultOut = "testdata/faultsim"

// Options tunes Conformance. The zero value runs 1,000 scenarios (200 with
// -short) from seed 1 on every core, for at most a minute, and writes
// failures to DefaultOut.
type Options struct {
	// Seed is the campaign seed (0: 1). The same seed draws the same
	// scenarios whatever the number of workers.
	Seed uint64
	// Scenarios is how many cases are drawn (0: the default above).
	Scenarios int
	// Budget caps the wall time, shrinking included (0: one minute).
	Budget time.Duration
	// Workers is how many goroutines run cases (0: every core).
	Workers int
	// Out is the directory failures are written to ("": DefaultOut).
	Out string
	// Keep, when set, restricts the run to the cases it keeps: a node
	// constraint such as "only nodes without nft", read from the model's
	// own case type.
	Keep func(models.Case) bool
}

// Conformance runs a campaign of generated scenarios against one variant
// of a model (a built-in one, or an implementation the test registered
// through the model's Register function) and fails t once per distinct
// failure, printing only the violation and the shrunk scenario. Each
// failure is written, shrunk, to a scenario file under o.Out that names
// the implementation; ReplayDir replays such files in the test that
// registers it.
func Conformance(t testing.TB, model, variant string, o Options) {
	t.Helper()
	m, err := scenarios.LookupModel(model)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Variant(variant); err != nil {
		t.Fatal(err)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Scenarios == 0 {
		o.Scenarios = 1000
		if testing.Short() {
			o.Scenarios = 200
		}
	}
	if o.Budget == 0 {
		o.Budget = time.Minute
	}
	if o.Out == "" {
		o.Out = DefaultOut
	}
	rep, err := campaign.Run(context.Background(), campaign.Config{Model: model, Variant: variant, Seed: o.Seed,
		MaxScenarios: o.Scenarios, Duration: o.Budget, Workers: o.Workers, Keep: o.Keep})
	if err != nil {
		t.Fatalf("%s/%s: %v", model, variant, err)
	}
	if rep.Unfinished {
		t.Logf("%s/%s: the budget of %s ended after %d of %d scenarios", model, variant, o.Budget, rep.Scenarios, o.Scenarios)
	}
	for _, f := range rep.Findings {
		s := f.Scenario
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(o.Out, s.Name+".yaml")
		s.Path = path
		if err := scenarios.WriteFinding(path, s); err != nil {
			t.Fatal(err)
		}
		what := s.Expect.Violation
		if out, err := scenarios.Run(s, false); err == nil {
			for _, v := range out.Result.Violations {
				if v.Invariant == s.Expect.Violation {
					what = firstLine(v.String())
					break
				}
			}
		}
		t.Errorf("%s/%s breaks %s (campaign seed %d, scenario %d counted from 1; shrunk from size %d to %d):\n  %s\nwritten to %s; %s\n%s",
			model, variant, s.Expect.Violation, o.Seed, f.Index+1, f.SizeBefore, s.Case.Size(), what, path, replayHint(s, o.Out), scenarios.Format(s))
	}
}

// replayHint says how the written file replays.
func replayHint(s *scenarios.Scenario, dir string) string {
	if s.Origin == nil {
		return fmt.Sprintf("faultsim replay %s prints its trace", s.Path)
	}
	return fmt.Sprintf("scenariotest.ReplayDir(t, %q) replays it, in the test that registers %s (%s)", dir, s.Variant, s.Origin.Command())
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// ReplayDir replays every scenario file (*.yaml) in dir, each as a subtest
// named for its file, and fails those whose outcome is not their expect.
// Files naming an implementation a test registers replay only in that
// test's process: register it before calling ReplayDir. A missing or empty
// dir is an error, never a pass.
func ReplayDir(t *testing.T, dir string) {
	t.Helper()
	files, err := Files(dir)
	if err != nil {
		t.Fatalf("ReplayDir: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) { ReplayFile(t, file) })
	}
}

// Files lists the scenario files (*.yaml) of dir, sorted; a missing dir
// or one without any is an error.
func Files(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err == nil && len(files) == 0 {
		if _, serr := os.Stat(dir); serr != nil {
			return nil, serr
		}
		return nil, fmt.Errorf("no scenario files (*.yaml) in %s", dir)
	}
	return files, err
}

// ReplayFile replays one scenario file and fails t unless its outcome is
// its expect; the failure prints the violations and the trace.
func ReplayFile(t testing.TB, path string) {
	t.Helper()
	releaseAtEnd(t)
	s, err := scenarios.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := scenarios.Run(s, true)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !out.OK {
		t.Errorf("%s: expect %s, got %s\n%s", path, s.Expect, out.Got, out.Result.Trace.Text())
	}
}

// AsVariant rewrites a scenario file to run another variant of its model
// (the implementation key, which belongs to the old one, is dropped): does
// a failure found in one implementation pass on the reference?
func AsVariant(data []byte, variant string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("expected a scenario file: a YAML mapping")
	}
	root := doc.Content[0]
	found := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "variant":
			root.Content[i+1].Value, found = variant, true
		case "implementation":
			root.Content = append(root.Content[:i], root.Content[i+2:]...)
			i -= 2
		}
	}
	if !found {
		return nil, fmt.Errorf("expected a scenario file with a variant key")
	}
	return yaml.Marshal(&doc)
}

// PassesAs replays a scenario file as another variant of its model
// (AsVariant) and fails t on any violation: does a failure found in one
// implementation pass on the reference?
func PassesAs(t testing.TB, path, variant string) {
	t.Helper()
	releaseAtEnd(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	as, err := AsVariant(data, variant)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	s, err := scenarios.Parse(path, as)
	if err != nil {
		t.Fatal(err)
	}
	o, err := scenarios.Run(s, false)
	if err != nil {
		t.Fatalf("%s as %s: %v", path, variant, err)
	}
	if len(o.Result.Violations) > 0 {
		t.Errorf("%s as %s: %v, want a pass", path, variant, o.Result.Violations)
	}
}
