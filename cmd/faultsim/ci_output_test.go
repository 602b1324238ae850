package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runSplit executes the command line and returns its exit code, standard
// output and standard error apart.
func runSplit(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(args, &out, &errb)
	return code, out.String(), errb.String()
}

// mixedDir holds a scenario that passes, one whose expect does not match
// and one that does not parse.
func mixedDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	good, err := os.ReadFile("../../scenarios/corpus/incident-1-reference-passes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wrong := strings.Replace(string(good), "expect: pass", "expect: {violation: crash}", 1)
	for name, text := range map[string]string{"a-good.yaml": string(good), "b-wrong.yaml": wrong, "c-bad.yaml": "name: x\ncolour: red\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// records decodes every line of out as a JSON object with a known "type".
func records(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("stdout line %d is not a JSON object (%v): %q", i+1, err, line)
		}
		if typ, _ := rec["type"].(string); !slices.Contains([]string{"event", "outcome", "error", "summary"}, typ) {
			t.Fatalf("stdout line %d has type %q, want event, outcome, error or summary: %q", i+1, rec["type"], line)
		}
		recs = append(recs, rec)
	}
	return recs
}

// countTypes counts records by type.
func countTypes(recs []map[string]any) map[string]int {
	n := map[string]int{}
	for _, r := range recs {
		n[r["type"].(string)]++
	}
	return n
}

