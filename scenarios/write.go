package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim/node"
)

// Format renders a scenario as a file that Parse reads back to the same
// scenario. Output is stable: the same scenario always gives the same bytes.
func Format(s *Scenario) []byte {
	var b strings.Builder
	if s.Description != "" {
		for _, line := range strings.Split(strings.TrimSpace(s.Description), "\n") {
			fmt.Fprintf(&b, "# %s\n", line)
		}
	}
	fmt.Fprintf(&b, "name: %s\n", quote(s.Name))
	if s.Description != "" {
		fmt.Fprintf(&b, "description: %s\n", quote(s.Description))
	}
	fmt.Fprintf(&b, "model: %s\nvariant: %s\nseed: %d\n", s.Model, s.Variant, s.Seed)
	codecs[s.Model].format(&b, s.Case)
	if s.Expect.Violation == "" {
		b.WriteString("expect: pass\n")
	} else {
		fmt.Fprintf(&b, "expect:\n  violation: %s\n", s.Expect.Violation)
	}
	return []byte(b.String())
}

// formatNode writes a node: section.
func formatNode(b *strings.Builder, n node.Spec) {
	distro := n.Distro
	if distro == "" {
		distro = node.DefaultDistro
	}
	fmt.Fprintf(b, "node:\n  distro: %s\n", quote(distro))
	if n.Kernel != "" {
		fmt.Fprintf(b, "  kernel: %s\n", quote(n.Kernel))
	}
	if n.Cgroup != "" {
		fmt.Fprintf(b, "  cgroup: %s\n", quote(n.Cgroup))
	}
	if n.Systemd != 0 {
		fmt.Fprintf(b, "  systemd: %d\n", n.Systemd)
	}
	if len(n.Tools) > 0 {
		b.WriteString("  tools:\n")
		for _, t := range n.Tools {
			fmt.Fprintf(b, "    %s: %s\n", t.Name, quote(t.Version))
		}
	}
}

// formatFaults writes a faults: section (nothing when there are none).
func formatFaults(b *strings.Builder, fs []faults.Fault) {
	if len(fs) == 0 {
		return
	}
	b.WriteString("faults:\n")
	for _, f := range fs {
		parts := []string{"fault: " + f.Name()}
		for _, a := range f.Args() {
			parts = append(parts, a.Name+": "+quote(a.Value))
		}
		fmt.Fprintf(b, "  - {%s}\n", strings.Join(parts, ", "))
	}
}

// quote renders a string as a YAML double-quoted scalar when it needs it.
func quote(s string) string {
	if s == "" || strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`\n") || strings.TrimSpace(s) != s ||
		s == "true" || s == "false" || s == "null" || s == "~" {
		return strconv.Quote(s)
	}
	return s
}

// WriteFile writes a scenario atomically: a temporary file in the same
// directory, then a rename, so a reader never sees half a file.
func WriteFile(path string, s *Scenario) error {
	return writeAtomic(path, Format(s))
}
