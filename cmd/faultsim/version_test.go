package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false,
			"faultsim (devel)\nmodule unknown\ncommit unknown\n" + runtime.Version() + " " + platform + "\n"},
		{"source tree without vcs", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/faultsim/faultsim", Version: "(devel)"}}, true,
			"faultsim (devel)\nmodule github.com/faultsim/faultsim\ncommit unknown\ngo1.26.8 " + platform + "\n"},
		{"empty version", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/faultsim/faultsim"}}, true,
			"faultsim (devel)\nmodule github.com/faultsim/faultsim\ncommit unknown\ngo1.26.8 " + platform + "\n"},
		{"go install at a tag", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/faultsim/faultsim", Version: "v0.3.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "3e91c55e"}, {Key: "vcs.modified", Value: "false"}, {Key: "vcs.time", Value: "2026-12-03T18:20:00Z"}}}, true,
			"faultsim v0.3.0\nmodule github.com/faultsim/faultsim\ncommit 3e91c55e, 2026-12-03T18:20:00Z\ngo1.26.8 " + platform + "\n"},
		{"modified tree", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/faultsim/faultsim", Version: "v0.0.0-20261203182000-3e91c55e1f0d+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "3e91c55e"}, {Key: "vcs.modified", Value: "true"}}}, true,
			"faultsim v0.0.0-20261203182000-3e91c55e1f0d+dirty\nmodule github.com/faultsim/faultsim\ncommit 3e91c55e (modified)\ngo1.26.8 " + platform + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionText(tc.bi, tc.ok); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestVersionMatchesToolchain builds the binary with VCS stamping on and
// checks that `faultsim version` says what `go version -m` reads from the
// same binary: the module version, and the commit (with "(modified)") when
// the build recorded one, "unknown" when it could not (a git worktree, or
// no git).
func TestVersionMatchesToolchain(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "faultsim")
	// -buildvcs on the command line overrides a GOFLAGS=-buildvcs=false.
	if out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("faultsim version: %v\n%s", err, out)
	}
	meta, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, meta)
	}
	version, rev, modified := devel, "", false
	for line := range strings.Lines(string(meta)) {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "mod" && f[1] == "github.com/faultsim/faultsim":
			version = f[2]
		case len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision="):
			rev = strings.TrimPrefix(f[1], "vcs.revision=")
		case len(f) == 2 && f[0] == "build" && f[1] == "vcs.modified=true":
			modified = true
		}
	}
	t.Logf("faultsim version:\n%s", out)
	lines := strings.Split(string(out), "\n")
	if len(lines) < 3 || lines[0] != "faultsim "+version || lines[1] != "module github.com/faultsim/faultsim" {
		t.Fatalf("faultsim version printed\n%s\nwant version %s of github.com/faultsim/faultsim (go version -m:\n%s)", out, version, meta)
	}
	wantCommit := "commit unknown"
	if rev != "" {
		wantCommit = "commit " + rev
		if modified {
			wantCommit += " (modified)"
		}
	}
	if lines[2] != wantCommit && !strings.HasPrefix(lines[2], wantCommit+", ") {
		t.Fatalf("commit line %q, want %q (go version -m:\n%s)", lines[2], wantCommit, meta)
	}
}
