package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update", false, "rewrite README.md's generated samples (go test ./cmd/faultsim -run TestREADMESamples -update)")

// readmeSample is a block of README.md that a faultsim command generates:
// the lines between <!-- sample:NAME --> and <!-- /sample -->.
type readmeSample struct {
	name string
	args []string // run from the repository root
	// through and tail abridge the output: the lines up to the first one
	// containing through, "...", and the last tail lines (through "": all).
	through string
	tail    int
}

var readmeSamples = []readmeSample{
	{name: "replay-incident-1", args: []string{"replay", "scenarios/corpus/incident-1-crio-1.33.0-crash-loop.yaml"},
		through: "VIOLATION crash-loop", tail: 2},
	{name: "replay-signals-races", args: []string{"replay", "scenarios/corpus/regression-signals-exit-inside-crun-kill.yaml"},
		through: "no such process", tail: 2},
}

// block renders a sample's command and output as a Markdown code block.
func (s readmeSample) block(t *testing.T) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := execute(s.args, &stdout, &stderr); code != 0 {
		t.Fatalf("sample %s: faultsim %s: exit %d\n%s", s.name, strings.Join(s.args, " "), code, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if s.through != "" {
		cut := -1
		for i, l := range lines {
			if strings.Contains(l, s.through) {
				cut = i
				break
			}
		}
		if cut < 0 {
			t.Fatalf("sample %s: no output line contains %q", s.name, s.through)
		}
		if cut+1 < len(lines)-s.tail {
			lines = append(append(lines[:cut+1:cut+1], "..."), lines[len(lines)-s.tail:]...)
		}
	}
	return "```console\n$ go run ./cmd/faultsim " + strings.Join(s.args, " ") + "\n" + strings.Join(lines, "\n") + "\n```\n"
}

// TestREADMESamples checks that every sample output in README.md is what
// its command prints today, so that the README cannot drift; -update
// rewrites them.
func TestREADMESamples(t *testing.T) {
	t.Chdir("../..")
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	known := map[string]bool{}
	for _, s := range readmeSamples {
		known[s.name] = true
		re := regexp.MustCompile(`(?s)(<!-- sample:` + regexp.QuoteMeta(s.name) + ` -->\n)(.*?)(<!-- /sample -->)`)
		found := re.FindAllStringSubmatchIndex(text, -1)
		if len(found) != 1 {
			t.Errorf("README.md has %d blocks <!-- sample:%s --> ... <!-- /sample -->, want 1", len(found), s.name)
			continue
		}
		m := found[0]
		got, want := text[m[4]:m[5]], s.block(t)
		if got == want {
			continue
		}
		if *updateREADME {
			text = text[:m[4]] + want + text[m[5]:]
			continue
		}
		t.Errorf("README.md's sample %s has drifted from what faultsim %s prints (%s); "+
			"go test ./cmd/faultsim -run TestREADMESamples -update rewrites it\nREADME:\n%s\nnow:\n%s",
			s.name, strings.Join(s.args, " "), firstDifference(got, want), got, want)
	}
	for _, m := range regexp.MustCompile(`<!-- sample:(\S+) -->`).FindAllStringSubmatch(text, -1) {
		if !known[m[1]] {
			t.Errorf("README.md has a block <!-- sample:%s --> that no test generates", m[1])
		}
	}
	if *updateREADME && text != string(readme) {
		if err := os.WriteFile("README.md", []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// firstDifference names the first line where two texts differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d: %q, now %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines, now %d", len(al), len(bl))
}

// TestREADMEInstall checks that README.md says how to install faultsim
// with the go command, from this module's path, before the tour uses it.
func TestREADMEInstall(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	install := "go install " + modulePath(t) + "/cmd/faultsim@latest"
	at, tour := strings.Index(text, install), strings.Index(text, "## A 5-minute tour")
	if at < 0 || tour < 0 || at > tour {
		t.Fatalf("README.md: %q at offset %d, the tour at %d: want the install line before the tour", install, at, tour)
	}
}
