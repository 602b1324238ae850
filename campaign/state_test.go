package campaign

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/faultsim/faultsim/internal/badinput"
	"github.com/faultsim/faultsim/shrink"
)

// smallCampaign runs a short campaign with findings into a new directory.
func smallCampaign(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rep, err := Run(context.Background(), Config{Streams: []Stream{{"hostport", "zero-port-unfiltered"}}, Seed: 1, MaxScenarios: 300, Workers: 1, Out: dir, Shrink: shrink.ModeGreedy})
	if err != nil || len(rep.Findings) < 2 {
		t.Fatalf("campaign: %v, %d findings; expected 2 or more", err, len(rep.Findings))
	}
	return dir
}

// copyCampaign copies a campaign directory's regular files into dst.
func copyCampaign(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// editState rewrites a campaign's state file through its generic JSON form.
func editState(t *testing.T, dir string, edit func(st map[string]any)) {
	t.Helper()
	if err := badinput.EditStateFile(filepath.Join(dir, StateFile), edit); err != nil {
		t.Fatal(err)
	}
}

func finding0(st map[string]any) map[string]any { return st["findings"].([]any)[0].(map[string]any) }

// filesUnder lists every path under root.
func filesUnder(t *testing.T, root string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, _ os.DirEntry, err error) error {
		out[p] = true
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMergeRefusesPathsInState: a state whose finding names a path (the
// traversal of issue 17: ../../../../etc/hostname and its kin) is refused
// by LoadState and by merge with the state file named, and merge writes
// nothing outside --out. A finding file that is a symbolic link is refused
// too.
func TestMergeRefusesPathsInState(t *testing.T) {
	good := smallCampaign(t)
	for _, name := range []string{"../../../../etc/hostname", "../../../../tmp/x.yaml", "/etc/hostname", "/tmp/x.yaml", "..", ".", "", "sub/x.yaml", `a\b.yaml`, "a\x00b.yaml", "x\n.yaml", "x.txt"} {
		t.Run(strings.ReplaceAll(name, "/", "|"), func(t *testing.T) {
			root := t.TempDir()
			in := filepath.Join(root, "in")
			copyCampaign(t, good, in)
			editState(t, in, func(st map[string]any) { finding0(st)["file"] = name })
			out := filepath.Join(root, "d1", "d2", "d3", "d4", "o")
			before := filesUnder(t, root)
			_, err := LoadState(in)
			if name == "" {
				if err != nil {
					t.Fatalf("a finding without a file (not yet written): %v, expected it accepted", err)
				}
				return
			}
			state := filepath.Join(in, StateFile)
			if err == nil || !strings.Contains(err.Error(), state) || !strings.Contains(err.Error(), "file") {
				t.Fatalf("LoadState with file %q: %v; expected an error naming %s and the field", name, err, state)
			}
			if _, err := Merge(out, in); err == nil || !strings.Contains(err.Error(), state) {
				t.Fatalf("merge with file %q: %v; expected an error naming %s", name, err, state)
			}
			for p := range filesUnder(t, root) {
				if !before[p] && p != out && !strings.HasPrefix(p, out+string(filepath.Separator)) && !strings.HasPrefix(out, p+string(filepath.Separator)) {
					t.Errorf("merge wrote %s, outside --out %s", p, out)
				}
			}
		})
	}
	t.Run("symlink", func(t *testing.T) {
		in := filepath.Join(t.TempDir(), "in")
		copyCampaign(t, good, in)
		st, err := LoadState(in)
		if err != nil {
			t.Fatal(err)
		}
		victim := filepath.Join(in, st.Findings[0].File)
		if err := os.Remove(victim); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/etc/hostname", victim); err != nil {
			t.Fatal(err)
		}
		if _, err := Merge(t.TempDir(), in); err == nil || !strings.Contains(err.Error(), victim+" is a symbolic link") {
			t.Fatalf("merge of a finding that is a symlink: %v; expected it refused, naming %s", err, victim)
		}
	})
}

// TestLoadStateRefusesForeignState: state is untrusted input. Every edit
// of internal/badinput.States makes LoadState (so --resume and merge)
// refuse the file with its name and what was expected, where the code of
// issue 17 crashed, looped, accepted it or wrote outside --out.
func TestLoadStateRefusesForeignState(t *testing.T) {
	good := smallCampaign(t)
	for _, tt := range badinput.States() {
		t.Run(tt.Name, func(t *testing.T) {
			dir := t.TempDir()
			copyCampaign(t, good, dir)
			path := filepath.Join(dir, StateFile)
			if err := badinput.EditStateFile(path, tt.Edit); err != nil {
				t.Fatal(err)
			}
			_, err := LoadState(dir)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.Want) {
				t.Fatalf("%s: %v; expected an error naming %s and containing %q", tt.Name, err, path, tt.Want)
			}
			if _, err := Merge(t.TempDir(), dir); err == nil || !strings.Contains(err.Error(), tt.Want) {
				t.Fatalf("merge, %s: %v; expected it refused (%q)", tt.Name, err, tt.Want)
			}
		})
	}
	t.Run("data after the state", func(t *testing.T) {
		dir := t.TempDir()
		copyCampaign(t, good, dir)
		f, err := os.OpenFile(filepath.Join(dir, StateFile), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(`{"version": 1}`)
		f.Close()
		if _, err := LoadState(dir); err == nil || !strings.Contains(err.Error(), "data after the state") {
			t.Fatalf("a second JSON value after the state: %v, expected it refused", err)
		}
	})
	t.Run("fifo", func(t *testing.T) {
		dir := t.TempDir()
		if err := syscall.Mkfifo(filepath.Join(dir, StateFile), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadState(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("a FIFO as state: %v, expected it refused without blocking", err)
		}
	})
	// The crash of issue 17: a resumed state in memory with a finding of a
	// stream the campaign does not run panicked in the shrinker.
	t.Run("resume in memory", func(t *testing.T) {
		st, err := LoadState(good)
		if err != nil {
			t.Fatal(err)
		}
		st.Findings[0].Variant, st.Findings[0].File = "crio-1.33.0", ""
		if _, err := Run(context.Background(), Config{Resume: st, Workers: 1, MaxScenarios: 400}); err == nil || !strings.Contains(err.Error(), "not among the state's streams") {
			t.Fatalf("resume of a state with a finding of an unknown stream: %v, expected it refused", err)
		}
	})
}

// TestOneCampaignPerOut: the lock of --out refuses a second campaign or
// merge on the same directory, naming the holder's pid and host; flock
// locks belong to an open file description, so two opens in one process
// conflict as two processes do. Released, the directory is free again.
func TestOneCampaignPerOut(t *testing.T) {
	dir := smallCampaign(t)
	lock, err := LockOut(dir)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	holder := fmt.Sprintf("pid %d on host %s", os.Getpid(), host)
	check := func(what string, err error) {
		t.Helper()
		var le *LockedError
		if !errors.As(err, &le) || le.Holder != holder || !strings.Contains(err.Error(), dir) {
			t.Fatalf("%s while %s holds the lock: %v; expected a LockedError naming %s and the directory", what, holder, err, holder)
		}
	}
	_, err = LockOut(dir)
	check("a second lock", err)
	st, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), Config{Resume: st, Out: dir, Workers: 1})
	check("a resumed campaign", err)
	_, err = Run(context.Background(), Config{Streams: twoStreams, MaxScenarios: 10, Out: dir, Workers: 1})
	check("a new campaign", err)
	_, err = Merge(dir, t.TempDir())
	check("a merge into it", err)
	if err := lock.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), Config{Resume: st, Out: dir, Workers: 1, MaxScenarios: 400}); err != nil {
		t.Fatalf("resume once the lock is released: %v", err)
	}
}

