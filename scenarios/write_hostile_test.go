package scenarios_test

import (
	"errors"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/scenarios/scenariotest"
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

// rapidHostile is the models.HostileSource a model's Hostile draws from:
// hostile strings and choices drawn by rapid.
type rapidHostile struct{ t *rapid.T }

func (h rapidHostile) String(label string) string { return hostile(h.t, label) }
func (h rapidHostile) Bool(label string) bool     { return rapid.Bool().Draw(h.t, label) }

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
		if m.Hostile == nil {
			t.Fatalf("model %s has no Hostile: write its free-text fields' hostile strings in its directory (models.Model.Hostile)", m.Name)
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
		// The model overwrites its free-text fields, field by field as its
		// codec reads them, and names the field its codec must refuse.
		refused, err := m.Hostile(rapidHostile{t}, c)
		if err != nil {
			t.Fatalf("%s's Hostile: %v", m.Name, err)
		}
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
