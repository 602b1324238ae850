package campaign

import (
	"context"
	"os"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/shrink"
)

// openFDs lists this process's open file descriptors.
func openFDs(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("/proc/self/fd: %v (not Linux?)", err)
	}
	var out []string
	for _, e := range ents {
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		out = append(out, e.Name()+" -> "+target)
	}
	return out
}

// dirNames lists a directory's entries.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestCampaignLeavesNoFilesOrTempDirs runs a campaign over several models,
// cgroups (which builds a real directory tree per scenario) among them,
// and checks that it leaves as many open files and temporary directories
// as it found: none of the workers', timers' or trees' are left behind
// (goroutines are checked by goleak in TestMain).
func TestCampaignLeavesNoFilesOrTempDirs(t *testing.T) {
	// The cgroup trees go to $TMPDIR when set: a private one, on the tmpfs
	// /dev/shm when there is one (a disk-backed one is many times slower).
	tmp := t.TempDir()
	if shm, err := os.MkdirTemp("/dev/shm", "faultsim-leak-test-"); err == nil {
		tmp = shm
		t.Cleanup(func() { os.RemoveAll(shm) })
	}
	t.Setenv("TMPDIR", tmp)
	out := t.TempDir()
	streams := []Stream{{"hostport", "crio-1.33.0"}, {"signals", "crio-crun-1.17"}, {"cgroups", "kata-3.12.0"}, {"cgroups", "reference"}}
	for _, st := range streams {
		if m, err := scenarios.LookupModel(st.Model); err != nil {
			t.Fatal(err)
		} else if _, err := m.Variant(st.Variant); err != nil {
			t.Fatal(err)
		}
	}
	// What the models pooled for earlier tests' cases is released first
	// (models.Release), as the campaign releases what it pooled.
	if err := models.Release(models.All()...); err != nil {
		t.Fatal(err)
	}
	fdsBefore, tmpBefore := openFDs(t), dirNames(t, tmp)
	rep, err := Run(context.Background(), Config{Streams: streams, Seed: 2, MaxScenarios: 40, Workers: 2, Out: out, Shrink: shrink.ModeGreedy})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Scenarios != int64(40*len(streams)) || len(rep.Findings) == 0 {
		t.Fatalf("%d scenarios, %d findings: expected %d and some, so that shrinking ran too", rep.Scenarios, len(rep.Findings), 40*len(streams))
	}
	if fds := openFDs(t); len(fds) != len(fdsBefore) {
		t.Fatalf("open files: %d before the campaign, %d after:\nbefore %q\nafter  %q", len(fdsBefore), len(fds), fdsBefore, fds)
	}
	if left := dirNames(t, tmp); len(left) != len(tmpBefore) {
		t.Fatalf("temporary directory %s: %q before the campaign, %q after", tmp, tmpBefore, left)
	}
	for _, name := range dirNames(t, out) {
		if len(name) > 5 && name[:5] == ".tmp-" {
			t.Fatalf("temporary file %s left in the output directory", name)
		}
	}
}
