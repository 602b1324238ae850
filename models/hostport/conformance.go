package hostport

import (
	"fmt"
	"strings"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// Property is the hostport state-machine property for a manager: rapid draws
// the node's faults, the daemon's options and kubelet's calls (sandboxes
// created and stopped with drawn port mappings, daemon restarts), runs them
// with ties broken by rapid too, and fails on any violated invariant. If
// failed is not nil it receives every failing case, so the last one it gets
// is rapid's minimal case.
func Property(build Builder, failed func(*Case, sim.Result)) func(*rapid.T) {
	return func(t *rapid.T) { modelkit.Check(t, sim.RapidChooser{T: t}, harness(build), failed) }
}

// Conformance checks a user's hostport manager against every hostport
// invariant with rapid, and fails t with the minimal case that breaks one.
func Conformance(t rapid.TB, build Builder) {
	t.Helper()
	rapid.Check(t, Property(build, nil))
}

func harness(build Builder) modelkit.Harness[*Case] {
	return modelkit.Harness[*Case]{
		Generate: func(ch sim.Chooser) *Case { return Generate(ch, "custom", GenOptions{}) },
		Run:      func(c *Case, ch sim.Chooser) (sim.Result, error) { return Run(c, build, ch, true) },
		Describe: Describe,
	}
}

// Describe renders a case in a few readable lines.
func Describe(c *Case) string {
	var b strings.Builder
	if c.Config.DisableHostportMapping {
		b.WriteString("option disable_hostport_mapping\n")
	}
	for _, f := range c.Faults {
		fmt.Fprintf(&b, "fault %s\n", faults.Format(f))
	}
	for _, s := range c.Steps {
		fmt.Fprintf(&b, "%s %s %s", sim.FormatDuration(s.At), s.Op, s.Sandbox)
		if s.Op == OpRun {
			fmt.Fprintf(&b, " ips=%s ports=%s", ipList(s.IPs), mappingList(s.Ports))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