// TestMergeRefusesAFindingThatDoesNotReplay: a finding whose file no longer
// reproduces its expect (here edited to expect a pass) is not merged.
func TestMergeRefusesAFindingThatDoesNotReplay(t *testing.T) {
	in := t.TempDir()
	rep, err := Run(context.Background(), Config{Model: "hostname", Variant: "truncate-only", Seed: 1, MaxScenarios: 64, Out: in})
	if err != nil || len(rep.Findings) == 0 {
		t.Fatalf("campaign: %v, %d findings", err, len(rep.Findings))
	}
	path := rep.Findings[0].Path
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "expect:\n  violation: hostname-valid\n", "expect: pass\n", 1)
	if edited == string(data) {
		t.Fatalf("no expect to edit in\n%s", data)
	}
	if err := os.WriteFile(path, []byte(edited), 0o640); err != nil {
		t.Fatal(err)
	}
	_, err = Merge(filepath.Join(t.TempDir(), "out"), in)
	if err == nil || !strings.Contains(err.Error(), "replays to violations [hostname-valid], not its expect pass") {
		t.Fatalf("merge of a finding that does not replay: %v", err)
	}
}

func TestRunStreams(t *testing.T) {
	one := Stream{"hostport", "reference"}
	two := []Stream{{"signals", "reference"}, {"cgroups", "kata-3.12.0"}}
	resumed := &State{Streams: []*StreamState{{Model: "annotations", Variant: "kata-3.8.0"}}}
	for _, c := range []struct {
		name string
		cfg  Config
		want []Stream
	}{
		{"model and variant", Config{Model: one.Model, Variant: one.Variant}, []Stream{one}},
		{"streams", Config{Streams: two, Model: one.Model, Variant: one.Variant}, two},
		{"resumed", Config{Streams: two, Model: one.Model, Variant: one.Variant, Resume: resumed}, []Stream{{"annotations", "kata-3.8.0"}}},
	} {
		if got := c.cfg.RunStreams(); !slices.Equal(got, c.want) {
			t.Errorf("%s: RunStreams %v, want %v", c.name, got, c.want)
		}
	}
}
