package schema

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim/node"
)

// FormatNode writes a node: section.
func FormatNode(b *strings.Builder, n node.Spec) {
	distro := n.Distro
	if distro == "" {
		distro = node.DefaultDistro
	}
	fmt.Fprintf(b, "node:\n  distro: %s\n", Quote(distro))
	if n.Kernel != "" {
		fmt.Fprintf(b, "  kernel: %s\n", Quote(n.Kernel))
	}
	if n.Cgroup != "" {
		fmt.Fprintf(b, "  cgroup: %s\n", Quote(n.Cgroup))
	}
	if n.Systemd != 0 {
		fmt.Fprintf(b, "  systemd: %d\n", n.Systemd)
	}
	if len(n.Tools) > 0 {
		b.WriteString("  tools:\n")
		for _, t := range n.Tools {
			fmt.Fprintf(b, "    %s: %s\n", t.Name, Quote(t.Version))
		}
	}
}

// FormatListStart starts a block list: "key:" with its n items to follow,
// or "key: []" when there are none (a bare "key:" reads back as null, which
// the parser rightly refuses).
func FormatListStart(b *strings.Builder, indent, key string, n int) {
	if n == 0 {
		fmt.Fprintf(b, "%s%s: []\n", indent, key)
		return
	}
	fmt.Fprintf(b, "%s%s:\n", indent, key)
}

// FormatFaults writes a faults: section (nothing when there are none).
func FormatFaults(b *strings.Builder, fs []faults.Fault) {
	if len(fs) == 0 {
		return
	}
	b.WriteString("faults:\n")
	for _, f := range fs {
		parts := []string{"fault: " + f.Name()}
		for _, a := range f.Args() {
			parts = append(parts, a.Name+": "+Quote(a.Value))
		}
		fmt.Fprintf(b, "  - {%s}\n", strings.Join(parts, ", "))
	}
}

// Quote renders s as a YAML scalar that reads back as exactly s, in block
// and flow context alike: plain when s is letters and digits, with '.',
// '_', '-', '/' and '+' after the first, and YAML resolves that plain
// scalar to the same string (not a number, bool, null or timestamp);
// double-quoted (DQuote) otherwise. Every string a scenario file holds is
// written through Quote, DQuote or formatText; s must be valid UTF-8 (Parse
// never reads anything else).
func Quote(s string) string {
	if plainSafe(s) {
		return s
	}
	return DQuote(s)
}

// DQuote renders s as a YAML double-quoted scalar: strconv.Quote's escapes
// (\n, \r, \t, \", \\, \xNN below 0x80, \uNNNN, \UNNNNNNNN) are YAML's
// too, and it writes every rune that is not printable (line and paragraph
// separators, NEL, BOM, control characters) as an escape.
func DQuote(s string) string { return strconv.Quote(s) }

func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("._-/+", r)) {
			return false
		}
	}
	var doc yaml.Node
	if yaml.Unmarshal([]byte(s), &doc) != nil || len(doc.Content) != 1 {
		return false
	}
	n := doc.Content[0]
	return n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Value == s
}
