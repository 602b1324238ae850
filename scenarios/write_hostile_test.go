package scenarios_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/annotations"
	"github.com/faultsim/faultsim/models/cgroups"
	"github.com/faultsim/faultsim/models/hostname"
	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/scenarios/scenariotest"
	"github.com/faultsim/faultsim/sim/node"
)

// hostileRunes are the characters YAML gives a meaning to, or breaks a
// line at, or refuses unescaped, with a few ordinary ones between them.
var hostileRunes = []rune("-?:,[]{}#&*!|>'\"%@`\\ \t\n\r\x00\x01\x1b\x7f\u0085\u00a0\u2028\u2029\ufeff\ufffdaZ09./_é日🙂")

// hostileWords are whole strings YAML reads as something else when plain.
var hostileWords = []string{
	"-", "- x", "-x", "? x", "?", ":", ": x", "x: y", "x #y", "#x", "~", "null", "Null", "NULL", "true", "False",
	"yes", "off", "0x10", "0o17", "1e3", "-1", "+1", ".inf", "-.Inf", ".nan", "2001-12-14", "<<", "=", "---", "...",
	" ", "  x", "x ", "\t", "!!str x", "!foo", "&a", "*a", "|", ">", "%YAML 1.2", "'x'", "\"x\"", "[x]", "{x: y}",
	"x\r", "\rname: y", "x\u2028y", "\u0085", "\ufeffx", "a\nb\n", "\n", "@x", "`x`",
}

// hostile draws a non-empty string from the hostile alphabets.
func hostile(t *rapid.T, label string) string {
	word := rapid.SampledFrom(hostileWords)
	chars := rapid.StringOfN(rapid.SampledFrom(hostileRunes), 1, 12, -1)
	return rapid.OneOf(word, chars, rapid.Custom(func(t *rapid.T) string {
		return word.Draw(t, "prefix") + chars.Draw(t, "rest")
	})).Draw(t, label)
}

// renamer gives every distinct old name one new name, distinct from the
// others, so references between fields stay intact.
type renamer struct {
	t     *rapid.T
	label string
	names map[string]string
	used  map[string]bool
}

func newRenamer(t *rapid.T, label string) *renamer {
	return &renamer{t: t, label: label, names: map[string]string{}, used: map[string]bool{}}
}

func (r *renamer) get(old string) string {
	if n, ok := r.names[old]; ok {
		return n
	}
	n := hostile(r.t, r.label)
	if r.used[n] {
		n = old // keep names distinct
	}
	r.names[old], r.used[n] = n, true
	return n
}

// renameFaults rebuilds the faults with the parameter param renamed.
func renameFaults(t *rapid.T, fs []faults.Fault, param string, r *renamer) []faults.Fault {
	out := make([]faults.Fault, len(fs))
	for i, f := range fs {
		raw := map[string]string{}
		for _, a := range f.Args() {
			raw[a.Name] = a.Value
			if a.Name == param {
				raw[a.Name] = r.get(a.Value)
			}
		}
		nf, err := faults.New(f.Name(), raw)
		if err != nil {
			t.Fatalf("fault %s with %s renamed: %v", f.Name(), param, err)
		}
		out[i] = nf
	}
	return out
}

