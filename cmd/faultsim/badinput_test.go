package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/internal/badinput"
)

// TestReplayBadInput: faultsim replay of each malformed file exits 2 with
// one error naming the file, the line and the field; never a panic.
func TestReplayBadInput(t *testing.T) {
	for _, c := range badinput.Cases() {
		t.Run(c.Model+"/"+c.Name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.yaml")
			if err := os.WriteFile(path, []byte(c.Text), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out := run(t, "replay", path)
			want := c.Want
			if strings.HasPrefix(want, ":") {
				want = path + want
			}
			if code != 2 || !strings.Contains(out, path) || !strings.Contains(out, want) || strings.Contains(out, "panic") {
				t.Fatalf("exit %d, output:\n%s\nwant exit 2 and an error naming %s and containing %q", code, out, path, want)
			}
		})
	}
}
