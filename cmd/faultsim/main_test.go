package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim/isolate"
)

func TestMain(m *testing.M) {
	isolate.Serve() // a child of race mode: answer requests and exit
	goleak.VerifyTestMain(models.Releasing(m), goleak.Cleanup(func(code int) {
		if binary.dir != "" {
			_ = os.RemoveAll(binary.dir)
		}
		os.Exit(code)
	}))
}

// run executes the command line and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := execute(args, &out, &out)
	return code, out.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestRunCorpusPasses(t *testing.T) {
	code, out := run(t, "run", "../../scenarios/corpus")
	if code != 0 || !strings.HasSuffix(lastLine(out), " passed, 0 failed") {
		t.Fatalf("exit %d, last line %q\n%s", code, lastLine(out), out)
	}
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("../../scenarios/corpus/incident-1-reference-passes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wrong := strings.Replace(string(good), "expect: pass", "expect: {violation: crash}", 1)
	if err := os.WriteFile(filepath.Join(dir, "wrong.yaml"), []byte(wrong), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := run(t, "run", dir); code != 1 || lastLine(out) != "0 passed, 1 failed" {
		t.Fatalf("mismatching expect: exit %d, %q", code, lastLine(out))
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("name: x\ncolour: red\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := run(t, "run", dir)
	if code != 2 || !strings.Contains(out, "bad.yaml:2: scenario: unknown field \"colour\"") {
		t.Fatalf("bad file: exit %d\n%s", code, out)
	}
	if code, _ := run(t, "run", filepath.Join(dir, "missing.yaml")); code != 2 {
		t.Fatalf("missing file: exit %d, want 2", code)
	}
}

func TestReplayPrintsTraceAndHash(t *testing.T) {
	f := "../../scenarios/corpus/incident-1-crio-1.33.0-crash-loop.yaml"
	code, out := run(t, "replay", f)
	if code != 0 || !strings.Contains(out, "CRASH") || !strings.Contains(out, "trace hash: ") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	_, again := run(t, "replay", f)
	if again != out {
		t.Fatal("two replays of one file printed different traces")
	}
}

func TestFuzzExitCodesAndFindingsReplay(t *testing.T) {
	dir := t.TempDir()
	code, out := run(t, "fuzz", "--model", "hostport", "--variant", "zero-port-unfiltered", "--max-scenarios", "500", "--seed", "1", "--out", dir)
	if code != 1 {
		t.Fatalf("fuzz of a buggy variant: exit %d, want 1\n%s", code, out)
	}
	if code, out := run(t, "run", dir); code != 0 {
		t.Fatalf("findings do not replay: exit %d\n%s", code, out)
	}
	ref := t.TempDir()
	if code, out := run(t, "fuzz", "--variant", "reference", "--max-scenarios", "2000", "--out", ref); code != 0 {
		t.Fatalf("fuzz of reference: exit %d\n%s", code, out)
	}
	if files, _ := filepath.Glob(filepath.Join(ref, "*.yaml")); len(files) != 0 {
		t.Fatalf("reference fuzz wrote %d scenario files", len(files))
	}
	for _, bad := range [][]string{
		{"fuzz", "--variant", "nope"},
		{"fuzz", "--model", "kubelet", "--variant", "reference"},
		{"fuzz", "--variant", "reference", "--duration", "0s"},
		{"fuzz"},
		{"list", "everything"},
		{"frobnicate"},
	} {
		if code, out := run(t, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", bad, code, out)
		}
	}
}

func TestListNamesEverything(t *testing.T) {
	code, out := run(t, "list")
	for _, want := range []string{"hostport", "reference", "crio-1.33.0", "zero-port-unfiltered",
		"tool-missing", "tool-fails", "host-port-zero", "daemon-restart", "crash-loop", "forwarding-matches-live-mappings"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
}

// TestListFaultsByModel: each fault says which models consume it, and
// --model lists only what that model knows.
func TestListFaultsByModel(t *testing.T) {
	code, out := run(t, "list", "faults", "--model", "signals")
	if code != 0 || !strings.Contains(out, "signal-drop") || !strings.Contains(out, "[cgroups, signals]") || strings.Contains(out, "tool-missing") || strings.Contains(out, "host-port-zero") {
		t.Fatalf("list faults --model signals: exit %d\n%s", code, out)
	}
	code, out = run(t, "list", "faults")
	if code != 0 || !strings.Contains(out, "tool-missing(tool=string) ") || !strings.Contains(out, "[hostport]") {
		t.Fatalf("list faults: exit %d\n%s", code, out)
	}
	if code, out = run(t, "list", "--model", "kubelet"); code != 2 || !strings.Contains(out, `unknown model "kubelet"`) {
		t.Fatalf("list --model kubelet: exit %d\n%s", code, out)
	}
}
