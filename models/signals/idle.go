package signals

import "github.com/faultsim/faultsim/sim"

// taskCoroutines are the coroutines runs' tasks (the CRI server's handlers
// and stop loops) left idle, for the next runs' tasks.
var taskCoroutines sim.Coroutines

// idle is the model's Idle: it ends the coroutines kept for the next
// runs, so that a finished campaign leaves no goroutine parked. Runs
// afterwards make them again.
func idle() error {
	taskCoroutines.Release()
	return nil
}
