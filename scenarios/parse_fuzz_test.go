package scenarios

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/internal/badinput"
)

// parseDeadline bounds one Parse call of n bytes: 1 s for the inputs a
// fuzzer draws (up to 64 KiB), and 1 s more for each further 64 KiB, as the
// parse of a large file is linear (a 1 MiB file of 26,000 steps takes about
// 0.5 s here, 5 s under -race). A parse that is quadratic or hangs fails
// it: cpus: "9223372036854775807" once looped forever, and 9,000 nested
// brackets took 4 s.
func parseDeadline(n int) time.Duration {
	return time.Second * time.Duration(1+n/(64<<10))
}

// FuzzParse feeds arbitrary bytes to Parse, seeded with every corpus file,
// the malformed files of internal/badinput (and testdata/fuzz/FuzzParse).
// Parse must not panic, nor take longer than parseDeadline; an error is a
// *Error that starts with the file name and carries a line when it is about
// a place in the file; a parsed scenario formats to bytes that parse back
// and format to the same bytes.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("corpus/*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("corpus/*.yaml: %v, %d files: expected the scenario corpus as seeds", err, len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, c := range badinput.Cases() {
		if len(c.Text) <= 64<<10 {
			f.Add([]byte(c.Text))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		s, err := parseWithin(t, name, data)
		if err != nil {
			checkParseError(t, name, data, err)
			return
		}
		once := Format(s)
		again, err := Parse(name, once)
		if err != nil {
			t.Fatalf("a parsed scenario formats to a file that does not parse: %v\n%s", err, once)
		}
		if twice := Format(again); !bytes.Equal(once, twice) {
			t.Fatalf("Format/Parse round trip changed the file:\nfirst:\n%s\nsecond:\n%s", once, twice)
		}
	})
}

// parseWithin runs Parse and fails the test if it takes longer than
// parseDeadline (the goroutine is left behind only when the test fails).
func parseWithin(t *testing.T, name string, data []byte) (*Scenario, error) {
	t.Helper()
	type result struct {
		s   *Scenario
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := Parse(name, data)
		done <- result{s, err}
	}()
	timer := time.NewTimer(parseDeadline(len(data)))
	defer timer.Stop()
	select {
	case r := <-done:
		return r.s, r.err
	case <-timer.C:
		t.Fatalf("Parse of %d bytes did not return within %s: %q", len(data), parseDeadline(len(data)), truncate(data))
		return nil, nil
	}
}

// checkParseError checks what a parse error says and where.
func checkParseError(t *testing.T, name string, data []byte, err error) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %q: expected a *scenarios.Error", err, err)
	}
	if pe.File != name || !strings.HasPrefix(err.Error(), name+":") {
		t.Fatalf("error %q: expected it to start with the file name %q", err, name)
	}
	if pe.Msg == "" {
		t.Fatalf("error %q: expected a message saying what was wrong", err)
	}
	// YAML breaks lines at \n, \r\n and a lone \r (YAML 1.2, 5.4), and
	// the YAML library (libyaml's rules, from YAML 1.1) also at NEL
	// (U+0085), LS (U+2028) and PS (U+2029), so a line is counted as it
	// counts them.
	norm := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	for _, br := range []string{"\r", "\u0085", "\u2028", "\u2029"} {
		norm = bytes.ReplaceAll(norm, []byte(br), []byte("\n"))
	}
	lines := bytes.Count(norm, []byte("\n")) + 1
	if pe.Line < 0 || pe.Line > lines {
		t.Fatalf("error %q: line %d, expected 1 to %d (the input has %d lines)", err, pe.Line, lines, lines)
	}
	// Only file-wide problems may come without a line: size, encoding, an
	// empty document, and YAML errors the YAML parser gives no line for.
	if pe.Line == 0 {
		fileWide := strings.HasPrefix(pe.Msg, "file is ") || strings.HasPrefix(pe.Msg, "invalid YAML: ")
		if !fileWide {
			t.Fatalf("error %q has no line: expected a line for a problem in a field", err)
		}
	}
}

func truncate(b []byte) []byte {
	if len(b) > 200 {
		return b[:200]
	}
	return b
}
