package cgroupfs

import (
	"reflect"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// TestFactsFollowTheSetOfMissingFiles: a kernel's facts depend on which
// files it lacks, not on the order they are named in or on a name twice,
// so specs naming the same set share one; another set or kernel does not.
func TestFactsFollowTheSetOfMissingFiles(t *testing.T) {
	t.Cleanup(idle(t)) // no facts of earlier tests, nor of this one after
	k := sim.MustVersion("6.1")
	spec := func(k sim.Version, missing ...string) Spec {
		return Spec{Profile: Profile{Kernel: k}, Quirks: Quirks{MissingFiles: missing}}
	}
	a := spec(k, "memory.max", "cpu.max", "pids.max")
	same := []Spec{spec(k, "pids.max", "memory.max", "cpu.max"), spec(k, "cpu.max", "pids.max", "memory.max", "cpu.max")}
	fresh := func(s Spec) any {
		kf := newKernelFacts(s)
		return []any{kf.v1Core, kf.v2Core, kf.v1, kf.v2}
	}
	for _, b := range same {
		if !reflect.DeepEqual(fresh(a), fresh(b)) {
			t.Fatalf("missing %v and %v give different facts", a.MissingFiles, b.MissingFiles)
		}
		if factsFor(a) != factsFor(b) {
			t.Fatalf("missing %v and %v share no facts", a.MissingFiles, b.MissingFiles)
		}
	}
	for _, b := range []Spec{spec(k, "memory.max", "cpu.max"), spec(sim.MustVersion("5.10"), a.MissingFiles...)} {
		if reflect.DeepEqual(fresh(a), fresh(b)) || factsFor(a) == factsFor(b) {
			t.Fatalf("kernel %s missing %v shares the facts of kernel %s missing %v", b.Kernel, b.MissingFiles, a.Kernel, a.MissingFiles)
		}
	}
}

// sharedFacts counts the kernel facts shared.
func sharedFacts() int {
	shared.Lock()
	defer shared.Unlock()
	return len(shared.facts)
}
