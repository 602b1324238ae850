package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim/node"
)

// Format renders a scenario as a file that Parse reads back to the same
// scenario. Output is stable: the same scenario always gives the same bytes.
func Format(s *Scenario) []byte {
	var b strings.Builder
	if s.Description != "" {
		formatComment(&b, strings.TrimSpace(s.Description))
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

// formatListStart starts a block list: "key:" with its n items to follow,
// or "key: []" when there are none (a bare "key:" reads back as null, which
// the parser rightly refuses).
func formatListStart(b *strings.Builder, indent, key string, n int) {
	if n == 0 {
		fmt.Fprintf(b, "%s%s: []\n", indent, key)
		return
	}
	fmt.Fprintf(b, "%s%s:\n", indent, key)
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

// quote renders s as a YAML scalar that reads back as exactly s, in block
// and flow context alike: plain when s is letters and digits, with '.',
// '_', '-', '/' and '+' after the first, and YAML resolves that plain
// scalar to the same string (not a number, bool, null or timestamp);
// double-quoted (dquote) otherwise. Every string a scenario file holds is
// written through quote, dquote or formatText; s must be valid UTF-8 (Parse
// never reads anything else).
func quote(s string) string {
	if plainSafe(s) {
		return s
	}
	return dquote(s)
}

// dquote renders s as a YAML double-quoted scalar: strconv.Quote's escapes
// (\n, \r, \t, \", \\, \xNN below 0x80, \uNNNN, \UNNNNNNNN) are YAML's
// too, and it writes every rune that is not printable (line and paragraph
// separators, NEL, BOM, control characters) as an escape.
func dquote(s string) string { return strconv.Quote(s) }

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

// formatComment writes text as comment lines: a line for each of its lines
// (YAML breaks lines at \n, \r, NEL, U+2028 and U+2029) and every rune that
// is not printable escaped, so no comment ever ends early or holds a
// character YAML refuses.
func formatComment(b *strings.Builder, text string) {
	var line strings.Builder
	flush := func() {
		fmt.Fprintf(b, "# %s\n", line.String())
		line.Reset()
	}
	for i, r := range text {
		switch {
		case r == '\n' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			flush()
		case r == '\r':
			if !strings.HasPrefix(text[i+1:], "\n") {
				flush()
			}
		case r == '\t' || unicode.IsPrint(r):
			line.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			line.WriteString(q[1 : len(q)-1])
		}
	}
	flush()
}

// WriteFile writes a scenario atomically: a temporary file in the same
// directory, then a rename, so a reader never sees half a file.
func WriteFile(path string, s *Scenario) error {
	return writeAtomic(path, Format(s))
}
