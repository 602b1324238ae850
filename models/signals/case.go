package signals

import (
	"slices"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim/node"
)

// The operations a scenario step performs.
const (
	// OpStop is a raw CRI StopContainer call with its timeout (crictl stop).
	OpStop = "stop-container"
	// OpDelete is kubelet deleting the container's pod: StopContainer with
	// the pod's grace period, at least MinGrace.
	OpDelete = "delete-pod"
	// OpShutdown is the node shutting down (systemctl poweroff).
	OpShutdown = "node-shutdown"
	// OpExecSync is a CRI ExecSync call (a probe, kubectl exec) running a
	// command for Runs, with a timeout (0: none).
	OpExecSync = "exec-sync"
)

// MinGrace is kubelet's minimum grace period for a pod deletion.
const MinGrace = 2 * time.Second

// Container is one container of the node, each in its own pod.
type Container struct {
	Name string
	// Grace is the pod's terminationGracePeriodSeconds (whole seconds).
	Grace time.Duration
	// StopSignal is the image's stop signal (SIGTERM if 0).
	StopSignal syscall.Signal
	// Cleanup is how long its stop-signal handler takes before it exits 0.
	Cleanup time.Duration
	// HostPID: it shares the node's pid namespace (hostPID), so nothing
	// kills what its process forked when that exits; CRI-O then has the
	// runtime kill the whole cgroup. A container with children and without
	// HostPID is pid 1 of its own pid namespace, whose exit the kernel
	// makes the end of every process in it.
	HostPID bool
	// ForwardToGroup: its process forwards its stop signal to its process
	// group, as tini -g does.
	ForwardToGroup bool
	// Children are the processes its process forks at its start.
	Children []Child
}

// Step is one call at a virtual time.
type Step struct {
	At        time.Duration
	Op        string
	Container string        // stop-container, delete-pod, exec-sync
	Timeout   time.Duration // stop-container, exec-sync
	Runs      time.Duration // exec-sync: how long the command runs
	// Children (exec-sync) are what the command forks at its start, as
	// sh -c 'job & ...' does: in its process group, or in one of their own
	// (OwnGroup: setsid). They run until signalled; Respawn is not used.
	Children []Child
}

// Config is the node's configuration.
type Config struct {
	// ShutdownGracePeriod enables kubelet's graceful node shutdown (0: off).
	ShutdownGracePeriod time.Duration
}

// Case is everything one run needs.
type Case struct {
	// Node is the node; its systemd runs the scopes and the shutdown.
	Node       node.Spec
	Variant    string
	Config     Config
	Containers []Container
	Faults     []faults.Fault
	Steps      []Step
}

// Size is what shrinking minimises: containers, faults and steps.
func (c *Case) Size() int { return len(c.Containers) + len(c.Faults) + len(c.Steps) }

// Clone returns a deep copy.
func (c *Case) Clone() *Case {
	out := *c
	out.Node.Tools = slices.Clone(c.Node.Tools)
	out.Containers = append([]Container(nil), c.Containers...)
	for i := range out.Containers {
		out.Containers[i].Children = slices.Clone(out.Containers[i].Children)
	}
	out.Faults = append([]faults.Fault(nil), c.Faults...)
	out.Steps = append([]Step(nil), c.Steps...)
	return &out
}

// container returns the named container, or nil.
func (c *Case) container(name string) *Container {
	for i := range c.Containers {
		if c.Containers[i].Name == name {
			return &c.Containers[i]
		}
	}
	return nil
}
