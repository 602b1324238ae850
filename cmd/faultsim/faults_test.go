package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/campaign"
)

// TestOutUnwritable: --out below a regular file cannot be created, even by
// root (permission bits would not stop root in CI): fuzz stops at once with
// exit 2 and an error naming the directory.
func TestOutUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(file, "findings")
	code, msg := run(t, "fuzz", "--model", "hostport", "--variant", "zero-port-unfiltered", "--max-scenarios", "50", "--workers", "1", "--out", out)
	if code != 2 || !strings.Contains(msg, out) || !strings.Contains(msg, "not a directory") {
		t.Fatalf("--out %s: exit %d\n%s\nexpected exit 2 and an error naming the directory", out, code, msg)
	}
}

// TestResumeTruncatedState: a state file cut short at any length (as by a
// crash of something other than faultsim's own atomic writes) makes
// --resume fail with exit 2 and an error naming the file; the findings
// already written stay as they were.
func TestResumeTruncatedState(t *testing.T) {
	dir := t.TempDir()
	if code, out := run(t, "fuzz", "--model", "hostport", "--variant", "zero-port-unfiltered", "--max-scenarios", "300", "--workers", "1", "--out", dir); code != 1 {
		t.Fatalf("campaign: exit %d, expected 1 (a finding)\n%s", code, out)
	}
	path := filepath.Join(dir, campaign.StateFile)
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := campaign.LoadState(dir)
	if err != nil || len(st.Findings) == 0 {
		t.Fatalf("state: %v, %d findings; expected some", err, len(st.Findings))
	}
	findings := map[string][]byte{}
	for _, f := range st.Findings {
		if findings[f.File], err = os.ReadFile(filepath.Join(dir, f.File)); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []int{0, 1, 2, 10, len(whole) / 3, len(whole) / 2, len(whole) - 3, len(whole) - 2} {
		t.Run(fmt.Sprintf("cut-at-%d", n), func(t *testing.T) {
			if err := os.WriteFile(path, whole[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			code, msg := run(t, "fuzz", "--resume", dir, "--max-scenarios", "400")
			if code != 2 || !strings.Contains(msg, path) {
				t.Fatalf("state cut at %d of %d bytes: exit %d\n%s\nexpected exit 2 and an error naming %s", n, len(whole), code, msg, path)
			}
		})
	}
	for file, data := range findings {
		if got, err := os.ReadFile(filepath.Join(dir, file)); err != nil || string(got) != string(data) {
			t.Fatalf("finding %s changed by a failed --resume: %v", file, err)
		}
	}
	if err := os.WriteFile(path, whole, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := run(t, "fuzz", "--resume", dir, "--max-scenarios", "400"); code != 1 {
		t.Fatalf("resume with the whole state again: exit %d, expected 1\n%s", code, out)
	}
	replayAll(t, dir, st)
}

// TestRunCorruptedCorpusFile: corrupted files in a corpus directory are each
// reported with file and line, the other files still run, and the exit code
// is 2.
func TestRunCorruptedCorpusFile(t *testing.T) {
	src, err := filepath.Glob("../../scenarios/corpus/*.yaml")
	if err != nil || len(src) < 4 {
		t.Fatalf("corpus: %v, %d files", err, len(src))
	}
	dir := t.TempDir()
	for _, f := range src {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	corrupt := []struct {
		file string
		how  func([]byte) []byte
		want string // after "file:"
	}{
		// cut mid-file: the expect line is gone
		{filepath.Base(src[0]), func(b []byte) []byte { return b[:len(b)*2/3] }, ""},
		// a stray tab in the indentation
		{filepath.Base(src[1]), func(b []byte) []byte { return append(b, "\n\tbroken: [\n"...) }, ""},
		// bytes that are not UTF-8 in the middle
		{filepath.Base(src[2]), func(b []byte) []byte {
			return append(append(b[:len(b)/2:len(b)/2], 0xff, 0xfe, 0x00), b[len(b)/2:]...)
		}, ""},
	}
	for _, c := range corrupt {
		path := filepath.Join(dir, c.file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, c.how(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out := run(t, "run", dir)
	if code != 2 {
		t.Fatalf("exit %d, expected 2\n%s", code, out)
	}
	for _, c := range corrupt {
		prefix := "error: " + filepath.Join(dir, c.file) + ":"
		var line string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, prefix) {
				line = l
			}
		}
		switch {
		case line == "":
			t.Errorf("%s: no error line starting %q\n%s", c.file, prefix, out)
		case c.want != "" && !strings.HasPrefix(line, prefix+c.want):
			t.Errorf("%s: %q, expected %q", c.file, line, prefix+c.want)
		case c.want == "" && !startsWithLine(strings.TrimPrefix(line, prefix)):
			t.Errorf("%s: %q has no line number", c.file, line)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if want := fmt.Sprintf("%d passed, %d failed", len(src)-len(corrupt), len(corrupt)); len(lines) < 2 || lines[len(lines)-2] != want {
		t.Fatalf("output ends %q, expected the summary %q: the good files must still run", lines[max(len(lines)-2, 0):], want)
	}
	if want := fmt.Sprintf("faultsim: %d scenario file(s) could not be read", len(corrupt)); lastLine(out) != want {
		t.Fatalf("last line %q, expected %q", lastLine(out), want)
	}
}

// startsWithLine reports whether s starts with "N:" for a line number N > 0.
func startsWithLine(s string) bool {
	n, _, ok := strings.Cut(s, ":")
	var line int
	_, err := fmt.Sscanf(n, "%d", &line)
	return ok && err == nil && line > 0
}
