package scenariotest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/scenarios/scenariotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(models.Releasing(m)) }

// TestEveryModelHasAFuzzTarget: every model's directory has its native
// fuzz target and a seed corpus, which is what the ClusterFuzzLite build
// (deploy/clusterfuzzlite/build.sh) looks for: a model added without one
// fails here.
func TestEveryModelHasAFuzzTarget(t *testing.T) {
	for _, model := range scenarios.ModelNames() {
		dir := filepath.Join("..", "..", "models", model)
		target := scenariotest.FuzzTarget(model)
		tests, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		found := false
		for _, f := range tests {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			found = found || regexp.MustCompile(`(?m)^func `+target+`\(`).Match(data)
		}
		if !found {
			t.Errorf("model %s: no func %s in %s/*_test.go: add one calling scenariotest.FuzzModel", model, target, dir)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "testdata", "fuzz", target, "*")); len(files) == 0 {
			t.Errorf("model %s: no seed corpus in %s/testdata/fuzz/%s", model, dir, target)
		}
	}
}

// TestBuildScriptFindsEveryTarget runs the ClusterFuzzLite build script's
// discovery with a stand-in for compile_native_go_fuzzer: it must build
// one target per model.
func TestBuildScriptFindsEveryTarget(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	script, err := os.ReadFile(filepath.Join("..", "..", "deploy", "clusterfuzzlite", "build.sh"))
	if err != nil {
		t.Fatal(err)
	}
	// The stand-ins print what would be built and skip the corpus zip.
	stub := "compile_native_go_fuzzer() { echo \"$2\"; }\ngo() { :; }\nzip() { :; }\n"
	body := strings.Replace(string(script), `cd "$SRC/faultsim"`, `cd "$SRC"`, 1)
	cmd := exec.Command(bash, "-c", stub+body)
	cmd.Env = append(os.Environ(), "SRC="+filepath.Join("..", ".."), "WORK="+t.TempDir(), "OUT="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("build.sh: %v\n%s", err, out)
	}
	built := strings.Fields(string(out))
	for _, model := range scenarios.ModelNames() {
		if !strings.Contains(" "+strings.Join(built, " ")+" ", " "+scenariotest.FuzzTarget(model)+" ") {
			t.Errorf("build.sh built %v, not %s", built, scenariotest.FuzzTarget(model))
		}
	}
}