// makeHostile overwrites a case's free-text fields with hostile strings,
// field by field as each model's parser reads them, and returns the field
// the parser must refuse ("" when it must read the file back). Per field:
//
//   - hostport: sandbox names and node.distro take any string; host_ip and
//     ips are addresses, tools and kernel versions, so they stay as drawn;
//     a distro must be one the node knows, so any other is refused.
//   - signals: container names take any string, renamed in the steps and
//     the faults that name them.
//   - cgroups: container names take any string; sandbox IDs name cgroups,
//     so the parser must refuse any that is not a containerd identifier
//     (validSandboxID), at the first fault or step naming one.
//   - hostname: pod names must be DNS-1123 subdomains, so the parser must
//     refuse any other at the first step naming it.
//   - annotations: ids and specs (config.json as the shim reads it, any
//     text) take any string; PCI functions are patterns, so they stay.
//
// Every name the parser requires (a sandbox, a container, an id) is drawn
// non-empty: an empty one is refused as "empty: expected a value".
func makeHostile(t *rapid.T, mc models.Case) string {
	switch c := mc.(type) {
	case *hostport.Case:
		if rapid.Bool().Draw(t, "hostile distro") {
			// A distro is one the node knows: the parser must refuse any other.
			if c.Node.Distro = hostile(t, "distro"); !slices.Contains(node.DistroNames(), c.Node.Distro) {
				return "node.distro"
			}
		}
		r := newRenamer(t, "sandbox")
		for i := range c.Steps {
			c.Steps[i].Sandbox = r.get(c.Steps[i].Sandbox)
		}
	case *hostname.Case:
		r := newRenamer(t, "pod")
		for i := range c.Steps {
			c.Steps[i].Pod = r.get(c.Steps[i].Pod)
		}
		for i, s := range c.Steps {
			if !hostname.ValidPodName(s.Pod) {
				return fmt.Sprintf("steps[%d].pod", i)
			}
		}
	case *signals.Case:
		r := newRenamer(t, "container")
		for i := range c.Containers {
			c.Containers[i].Name = r.get(c.Containers[i].Name)
		}
		for i := range c.Steps {
			if c.Steps[i].Container != "" {
				c.Steps[i].Container = r.get(c.Steps[i].Container)
			}
		}
		c.Faults = renameFaults(t, c.Faults, "container", r)
	case *cgroups.Case:
		r := newRenamer(t, "sandbox")
		c.Faults = renameFaults(t, c.Faults, "sandbox", r)
		for i := range c.Steps {
			c.Steps[i].Sandbox = r.get(c.Steps[i].Sandbox)
			if c.Steps[i].Container != "" {
				c.Steps[i].Container = hostile(t, "container")
			}
		}
		for i, f := range c.Faults {
			if sf, ok := f.(cgroups.SandboxFault); ok && !cgroups.ValidSandboxID(sf.Target()) {
				return fmt.Sprintf("faults[%d].sandbox", i)
			}
		}
		for i, s := range c.Steps {
			if !cgroups.ValidSandboxID(s.Sandbox) {
				return fmt.Sprintf("steps[%d].sandbox", i)
			}
		}
	case *annotations.Case:
		for i := range c.Steps {
			c.Steps[i].ID = hostile(t, "id")
			if c.Steps[i].Op == annotations.OpCreate && rapid.Bool().Draw(t, "hostile spec") {
				c.Steps[i].Spec = hostile(t, "spec")
			}
		}
	default:
		t.Fatalf("model case %T has no hostile strings here: add its free-text fields to makeHostile", mc)
	}
	return ""
}

// TestFormatReadsBackHostileStrings: a case of every model (models.All and
// Generate), walked down a few of the shrinker's simplifications, with its
// names and texts drawn from hostile alphabets (YAML indicators, leading
// and trailing blanks, control characters, \r, NEL, U+2028, U+2029), is
// written by Format and read back by Parse to the same file, model,
// variant, seed, name, description and expect; or, where the model's
// parser rightly refuses a value, refused at that field with its line.
func TestFormatReadsBackHostileStrings(t *testing.T) {
	all := models.All()
	for _, m := range all {
		if m.Codec == nil {
			t.Fatalf("model %s has no scenario file codec", m.Name)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		m := rapid.SampledFrom(all).Draw(t, "model")
		v := rapid.SampledFrom(m.Variants).Draw(t, "variant").Name
		c := m.Generate(scenariotest.Bits(t), v)
		for n := rapid.IntRange(0, 12).Draw(t, "simplifications"); n > 0; n-- {
			next := c.Simplify()
			if len(next) == 0 {
				break
			}
			c = next[rapid.IntRange(0, len(next)-1).Draw(t, "simplification")]
		}
		s := &scenarios.Scenario{Name: hostile(t, "name"), Model: m.Name, Variant: v, Seed: rapid.Uint64().Draw(t, "seed"), Case: c}
		if rapid.Bool().Draw(t, "described") {
			s.Description = hostile(t, "description")
		}
		if rapid.Bool().Draw(t, "violation") {
			s.Expect.Violation = rapid.SampledFrom(m.Invariants).Draw(t, "invariant").Name
		}
		refused := makeHostile(t, c)
		text := scenarios.Format(s)
		back, err := scenarios.Parse("hostile.yaml", text)
		if refused != "" {
			var pe *scenarios.Error
			if !errors.As(err, &pe) || pe.Field != refused || pe.Line == 0 {
				t.Fatalf("parse error %v, want one at %s with its line\n%s", err, refused, text)
			}
			return
		}
		if err != nil {
			t.Fatalf("Format wrote a file Parse refuses: %v\n%s", err, text)
		}
		if again := scenarios.Format(back); string(again) != string(text) {
			t.Fatalf("scenarios.Format(scenarios.Parse(scenarios.Format(x))) != scenarios.Format(x):\n%s\n---\n%s", text, again)
		}
		if back.Name != s.Name || back.Description != s.Description || back.Model != s.Model ||
			back.Variant != s.Variant || back.Seed != s.Seed || back.Expect != s.Expect {
			t.Fatalf("read back %q %q %s/%s seed %d %s, want %q %q %s/%s seed %d %s\n%s",
				back.Name, back.Description, back.Model, back.Variant, back.Seed, back.Expect,
				s.Name, s.Description, s.Model, s.Variant, s.Seed, s.Expect, text)
		}
		if strings.Count(string(text), "\nexpect:") != 1 {
			t.Fatalf("the file has %d expect fields\n%s", strings.Count(string(text), "\nexpect:"), text)
		}
	})
}
