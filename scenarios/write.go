package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/faultsim/faultsim/internal/atomicfile"
	"github.com/faultsim/faultsim/models/schema"
)

// Format renders a scenario as a file that Parse reads back to the same
// scenario. Output is stable: the same scenario always gives the same bytes.
func Format(s *Scenario) []byte {
	var b strings.Builder
	if s.Description != "" {
		formatComment(&b, strings.TrimSpace(s.Description))
	}
	fmt.Fprintf(&b, "name: %s\n", schema.Quote(s.Name))
	if s.Description != "" {
		fmt.Fprintf(&b, "description: %s\n", schema.Quote(s.Description))
	}
	fmt.Fprintf(&b, "model: %s\nvariant: %s\n", s.Model, s.Variant)
	if o := s.Origin; o != nil {
		fmt.Fprintf(&b, "implementation: {package: %s, test: %s}\n", schema.Quote(o.Package), schema.Quote(o.Test))
	}
	fmt.Fprintf(&b, "seed: %d\n", s.Seed)
	m, err := LookupModel(s.Model)
	if err != nil {
		panic(fmt.Sprintf("scenarios.Format: %v", err)) // a Scenario is only ever built for a known model
	}
	m.Codec.Format(&b, s.Case)
	if s.Expect.Violation == "" {
		b.WriteString("expect: pass\n")
	} else {
		fmt.Fprintf(&b, "expect:\n  violation: %s\n", s.Expect.Violation)
	}
	return []byte(b.String())
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
	return atomicfile.Write(path, Format(s))
}
