package models

import (
	"errors"
	"fmt"
	"os"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// Release is the owner of what runs keep for the next one, process-wide:
// each model's own (its Idle: pooled kernel resources, parked task
// coroutines, memos of its inputs) and the simulator's (the parsed version
// strings every model's node specs share, the frames of the crashes
// caught). Call it when no run of these models is under way (a campaign at
// its end); runs made afterwards work as before.
func Release(ms ...*Model) error {
	var errs []error
	for _, m := range ms {
		if m.Idle != nil {
			errs = append(errs, m.Idle())
		}
	}
	node.ForgetVersions()
	sim.ForgetCrashStacks()
	return errors.Join(errs...)
}

// Tests is what a test binary's TestMain runs: a *testing.M.
type Tests interface{ Run() int }

// Releasing wraps a test binary's tests so that, once they have run,
// Release runs for every registered model, as a campaign does at its end:
// a goroutine check after them (goleak.VerifyTestMain(models.Releasing(m)))
// then sees none of the task coroutines the models keep for later runs. A
// failing Release fails the binary.
func Releasing(m Tests) Tests { return releasing{m} }

type releasing struct{ m Tests }

func (r releasing) Run() int {
	code := r.m.Run()
	if err := Release(All()...); err != nil {
		fmt.Fprintln(os.Stderr, "models.Release after the tests:", err)
		return max(code, 1)
	}
	return code
}
