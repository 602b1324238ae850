package cgroupfs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// TestNewSweepsTreesOfGoneOwners: the first New of a process removes the
// trees whose owner pid is gone or was reused (another start time) and
// keeps those of live owners, of older faultsims (no pid in the name) and
// anything else; the new tree is named for this process.
func TestNewSweepsTreesOfGoneOwners(t *testing.T) {
	root := t.TempDir()
	t.Setenv("TMPDIR", root)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	self, err := startTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	parent, err := startTime(os.Getppid())
	if err != nil {
		t.Fatal(err)
	}
	trees := []struct {
		name string
		kept bool
	}{
		{fmt.Sprintf("%s%d.%d-111", treePrefix, dead.Process.Pid, self), false},
		{fmt.Sprintf("%s%d.%d-222", treePrefix, os.Getpid(), self+1), false}, // pid reused
		{fmt.Sprintf("%s%d.%d-333", treePrefix, os.Getpid(), self), true},
		{fmt.Sprintf("%s%d.%d-444", treePrefix, os.Getppid(), parent), true},
		{treePrefix + "555", true}, // an older faultsim's: no owner recorded
		{"unrelated-1.2-3", true},
	}
	for _, tree := range trees {
		deep := filepath.Join(root, tree.name, "sys", "fs", "cgroup", "memory")
		if err := os.MkdirAll(deep, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(deep, "memory.limit_in_bytes"), []byte("max\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sweepOnce = sync.Once{} // as at the start of a process
	fs, err := New(Spec{Profile: profile(t, "al2023-like")})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	for _, tree := range trees {
		_, err := os.Stat(filepath.Join(root, tree.name))
		if kept := !os.IsNotExist(err); kept != tree.kept {
			t.Errorf("%s: kept = %v after New, want %v (stat: %v)", tree.name, kept, tree.kept, err)
		}
	}
	if pid, start, ok := owner(filepath.Base(fs.Dir())); !ok || pid != os.Getpid() || start != self {
		t.Errorf("new tree %s is not named for this process (pid %d, start %d): got %d, %d, %v", fs.Dir(), os.Getpid(), self, pid, start, ok)
	}
}

// TestSweepJudgesOwnersByTheirProcEntry: a tree whose owner's
// /proc/<pid>/stat is gone or answers ESRCH (an exiting process) is
// removed, as is one whose pid another process now has; a live owner's is
// kept, and one whose entry cannot be read otherwise is kept and reported.
func TestSweepJudgesOwnersByTheirProcEntry(t *testing.T) {
	for _, tt := range []struct {
		name    string
		start   uint64
		err     error
		removed bool
		failed  bool
	}{
		{"alive", 7, nil, false, false},
		{"pid reused", 8, nil, true, false},
		{"gone", 0, &os.PathError{Op: "open", Path: "/proc/42/stat", Err: syscall.ENOENT}, true, false},
		{"exiting", 0, &os.PathError{Op: "read", Path: "/proc/42/stat", Err: syscall.ESRCH}, true, false},
		{"unreadable", 0, &os.PathError{Op: "open", Path: "/proc/42/stat", Err: syscall.EACCES}, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			tree := filepath.Join(root, fmt.Sprintf("%s42.7-1", treePrefix))
			if err := os.MkdirAll(filepath.Join(tree, "sys"), 0o755); err != nil {
				t.Fatal(err)
			}
			removed, err := sweepStale(root, func(pid int) (uint64, error) {
				if pid != 42 {
					t.Fatalf("start time of pid %d asked, want 42", pid)
				}
				return tt.start, tt.err
			})
			if (err != nil) != tt.failed {
				t.Fatalf("sweep error %v, want an error: %v", err, tt.failed)
			}
			_, statErr := os.Stat(tree)
			if gone := os.IsNotExist(statErr); gone != tt.removed || (len(removed) == 1) != tt.removed {
				t.Fatalf("tree removed %v (listed %v), want %v", gone, removed, tt.removed)
			}
		})
	}
}
