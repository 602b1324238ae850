package hostport

import (
	"time"

	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// ConcurrentFor is how long RunConcurrent keeps the sandboxes' requests
// going at once: long enough, on two cores, for Go's runtime to catch a
// manager whose Add and Remove share a map unlocked.
const ConcurrentFor = 10 * time.Millisecond

// RunConcurrent serves the case's requests as CRI-O does
// (campaign.Concurrent, race mode): its gRPC server runs each of kubelet's
// calls on its own goroutine, so the pod workers of different sandboxes
// reach the daemon, and its hostport manager, at once. On the case's node
// (its node faults applied, its tools safe for concurrent use as the real
// ones are: node.SetConcurrent) a daemon with the variant's manager gets,
// from one goroutine per sandbox the case runs, RunPodSandbox then
// StopPodSandbox of that sandbox, again and again for ConcurrentFor. A
// daemon that refuses to start has nothing concurrent to run; a refused
// request is answered and tried again; a panic ends its handler only: the
// deterministic run reports it as a crash.
func (c *Case) RunConcurrent(sim.Chooser) error {
	_, err := c.runConcurrent(ConcurrentFor)
	return err
}

// runConcurrent is RunConcurrent for d; it returns the node's tables
// after a last stop of every sandbox (nil: the daemon did not start).
func (c *Case) runConcurrent(d time.Duration) (*netfilter.Tables, error) {
	v, err := Variants.Lookup(c.Variant)
	if err != nil {
		return nil, err
	}
	n, err := StartNode(c)
	if err != nil {
		return nil, err
	}
	n.SetConcurrent()
	h := netfilter.New(n)
	var daemon *Daemon
	if !modelkit.Serve(func() error {
		daemon, err = StartDaemon(h, c.Config, v.Build, &Store{}, func(string, ...any) {})
		return err
	}) || err != nil {
		return nil, nil
	}
	runs := c.runs()
	var handlers []func() error
	for _, s := range runs {
		handlers = append(handlers, func() error {
			_ = daemon.RunPodSandbox(s.Sandbox, s.IPs, s.Ports) // refused: stopped and tried again
			return daemon.StopPodSandbox(s.Sandbox)
		})
	}
	modelkit.RaceHandlers(d, handlers...)
	for _, s := range runs {
		modelkit.Serve(func() error { return daemon.StopPodSandbox(s.Sandbox) })
	}
	return h, nil
}

// runs are the case's RunPodSandbox steps, the first of each sandbox.
func (c *Case) runs() []*Step {
	var out []*Step
	seen := map[string]bool{}
	for i := range c.Steps {
		if s := &c.Steps[i]; s.Op == OpRun && !seen[s.Sandbox] {
			seen[s.Sandbox] = true
			out = append(out, s)
		}
	}
	return out
}
