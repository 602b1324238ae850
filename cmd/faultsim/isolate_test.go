package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIsolateFlag: --isolate runs the campaign in race mode and says what
// it ran there (signals has no concurrent run, hostport's reference one
// per scenario, clean; campaign's and the models' race tests cover ones
// that race); a bad --isolate-timeout is refused.
func TestIsolateFlag(t *testing.T) {
	tests := []struct {
		name  string
		model string
		args  []string
		code  int
		want  string
	}{
		{"race mode", "signals", []string{"--isolate"}, 0, "race mode: 0 concurrent run(s) in child processes"},
		{"race mode, concurrent", "hostport", []string{"--isolate"}, 0, "race mode: 40 concurrent run(s) in child processes"},
		{"bad timeout", "signals", []string{"--isolate", "--isolate-timeout", "0s"}, 2, "--isolate-timeout 0s: expected a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			args := append([]string{"fuzz", "--model", tt.model, "--variant", "reference", "--max-scenarios", "40", "--workers", "1", "--out", out}, tt.args...)
			code, text := run(t, args...)
			if code != tt.code || !strings.Contains(text, tt.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, tt.code, tt.want, text)
			}
			if tt.code == 0 {
				if _, err := os.Stat(filepath.Join(out, "races.txt")); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
