package campaign

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
)

// determinismCases is how many generated scenarios per model the
// determinism suite replays: 1,000, or 100 under -short (every variant
// still replayed, in turn, by both processes).
func determinismCases() int {
	if testing.Short() {
		return 100
	}
	return 1000
}

// traces runs the suite's scenarios of one model, variants taken in turn,
// on GOMAXPROCS goroutines (so scenarios also run side by side, which must
// not change any of them), and returns the first n traces in scenario order.
func traces(m *models.Model, n int) []string {
	out := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(out); i = int(next.Add(1) - 1) {
				out[i] = trace(m, i)
			}
		})
	}
	wg.Wait()
	return out
}

// trace runs the suite's scenario i of m and returns its trace.
func trace(m *models.Model, i int) string {
	v := m.Variants[i%len(m.Variants)].Name
	seed := caseSeed(7, int64(i))
	c := m.Generate(sim.NewPRNG(seed), v)
	r, err := c.Run(sim.NewPRNG(seed), true)
	if err != nil {
		panic(fmt.Sprintf("%s/%s scenario %d: %v", m.Name, v, i, err)) // no t in the child
	}
	return r.Trace.Text()
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

// TestDeterminismSuite replays 1,000 (-short: 100) generated scenarios per model twice
// in this process, at GOMAXPROCS 1 and 2, and once more in a second process
// (this test binary, run again at GOMAXPROCS 1, alongside): every trace must
// be identical. make test runs it under -race, so race-instrumented runs
// are covered too.
func TestDeterminismSuite(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	n := determinismCases()
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", determinismChild, n), "GOMAXPROCS=1")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("second process: %v", err)
	}
	defer func() { _ = cmd.Wait() }()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	want := map[string][]string{}
	for _, name := range scenarios.ModelNames() {
		m, _ := models.Lookup(name)
		runtime.GOMAXPROCS(1)
		a := traces(m, n)
		runtime.GOMAXPROCS(2)
		b := traces(m, n)
		for i := range a {
			if a[i] != b[i] {
				_ = cmd.Process.Kill()
				t.Fatalf("%s scenario %d differs between two replays (GOMAXPROCS 1, 2) at %s", name, i, firstDifference(a[i], b[i]))
			}
		}
		want[name] = a
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("second process: %v\n%s", err, stderr.String())
	}
	got := map[string][]string{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if name, hash, ok := strings.Cut(sc.Text(), " "); ok && want[name] != nil {
			got[name] = append(got[name], hash)
		}
	}
	for name, traces := range want {
		if len(got[name]) != len(traces) {
			t.Fatalf("second process reported %d traces for %s, want %d\n%s", len(got[name]), name, len(traces), stderr.String())
		}
		for i, tr := range traces {
			if h := hashText(tr); got[name][i] != h {
				t.Fatalf("%s scenario %d: trace hash %s in this process, %s in a second process", name, i, h, got[name][i])
			}
		}
	}
}

// determinismChild names the environment variable that makes this test
// binary the second process of TestDeterminismSuite (see TestMain); its
// value is the number of scenarios per model.
const determinismChild = "FAULTSIM_DETERMINISM_CHILD"

// printTraceHashes prints "model hash" for each of the first n suite
// scenarios of every model.
func printTraceHashes(w io.Writer, n int) {
	for _, name := range scenarios.ModelNames() {
		m, _ := models.Lookup(name)
		for _, tr := range traces(m, n) {
			fmt.Fprintf(w, "%s %s\n", name, hashText(tr))
		}
	}
}

func hashText(s string) string {
	var tr sim.Trace
	tr.Add(0, "text", "%s", s)
	return tr.Hash()
}
