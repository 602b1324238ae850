package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestBadFilesCLI: run, replay and import refuse each special file
// (internal/badinput.Files) within a few seconds, exit 2 and name the path
// and what it is: a FIFO hung them, /dev/zero was read until memory ran
// out, and run reported a symbolic link loop as "no such file".
func TestBadFilesCLI(t *testing.T) {
	for _, c := range badinput.Files() {
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			path, err := c.Make(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"run", path},
				{"replay", path},
				{"import", "--model", "hostport", "--out", filepath.Join(dir, "out"), path},
			} {
				if args[0] == "run" && c.Name == "directory" {
					continue // run reads the scenario files in a directory
				}
				type result struct {
					code int
					out  string
				}
				done := make(chan result, 1)
				go func() {
					code, out := run(t, args...)
					done <- result{code, out}
				}()
				select {
				case r := <-done:
					if want := path + ": " + c.Want; r.code != 2 || !strings.Contains(r.out, want) {
						t.Errorf("%v: exit %d, output:\n%s\nwant exit 2 and %q", args, r.code, r.out, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("%v did not return within 5s", args)
				}
			}
		})
	}
}
