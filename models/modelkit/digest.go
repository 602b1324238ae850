package modelkit

import (
	"fmt"
	"reflect"

	"github.com/faultsim/faultsim/sim"
)

// RunFunc runs the case a model's generator draws for variant and seed,
// with the trace on or off.
type RunFunc func(variant string, seed uint64, trace bool) (sim.Result, error)

// Fataler is what RunsDigest needs of a *testing.T.
type Fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// RunsDigest runs the cases of seeds 1 to seeds of every variant untraced
// and traced, fails t when the two runs of a case differ in verdict, event
// count or error (the trace being on changed the run), and returns a hash
// of every case's verdict, events, trace hash and error: a model's test
// pins it, so that work on the model's speed shows it changed no run.
func RunsDigest(t Fataler, variants []string, seeds uint64, run RunFunc) string {
	t.Helper()
	digest := &sim.Trace{}
	for _, v := range variants {
		for seed := uint64(1); seed <= seeds; seed++ {
			off, errOff := run(v, seed, false)
			on, errOn := run(v, seed, true)
			if fmt.Sprint(errOff) != fmt.Sprint(errOn) || !reflect.DeepEqual(off.Violations, on.Violations) || off.Events != on.Events {
				t.Fatalf("%s seed %d: untraced run gave %v, %d events, error %v; traced %v, %d events, error %v",
					v, seed, off.Violations, off.Events, errOff, on.Violations, on.Events, errOn)
			}
			trace := ""
			if on.Trace != nil {
				trace = on.Trace.Hash()
			}
			digest.Add(0, v, "seed %d: %v %d events, trace %s, error %v", seed, on.Violations, on.Events, trace, errOn)
		}
	}
	return digest.Hash()
}
