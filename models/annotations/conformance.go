package annotations

import (
	"fmt"
	"strings"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// Property is the annotations property for a shim: rapid draws the shim's
// configuration, the node's IOMMU groups and containerd's requests with
// their config.json shaped by the data faults, runs them with ties broken
// by rapid too, and fails on any violated invariant. If failed is not nil
// it receives every failing case, so the last one it gets is rapid's
// minimal case.
func Property(build Builder, failed func(*Case, sim.Result)) func(*rapid.T) {
	h := modelkit.Harness[*Case]{
		Generate: func(ch sim.Chooser) *Case { return Generate(ch, "custom", GenOptions{}) },
		Run:      func(c *Case, ch sim.Chooser) (sim.Result, error) { return Run(c, build, ch, true) },
		Describe: Describe,
	}
	return func(t *rapid.T) { modelkit.Check(t, sim.RapidChooser{T: t}, h, failed) }
}

// Conformance checks a user's shim against every annotations invariant
// with rapid, and fails t with the minimal case that breaks one.
func Conformance(t rapid.TB, build Builder) {
	t.Helper()
	rapid.Check(t, Property(build, nil))
}

// Describe renders a case readably: configuration, PCI functions, steps
// with their config.json.
func Describe(c *Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "vfio_mode=%s cold_plug_vfio=%s hot_plug_vfio=%s\n", c.Config.VFIOMode, c.Config.ColdPlugVFIO, c.Config.HotPlugVFIO)
	for _, f := range c.PCI.Functions {
		fmt.Fprintf(&b, "pci group %d %s %s %s pcie=%v\n", f.Group, f.BDF, f.Vendor, f.Class, f.PCIe)
	}
	for _, s := range c.Steps {
		fmt.Fprintf(&b, "%s %s %s", sim.FormatDuration(s.At), s.Op, s.ID)
		if len(s.Faults) > 0 {
			fmt.Fprintf(&b, " faults=%s", strings.Join(s.Faults, ","))
		}
		b.WriteByte('\n')
		if s.Op == OpCreate {
			b.WriteString(indent(s.Spec, "    "))
		}
	}
	return b.String()
}

func indent(text, pad string) string {
	lines := strings.SplitAfter(text, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(pad + l)
		}
	}
	if !strings.HasSuffix(text, "\n") {
		b.WriteByte('\n')
	}
	return b.String()
}
