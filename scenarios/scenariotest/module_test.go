package scenariotest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/scenarios"
)

// TestSeparateModule is a user's view: a module of its own (the portmap
// fixture under testdata, built in a temporary directory against this
// checkout) plugs its hostport manager, whose nft layout is not CRI-O's,
// into the model, and its shim, cgroup controller and stop loop into
// theirs. The correct ones pass conformance; a broken one
// fails with scenario files that replay the failure against it in its own
// tests and pass against the reference; faultsim itself, which lacks the
// manager, names the go test command that replays them.
func TestSeparateModule(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command: %v", err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	for _, f := range []string{"portmap.go", "others.go", "stoploop.go", "portmap_test.go"} {
		data, err := os.ReadFile(filepath.Join("testdata", "portmap", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/portmap\n\ngo " + strings.TrimPrefix(runtime.Version(), "go") +
		"\n\nrequire github.com/faultsim/faultsim v0.0.0\n\nreplace github.com/faultsim/faultsim => " + root + "\n"
	for name, data := range map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum} {
		if err := os.WriteFile(filepath.Join(mod, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	found := t.TempDir()
	// The user's tests build as this test was built (with -race under
	// make test), so the packages they share come from the build cache.
	args := []string{"test", "-count=1", "-mod=mod"}
	if raceBuild() {
		args = append(args, "-race")
	}
	t.Logf("go %s", strings.Join(args, " "))
	gotest := func(run string) (string, error) {
		cmd := exec.Command(goBin, append(args, "-run", "^"+run+"$", ".")...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "PORTMAP_OUT="+found, "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := gotest("TestConformance"); err != nil {
		t.Fatalf("the correct manager failed conformance: %v\n%s", err, out)
	}
	out, err := gotest("TestLeakyFails")
	var files []string
	for _, b := range []struct{ leaky, invariant string }{
		{"hostport/portmap-leaky", "delete-leaves-nothing"},
		{"annotations/shim-leaky", "delete-leaves-nothing"},
		{"cgroups/controller-leaky", "delete-leaves-nothing"},
		{"signals/stoploop-no-sigkill", "hang"},
	} {
		leaky := b.leaky
		if err == nil || !strings.Contains(out, leaky+" breaks "+b.invariant) {
			t.Fatalf("%s: err %v, want a conformance failure of %s:\n%s", leaky, err, b.invariant, out)
		}
		model, _, _ := strings.Cut(leaky, "/")
		fs, err := filepath.Glob(filepath.Join(found, model, "*.yaml"))
		if err != nil || len(fs) == 0 {
			t.Fatalf("the failure of %s wrote no scenario file (%v):\n%s", leaky, err, out)
		}
		files = append(files, fs...)
	}
	if out, err := gotest("TestLeakyReplays"); err != nil {
		t.Fatalf("the failures do not replay against the leaky manager, or fail on the reference: %v\n%s", err, out)
	}
	for _, f := range files {
		_, err := scenarios.ParseFile(f)
		if err == nil || !strings.Contains(err.Error(), "go test example.com/portmap") {
			t.Errorf("%s in a process without the manager: %v, want an error naming go test example.com/portmap", f, err)
		}
	}
}

// raceBuild reports whether this test binary was built with -race.
func raceBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, st := range bi.Settings {
		if st.Key == "-race" && st.Value == "true" {
			return true
		}
	}
	return false
}
