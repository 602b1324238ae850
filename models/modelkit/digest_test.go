package modelkit_test

import (
	"fmt"
	"testing"

	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// fataler records a Fatalf instead of stopping the test.
type fataler struct{ msg string }

func (f *fataler) Helper()                           {}
func (f *fataler) Fatalf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }

func TestRunsDigest(t *testing.T) {
	run := func(events int) modelkit.RunFunc {
		return func(v string, seed uint64, trace bool) (sim.Result, error) {
			r := sim.Result{Events: int(seed) + events}
			if trace {
				r.Trace = &sim.Trace{}
				r.Trace.Add(0, v, "seed %d", seed)
			}
			return r, nil
		}
	}
	var f fataler
	a := modelkit.RunsDigest(&f, []string{"x", "y"}, 3, run(0))
	if f.msg != "" || a != modelkit.RunsDigest(&f, []string{"x", "y"}, 3, run(0)) {
		t.Fatalf("the same runs digest differently (or failed: %q)", f.msg)
	}
	if a == modelkit.RunsDigest(&f, []string{"x", "y"}, 3, run(1)) {
		t.Fatal("runs with other event counts digest alike")
	}
	traced := func(v string, seed uint64, trace bool) (sim.Result, error) {
		r, err := run(0)(v, seed, trace)
		if trace {
			r.Events++
		}
		return r, err
	}
	modelkit.RunsDigest(&f, []string{"x"}, 1, traced)
	if f.msg == "" {
		t.Fatal("a run the trace changed was not reported")
	}
}
