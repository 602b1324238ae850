package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplayTimeline: --timeline writes a timeline without changing what
// replay prints or its exit code; the same file twice gives the same bytes;
// a timeline that cannot be written is exit 2 before anything is printed,
// and leaves no temporary file behind.
func TestReplayTimeline(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		file string
		code int
	}{
		{"../../scenarios/corpus/incident-1-crio-1.33.0-crash.yaml", 0},
		{"../../scenarios/corpus/incident-1-reference-passes.yaml", 0},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			wantCode, wantOut := run(t, "replay", tt.file)
			out := filepath.Join(dir, filepath.Base(tt.file)+".html")
			var pages [][]byte
			for range 2 {
				code, got := run(t, "replay", "--timeline", out, tt.file)
				if code != wantCode || code != tt.code || got != wantOut {
					t.Fatalf("with --timeline: exit %d and output\n%s\nwant exit %d and the output without it:\n%s", code, got, wantCode, wantOut)
				}
				page, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, page)
			}
			if !bytes.Equal(pages[0], pages[1]) {
				t.Fatal("two timelines of one scenario differ")
			}
			if !bytes.HasPrefix(pages[0], []byte("<!DOCTYPE html>")) || !bytes.Contains(pages[0], []byte(`class="lane"`)) {
				t.Fatalf("%s is not a timeline:\n%.300s", out, pages[0])
			}
		})
	}

	// A wrong expect still exits 1, and the timeline is written all the same.
	good, err := os.ReadFile("../../scenarios/corpus/incident-1-reference-passes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wrong := filepath.Join(dir, "wrong.yaml")
	if err := os.WriteFile(wrong, []byte(strings.Replace(string(good), "expect: pass", "expect: {violation: crash}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := run(t, "replay", "--timeline", filepath.Join(dir, "wrong.html"), wrong); code != 1 {
		t.Fatalf("mismatching expect with --timeline: exit %d, want 1\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "wrong.html")); err != nil {
		t.Fatalf("no timeline for a mismatching outcome: %v", err)
	}

	for _, bad := range []struct{ path, why string }{
		{filepath.Join(dir, "missing-dir", "t.html"), "no such file or directory"},
		{dir, "it is a directory"},
	} {
		code, out := run(t, "replay", "--timeline", bad.path, tests[0].file)
		if code != 2 || !strings.Contains(out, "faultsim: cannot write timeline "+bad.path+": ") || !strings.Contains(out, bad.why) {
			t.Errorf("--timeline %s: exit %d and output %q, want exit 2 and an error naming the file and saying %q", bad.path, code, out, bad.why)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
