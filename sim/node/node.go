// Package node is the simulated node every model runs on: its
// distribution, its kernel and the features that kernel version has, how
// cgroups are mounted, its systemd, and the tools on its PATH with their
// versions. Faults reshape it before a run; runtime components ask it for
// what they use, as a daemon asks a real machine (exec.LookPath, uname).
//
// The node holds no component's state: netfilter tables (sim/netfilter),
// the process table (sim/proc), systemd's units (sim/systemd) and the
// cgroupfs (sim/cgroupfs) are built beside it and ask it what it has.
package node

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/faultsim/faultsim/sim"
)

// ErrNotFound is returned when a tool is not on the node's PATH, as exec's
// "executable file not found in $PATH".
var ErrNotFound = errors.New("executable file not found in $PATH")

// Tool is an executable on the node's PATH.
type Tool struct {
	// Name is the executable's name, e.g. "nft".
	Name string
	// Version is what "tool --version" reports.
	Version sim.Version
	// FailNext is how many of its next invocations fail (a tool-fails fault).
	FailNext int
}

// Node is the simulated node: what a runtime finds when it looks at the
// machine it runs on. Models see it only through its methods and fields.
type Node struct {
	// Distro names the distribution, e.g. "fedora-42".
	Distro string
	// Kernel is the running kernel's version.
	Kernel sim.Version
	// Cgroup is how cgroups are mounted.
	Cgroup CgroupMode
	// Systemd is systemd's version number, e.g. 252.
	Systemd int
	// Failures counts tool invocations that failed because of a fault.
	Failures int
	// OnExec, when set, is told of every tool invocation and its result
	// (a model's trace draws it as a message to the tool).
	OnExec func(name string, args []string, err error)
	// OnLack, when set, is told when the kernel silently did without a
	// feature a tool asked of it, and what it did instead (a model's trace
	// draws it; the real kernel says nothing).
	OnLack func(tool string, f Feature, what string)

	// tools are the tools on its PATH, a few: looked up by a scan.
	tools []*Tool
	// mu is the node's lock in concurrent mode (SetConcurrent), nil
	// otherwise: deterministic runs never pay for it.
	mu *sync.Mutex
}

// SetConcurrent makes the node safe for tools run from concurrent
// goroutines (race mode): each tool invocation and each read or change of
// kernel state then holds the node's lock, as iptables-restore holds the
// xtables lock and the kernel commits an nft batch atomically. A
// deterministic run never sets it. Call it before the node is shared.
func (n *Node) SetConcurrent() { n.mu = new(sync.Mutex) }

// Lock takes the node's lock in concurrent mode and does nothing
// otherwise. It is for the packages that keep the node's kernel state
// (sim/netfilter), around one tool invocation or state read; never for a
// component's own calls, whose races race mode is there to catch.
func (n *Node) Lock() {
	if n != nil && n.mu != nil {
		n.mu.Lock()
	}
}

// Unlock releases what Lock took.
func (n *Node) Unlock() {
	if n != nil && n.mu != nil {
		n.unlock()
	}
}

// unlock is kept out of line, so that Unlock inlines to a nil check.
//
//go:noinline
func (n *Node) unlock() { n.mu.Unlock() }

// New returns a node with the given distro and kernel, cgroup v2, systemd
// DefaultSystemd and no tools.
func New(distro string, kernel sim.Version) *Node {
	return &Node{Distro: distro, Kernel: kernel, Cgroup: Unified, Systemd: DefaultSystemd}
}