func TestJSONOutputIsOnlyJSONLines(t *testing.T) {
	const crash = "../../scenarios/corpus/incident-1-crio-1.33.0-crash-loop.yaml"
	_, text := run(t, "replay", crash)
	textLines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	traceHash := strings.TrimPrefix(textLines[len(textLines)-1], "trace hash: ")
	mixed := mixedDir(t)
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		types    map[string]int
		last     map[string]any // fields of the last record
		stderrLn string         // the last line of standard error
	}{
		{"run corpus", []string{"run", "--json", "../../scenarios/corpus"}, 0, nil,
			map[string]any{"type": "summary", "failed": 0.0, "errors": 0.0}, " passed, 0 failed"},
		{"run mixed", []string{"run", "--json", mixed}, 2, map[string]int{"outcome": 2, "error": 1, "summary": 1},
			map[string]any{"type": "summary", "passed": 1.0, "failed": 1.0, "errors": 1.0}, "faultsim: 1 scenario file(s) could not be read"},
		{"run -v mismatch", []string{"run", "--json", "-v", filepath.Join(mixed, "b-wrong.yaml")}, 1, map[string]int{"outcome": 1, "summary": 1},
			map[string]any{"type": "summary", "passed": 0.0, "failed": 1.0}, "0 passed, 1 failed"},
		{"run missing", []string{"run", "--json", filepath.Join(mixed, "missing.yaml")}, 2, map[string]int{"error": 1},
			map[string]any{"type": "error"}, "no such file or directory"},
		{"replay", []string{"replay", "--json", crash}, 0, map[string]int{"event": len(textLines) - 2, "outcome": 1},
			map[string]any{"type": "outcome", "ok": true, "expect": "violation crash-loop", "trace_hash": traceHash}, "trace hash: " + traceHash},
		{"replay bad", []string{"replay", "--json", filepath.Join(mixed, "c-bad.yaml")}, 2, map[string]int{"error": 1},
			map[string]any{"type": "error", "file": filepath.Join(mixed, "c-bad.yaml")}, `c-bad.yaml:2: scenario: unknown field "colour"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runSplit(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			recs := records(t, out)
			if tc.types != nil {
				if got := countTypes(recs); !maps.Equal(got, tc.types) {
					t.Errorf("record types %v, want %v", got, tc.types)
				}
			}
			last := recs[len(recs)-1]
			for k, want := range tc.last {
				if last[k] != want {
					t.Errorf("last record's %s = %v, want %v\n%s", k, last[k], want, out)
				}
			}
			if !strings.Contains(lastLine(errOut), tc.stderrLn) {
				t.Errorf("last line of stderr %q, want it to contain %q", lastLine(errOut), tc.stderrLn)
			}
		})
	}
}

// xmlElement is any element with its attributes and children, to check
// the JUnit schema's required elements and attributes by name.
type xmlElement struct {
	XMLName  xml.Name
	Attrs    []xml.Attr   `xml:",any,attr"`
	Children []xmlElement `xml:",any"`
	Text     string       `xml:",chardata"`
}

func (e xmlElement) attr(name string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (e xmlElement) children(name string) []xmlElement {
	var out []xmlElement
	for _, c := range e.Children {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
	}
	return out
}

// requireAttrs fails unless e has every attribute named, and returns their values.
func requireAttrs(t *testing.T, e xmlElement, names ...string) map[string]string {
	t.Helper()
	vals := map[string]string{}
	for _, n := range names {
		v, ok := e.attr(n)
		if !ok {
			t.Errorf("<%s> lacks the required attribute %s", e.XMLName.Local, n)
		}
		vals[n] = v
	}
	return vals
}

// TestRunJUnit checks run --junit's report against the elements and
// attributes Ant's JUnit schema requires, and that run's exit code and
// last line stay what they are without it.
func TestRunJUnit(t *testing.T) {
	mixed := mixedDir(t)
	report := filepath.Join(t.TempDir(), "report.xml")
	code, out, _ := runSplit(t, "run", "--junit", report, mixed)
	if code != 2 || lastLine(out) != "1 passed, 2 failed" {
		t.Fatalf("exit %d, last line %q; want 2 and \"1 passed, 2 failed\" as without --junit", code, lastLine(out))
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var root xmlElement
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatalf("report is not XML: %v\n%s", err, data)
	}
	if root.XMLName.Local != "testsuites" {
		t.Fatalf("root element <%s>, want <testsuites>", root.XMLName.Local)
	}
	want := map[string]string{"tests": "3", "failures": "1", "errors": "1"}
	got := requireAttrs(t, root, "name", "tests", "failures", "errors", "time")
	suites := root.children("testsuite")
	if len(suites) != 1 {
		t.Fatalf("%d <testsuite> elements, want 1", len(suites))
	}
	suite := suites[0]
	suiteAttrs := requireAttrs(t, suite, "name", "tests", "failures", "errors", "time", "timestamp", "hostname", "id", "package")
	for k, v := range want {
		if got[k] != v || suiteAttrs[k] != v {
			t.Errorf("%s: testsuites %q, testsuite %q, want %q", k, got[k], suiteAttrs[k], v)
		}
	}
	for _, name := range []string{"properties", "system-out", "system-err"} {
		if len(suite.children(name)) != 1 {
			t.Errorf("<testsuite> has %d <%s>, want 1 (required)", len(suite.children(name)), name)
		}
	}
	cases := suite.children("testcase")
	wantCases := []struct{ file, classname, problem, message string }{
		{"a-good.yaml", "hostport.reference", "", ""},
		{"b-wrong.yaml", "hostport.reference", "failure", "expect violation crash, got pass"},
		{"c-bad.yaml", "faultsim.scenario-file", "error", `c-bad.yaml:2: scenario: unknown field "colour"`},
	}
	if len(cases) != len(wantCases) {
		t.Fatalf("%d <testcase> elements, want %d", len(cases), len(wantCases))
	}
	for i, w := range wantCases {
		c := cases[i]
		a := requireAttrs(t, c, "name", "classname", "time")
		if a["name"] != filepath.Join(mixed, w.file) || a["classname"] != w.classname {
			t.Errorf("testcase %d: name %q classname %q, want %q %q", i, a["name"], a["classname"], filepath.Join(mixed, w.file), w.classname)
		}
		for _, p := range []string{"failure", "error"} {
			els := c.children(p)
			if p != w.problem {
				if len(els) != 0 {
					t.Errorf("%s: unexpected <%s>", w.file, p)
				}
				continue
			}
			if len(els) != 1 {
				t.Fatalf("%s: %d <%s>, want 1", w.file, len(els), p)
			}
			pa := requireAttrs(t, els[0], "message", "type")
			if !strings.Contains(pa["message"], w.message) {
				t.Errorf("%s: <%s message=%q>, want it to contain %q", w.file, p, pa["message"], w.message)
			}
		}
	}
}

// TestRunJUnitUnwritable checks that a JUnit file that cannot be written
// is an error (exit 2) before any scenario runs, and leaves no file.
func TestRunJUnitUnwritable(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "missing", "r.xml"), dir} {
		code, out, errOut := runSplit(t, "run", "--junit", path, "../../scenarios/corpus/incident-1-reference-passes.yaml")
		if code != 2 || out != "" || !strings.Contains(errOut, "cannot write JUnit report "+path) {
			t.Errorf("--junit %s: exit %d, stdout %q, stderr %q; want 2, nothing run, the reason", path, code, out, errOut)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left %v behind", left)
	}
}
