package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

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
	path := filepath.Join(dir, StateFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber() // seeds do not fit a float64
	if err := dec.Decode(&st); err != nil {
		t.Fatal(err)
	}
	edit(st)
	if data, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func finding0(st map[string]any) map[string]any { return st["findings"].([]any)[0].(map[string]any) }
func stream0(st map[string]any) map[string]any  { return st["streams"].([]any)[0].(map[string]any) }

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
// below makes LoadState (so --resume and merge) refuse the file with its
// name and what was expected, where today's code crashed, looped or
// accepted it.
func TestLoadStateRefusesForeignState(t *testing.T) {
	good := smallCampaign(t)
	for _, tt := range []struct {
		name string
		edit func(st map[string]any)
		want string
	}{
		{"unknown variant", func(st map[string]any) { stream0(st)["variant"] = "nosuch" }, `unknown hostport variant "nosuch"`},
		{"unknown model", func(st map[string]any) { stream0(st)["model"] = "nosuch" }, `unknown model "nosuch"`},
		{"finding of an unknown stream", func(st map[string]any) {
			f := finding0(st)
			f["variant"], f["file"] = "crio-1.33.0", ""
		}, "stream hostport/crio-1.33.0 is not among the state's streams"},
		{"streams null", func(st map[string]any) { st["streams"] = nil }, "streams: none"},
		{"stream null", func(st map[string]any) { st["streams"] = []any{nil} }, "streams[0]: null"},
		{"stream twice", func(st map[string]any) { st["streams"] = []any{stream0(st), stream0(st)} }, "listed twice"},
		{"negative range", func(st map[string]any) { stream0(st)["done"] = []any{[]any{-5, 3}} }, "done range [-5, 3)"},
		{"reversed range", func(st map[string]any) { stream0(st)["done"] = []any{[]any{9, 3}} }, "done range [9, 3)"},
		{"absurd range", func(st map[string]any) { stream0(st)["done"] = []any{[]any{0, int64(1) << 62}} }, "hi <= 9007199254740992"},
		{"overlapping ranges", func(st map[string]any) { stream0(st)["done"] = []any{[]any{0, 10}, []any{5, 20}} }, "overlap"},
		{"range another shard owns", func(st map[string]any) { st["shard"] = "1/4" }, "that shard 1/4 owns"},
		{"huge shard count", func(st map[string]any) { st["shard"] = "0/9223372036854775807" }, "expected at most 1000000"},
		{"chunk 0", func(st map[string]any) { st["chunk"] = 0 }, "chunk 0"},
		{"huge max", func(st map[string]any) { st["max_scenarios"] = int64(1) << 60 }, "max_scenarios"},
		{"unknown field", func(st map[string]any) { st["colour"] = "red" }, `unknown field "colour"`},
		{"unknown shrink", func(st map[string]any) { st["shrink"] = "fastest" }, `shrink "fastest"`},
		{"unknown invariant", func(st map[string]any) { finding0(st)["invariant"] = "nosuch" }, `invariant "nosuch"`},
		{"signature of another stream", func(st map[string]any) {
			finding0(st)["signature"] = "signals/crun-1.16/crash"
		}, "signature: expected hostport/zero-port-unfiltered/"},
		{"case seed of no index", func(st map[string]any) { finding0(st)["case_seed"] = 7 }, "case_seed 7 is not the seed of scenario"},
		{"negative index", func(st map[string]any) { finding0(st)["index"] = -1 }, "index -1"},
		{"negative hits", func(st map[string]any) { finding0(st)["hits"] = -1 }, "hits -1"},
		{"two findings one file", func(st map[string]any) {
			fs := st["findings"].([]any)
			fs[1].(map[string]any)["file"] = fs[0].(map[string]any)["file"]
		}, "is also the file of"},
		{"finding null", func(st map[string]any) { st["findings"] = []any{nil} }, "findings[0]: null"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			copyCampaign(t, good, dir)
			editState(t, dir, tt.edit)
			path := filepath.Join(dir, StateFile)
			_, err := LoadState(dir)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%s: %v; expected an error naming %s and containing %q", tt.name, err, path, tt.want)
			}
			if _, err := Merge(t.TempDir(), dir); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("merge, %s: %v; expected it refused (%q)", tt.name, err, tt.want)
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