// tool is the installed tool called name, or nil.
func (n *Node) tool(name string) *Tool {
	for _, t := range n.tools {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// install puts t on the PATH in place of any tool of its name.
func (n *Node) install(t *Tool) {
	for i, o := range n.tools {
		if o.Name == t.Name {
			n.tools[i] = t
			return
		}
	}
	n.tools = append(n.tools, t)
}

// Install puts a tool at a version on the node's PATH, replacing any other.
func (n *Node) Install(name string, version sim.Version) {
	n.Lock()
	defer n.Unlock()
	n.install(&Tool{Name: name, Version: version})
}

// Uninstall removes a tool from the node's PATH.
func (n *Node) Uninstall(name string) {
	n.Lock()
	defer n.Unlock()
	n.tools = slices.DeleteFunc(n.tools, func(t *Tool) bool { return t.Name == name })
}

// LookPath returns the tool if it is on the node's PATH. It takes no
// lock: the PATH changes only while a run is set up (node faults), never
// under concurrent tools.
func (n *Node) LookPath(name string) (*Tool, error) {
	t := n.tool(name)
	if t == nil {
		return nil, toolNotFound(name)
	}
	return t, nil
}

// toolNotFound is LookPath's error, "<name>: executable file not found in
// $PATH", formatted only when read: models probe for missing tools far more
// often than anyone prints the answer.
type toolNotFound string

func (e toolNotFound) Error() string { return string(e) + ": " + ErrNotFound.Error() }

// Unwrap makes errors.Is(err, ErrNotFound) hold.
func (e toolNotFound) Unwrap() error { return ErrNotFound }

// EndToolFailures ends every tool's pending failures (FailNext): its
// next invocations succeed.
func (n *Node) EndToolFailures() {
	n.Lock()
	defer n.Unlock()
	for _, t := range n.tools {
		t.FailNext = 0
	}
}

// Tools lists the installed tools sorted by name.
func (n *Node) Tools() []Tool {
	n.Lock()
	defer n.Unlock()
	out := make([]Tool, len(n.tools))
	for i, t := range n.tools {
		out[i] = *t
	}
	slices.SortFunc(out, func(a, b Tool) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Exec runs a tool: it fails when the tool is missing, or when a fault makes
// this invocation fail (exit status 1 with the tool's name in the error).
func (n *Node) Exec(name string, args ...string) error { return n.ExecChecked(nil, name, args...) }

// ExecChecked is Exec of a tool request that the tool or the node's kernel
// refuses with the error refused (nil: none) once the tool runs. A refusal
// is not counted in Failures: no fault caused it, the request asked for
// what the node lacks.
func (n *Node) ExecChecked(refused error, name string, args ...string) error {
	err := n.exec(name, args)
	if err == nil {
		err = refused
	}
	if n.OnExec != nil {
		// A copy: args then stays on the caller's stack when no one is told.
		n.OnExec(name, slices.Clone(args), err)
	}
	return err
}

// Lacked tells OnLack, when set, that the kernel did without f for tool.
func (n *Node) Lacked(tool string, f Feature, what string) {
	if n.OnLack != nil {
		n.OnLack(tool, f, what)
	}
}

func (n *Node) exec(name string, args []string) error {
	n.Lock()
	defer n.Unlock()
	t, err := n.LookPath(name)
	if err != nil {
		return err
	}
	if t.FailNext > 0 {
		t.FailNext--
		n.Failures++
		return fmt.Errorf("%s %s: exit status 1 (injected failure)", name, strings.Join(args, " "))
	}
	return nil
}

// Has reports whether the node's kernel has a feature.
func (n *Node) Has(f Feature) bool { return n.Kernel.AtLeast(f.Since) }

// LacksError is a kernel's refusal of a feature it does not have.
type LacksError struct {
	Kernel  sim.Version
	Feature Feature
}

func (e *LacksError) Error() string {
	return "kernel " + e.Kernel.String() + " lacks " + e.Feature.Name + " (Linux " + e.Feature.Since.String() + ")"
}

// Lacks returns a *LacksError when the node's kernel does not have f, else nil.
func (n *Node) Lacks(f Feature) error {
	if n.Has(f) {
		return nil
	}
	return &LacksError{Kernel: n.Kernel, Feature: f}
}

// Dump renders the node as stable text.
func (n *Node) Dump() string {
	var b strings.Builder
	fmt.Fprintf(&b, "node %s kernel %s cgroup %s systemd %d\n", n.Distro, n.Kernel, n.Cgroup, n.Systemd)
	for _, t := range n.Tools() {
		fmt.Fprintf(&b, "tool %s %s\n", t.Name, t.Version)
	}
	return b.String()
}
