// Command faultsim replays scenario files, runs fault-injection campaigns
// against runtime component models, and lists what it knows.
//
// Exit codes: 0 when every outcome matches what was expected, 1 when one
// does not (or a fuzz campaign found a failure), 2 on bad input, 130 when
// SIGINT or SIGTERM stopped run, replay, bench or fuzz (after the scenario
// under way, so that no simulated node is left behind).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim/isolate"
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func badInput(format string, args ...any) error {
	return &exitError{2, fmt.Errorf(format, args...)}
}

func main() {
	isolate.Serve() // a child of race mode (--isolate) answers requests and exits
	tuneGC()
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}

// execute runs faultsim with args, writing to stdout and stderr, and
// returns the exit code: 0, 1 (something found or failed), 2 (bad input),
// 130 (interrupted).
func execute(args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	// Whatever the command ran, the models release what their runs kept
	// for the next ones (parked task coroutines, kept cgroupfs trees,
	// inotify instances, memos), as a campaign does at its end: none
	// outlives the command, and an in-process caller (a test) finds none.
	if rerr := models.Release(models.All()...); rerr != nil {
		fmt.Fprintln(stderr, "faultsim: release what the runs kept:", rerr)
		if err == nil {
			return 1
		}
	}
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "faultsim:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "faultsim:", err)
	return 2 // cobra's own errors are usage errors
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "faultsim",
		Short: "Find the crashes and broken guarantees of container runtimes on odd nodes",
		Long: `faultsim runs faithful models of container runtime components on a deterministic
simulated node that faults reshape (a missing tool, an old nft, a failing
iptables-restore, a daemon restart, odd port mappings), checks spec-level
invariants after every event, and turns every failure into a minimal scenario
file that replays it exactly.

  faultsim run scenarios/corpus          replay scenario files, check their expect
  faultsim replay FILE                   print one scenario's full trace and hash
  faultsim replay --timeline t.html FILE draw its trace as a sequence diagram
  faultsim fuzz --variant crio-1.33.0    search for failures, write them shrunk
  faultsim merge --out DIR SHARD...      union the outputs of campaign shards
  faultsim import --out DIR FILE...      native fuzz inputs -> scenario files
  faultsim list                          models, variants, faults, invariants
  faultsim bench                         scenarios/s, overhead, time to first failure
  faultsim version                       module version and commit`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRunCmd(), newReplayCmd(), newFuzzCmd(), newListCmd(), newCampaignCmd(), newMergeCmd(), newImportCmd(), newProbeCmd(), newBenchCmd(), newVersionCmd())
	return root
}
