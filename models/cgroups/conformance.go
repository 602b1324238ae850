package cgroups

import (
	"fmt"
	"strings"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// Property is the cgroups property for a controller: rapid draws the node
// (profile and faults), the runtime's configuration and kubelet's
// requests, runs them with ties broken by rapid too, and fails on any
// violated invariant. If failed is not nil it receives every failing case,
// so the last one it gets is rapid's minimal case.
func Property(build Builder, opt GenOptions, failed func(*Case, sim.Result)) func(*rapid.T) {
	h := modelkit.Harness[*Case]{
		Generate: func(ch sim.Chooser) *Case { return Generate(ch, "custom", opt) },
		Run:      func(c *Case, ch sim.Chooser) (sim.Result, error) { return Run(c, build, ch, true) },
		Describe: Describe,
	}
	return func(t *rapid.T) { modelkit.Check(t, sim.RapidChooser{T: t}, h, failed) }
}

// Conformance checks a user's sandbox resource controller against every
// invariant of the model with rapid, and fails t with the minimal case
// that breaks one.
func Conformance(t rapid.TB, build Builder) {
	t.Helper()
	rapid.Check(t, Property(build, GenOptions{}, nil))
}

// Describe renders a case in a few readable lines.
func Describe(c *Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "node %s; driver %s, sandbox_cgroup_only %v, %s\n", c.Node.Distro, c.Config.Driver, c.Config.SandboxCgroupOnly, c.Config.Hypervisor)
	for _, f := range c.Faults {
		fmt.Fprintf(&b, "fault %s\n", faults.Format(f))
	}
	for _, s := range c.Steps {
		fmt.Fprintf(&b, "%s %s %s", sim.FormatDuration(s.At), s.Op, s.Sandbox)
		if s.Container != "" {
			fmt.Fprintf(&b, "/%s", s.Container)
		}
		if s.Op == OpRun || s.Op == OpAdd {
			fmt.Fprintf(&b, " %s", s.Resources)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
