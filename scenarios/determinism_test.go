package scenarios

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// determinismCases is how many generated scenarios per model the
// determinism suite replays: 1,000, except for models whose scenarios do
// real file I/O (cgroups drives the real library over a directory tree at
// about 50 scenarios/s, 10/s under -race), which replay 60 to keep make
// test within its budget.
func determinismCases(m *models.Model) int {
	if m.FileIO {
		return 60
	}
	return 1000
}

// traces runs the suite's scenarios of one model and returns each trace,
// variants taken in turn.
func traces(m *models.Model) []string {
	n := determinismCases(m)
	out := make([]string, 0, n)
	for i := range n {
		v := m.Variants[i%len(m.Variants)].Name
		seed := caseSeed(7, int64(i))
		c := m.Generate(sim.NewPRNG(seed), v)
		r, err := c.Run(sim.NewPRNG(seed), true)
		if err != nil {
			panic(fmt.Sprintf("%s/%s scenario %d: %v", m.Name, v, i, err)) // t may be nil in the child
		}
		out = append(out, r.Trace.Text())
	}
	return out
}

// firstDifference names the first event where two traces differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("event %d:\n  first:  %q\n  second: %q", i+1, x, y)
		}
	}
	return "no difference"
}

// TestDeterminismSuite replays 1,000 generated scenarios per model (see
// determinismCases) twice in
// this process, at GOMAXPROCS 1 and 2, and once more in a second process
// (this test binary, run again): every trace must be identical. make test
// runs it under -race, so race-instrumented runs are covered too.
func TestDeterminismSuite(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	want := map[string][]string{}
	for _, name := range ModelNames() {
		m, _ := models.Lookup(name)
		runtime.GOMAXPROCS(1)
		a := traces(m)
		runtime.GOMAXPROCS(2)
		b := traces(m)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s scenario %d differs between two replays (GOMAXPROCS 1, 2) at %s", name, i, firstDifference(a[i], b[i]))
			}
		}
		want[name] = a
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), determinismChild+"=1", "GOMAXPROCS=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("second process: %v\n%s", err, out)
	}
	got := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if name, hash, ok := strings.Cut(sc.Text(), " "); ok && want[name] != nil {
			got[name] = append(got[name], hash)
		}
	}
	for name, traces := range want {
		if len(got[name]) != len(traces) {
			t.Fatalf("second process reported %d traces for %s, want %d\n%s", len(got[name]), name, len(traces), out)
		}
		for i, tr := range traces {
			if h := hashText(tr); got[name][i] != h {
				t.Fatalf("%s scenario %d: trace hash %s in this process, %s in a second process", name, i, h, got[name][i])
			}
		}
	}
}

// determinismChild names the environment variable that makes this test
// binary the second process of TestDeterminismSuite (see TestMain).
const determinismChild = "FAULTSIM_DETERMINISM_CHILD"

// printTraceHashes prints "model hash" for each suite scenario.
func printTraceHashes(w io.Writer) {
	for _, name := range ModelNames() {
		m, _ := models.Lookup(name)
		for _, tr := range traces(m) {
			fmt.Fprintf(w, "%s %s\n", name, hashText(tr))
		}
	}
}

func hashText(s string) string {
	var tr sim.Trace
	tr.Add(0, "text", "%s", s)
	return tr.Hash()
}
