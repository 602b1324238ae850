package fidelity

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	cgroupsv3 "github.com/containerd/cgroups/v3"
)

// The cgroups test's private subtree must not outlive the test, even when
// the test binary dies without running its cleanups (a -test.timeout
// panic, SIGINT, SIGKILL). So before making it the test starts a guard:
// this test binary again, in its own process group and deaf to SIGINT,
// SIGTERM and SIGHUP, which waits for its stdin to close (the test's
// cleanup closes it; the kernel closes it when the test binary dies) and
// then kills whatever runs in the subtree and removes it. The stand-in
// shim also gets SIGKILL when the test binary dies (Pdeathsig). At start,
// subtrees left by runs whose process is gone are removed
// (sweepStaleSubtrees).

// guardEnv makes the test binary a guard of the cgroup directories it
// lists, separated by the path list separator (see TestMain).
const guardEnv = "FAULTSIM_FIDELITY_GUARD"

// holdEnv, set to a duration, makes the cgroups tests wait that long once
// their private subtree and stand-in shim exist (realSide), so that
// TestInterruptedCgroupTestLeavesNothing ends them there, by a signal or by
// -test.timeout, whatever the machine's speed.
const holdEnv = "FAULTSIM_FIDELITY_HOLD"

// subtreePrefix begins the name of every run's private cgroup subtree;
// the run's pid follows.
const subtreePrefix = "faultsim-fidelity-"

// runGuard is the guard's whole life: wait for stdin to close, then remove
// the directories; the exit code is 1 when one could not be removed.
func runGuard(dirs []string) int {
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	_, _ = bufio.NewReader(os.Stdin).ReadString(0) // until EOF
	code := 0
	for _, dir := range dirs {
		found, err := removeCgroup(dir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "fidelity guard: %v; remove it by hand (rmdir, deepest first)\n", err)
			code = 1
		} else if found {
			fmt.Fprintf(os.Stderr, "fidelity guard: removed %s, left by the cgroups test\n", dir)
		}
	}
	return code
}

// startGuard starts the guard of dirs; the returned cleanup (registered
// before the cleanups that remove dirs, so it runs after them) releases it
// and waits for it.
func startGuard(t *testing.T, dirs []string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), guardEnv+"="+strings.Join(dirs, string(os.PathListSeparator)))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r, os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the guard of the private cgroups: %v", err)
	}
	_ = r.Close()
	t.Cleanup(func() {
		_ = w.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("the guard of the private cgroups %v: %v", dirs, err)
		}
	})
}

// sweepStaleSubtrees removes, under each hierarchy root, the private
// subtrees of earlier runs whose process is gone, and fails the test when
// one remains.
func sweepStaleSubtrees(t *testing.T, roots []string) {
	t.Helper()
	for _, root := range roots {
		matches, err := filepath.Glob(filepath.Join(root, subtreePrefix+"*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, dir := range matches {
			pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(dir), subtreePrefix))
			if err != nil || pid == os.Getpid() || processAlive(pid) {
				continue
			}
			if _, err := removeCgroup(dir); err != nil {
				t.Fatalf("an earlier run's private cgroup remains (its process %d is gone) and cannot be removed: %v; remove it by hand (rmdir, deepest first)", pid, err)
			}
			t.Logf("removed %s, left by an earlier run (process %d is gone)", dir, pid)
		}
	}
}

func processAlive(pid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}

// removeCgroup kills the processes in the cgroup dir and its descendants
// and removes them, deepest first, with rmdir only (cgroupfs files cannot
// be unlinked); a cgroup whose killed processes the kernel has not released
// yet is retried for about a second. found is false when dir did not exist.
func removeCgroup(dir string) (found bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	for _, e := range entries {
		if e.IsDir() {
			if _, err := removeCgroup(filepath.Join(dir, e.Name())); err != nil {
				return true, err
			}
		}
	}
	for i := 0; ; i++ {
		killProcs(dir)
		err := syscall.Rmdir(dir)
		if err == nil || errors.Is(err, syscall.ENOENT) {
			return true, nil
		}
		if !errors.Is(err, syscall.EBUSY) || i == 50 {
			return true, fmt.Errorf("remove the private cgroup %s: %w", dir, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killProcs sends SIGKILL to every process listed in dir's cgroup.procs.
func killProcs(dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// TestInterruptedCgroupTestLeavesNothing runs the cgroups test (and the
// refusals test) in this test binary again and ends it part-way, without
// its cleanups, once its private subtree exists: by SIGKILL, SIGINT or
// SIGTERM, and by a -test.timeout panic (the repro) while the run
// holds there (holdEnv); the guard must then report removing the subtree.
// Afterwards no private cgroup of that run and no process it started (the
// shim, the guard) may remain.
func TestInterruptedCgroupTestLeavesNothing(t *testing.T) {
	need(t)
	if mode := cgroupsv3.Mode(); mode != cgroupsv3.Legacy && mode != cgroupsv3.Hybrid {
		t.Skipf("FIDELITY TEST NOT RUN: the cgroups test covers v1 and hybrid nodes only (mode %d)", mode)
	}
	for _, tt := range []struct {
		name    string
		sig     syscall.Signal // sent once the subtree exists; 0: none
		timeout string
		test    string // "" is the cgroups test
	}{
		{"SIGKILL", syscall.SIGKILL, "1m", ""},
		{"SIGINT", syscall.SIGINT, "1m", ""},
		{"SIGTERM", syscall.SIGTERM, "1m", ""},
		{"timeout", 0, "2s", ""},
		{"refusals-SIGKILL", syscall.SIGKILL, "1m", "TestCgroupsRefusalsMatchTheRealKernel"},
		{"refusals-timeout", 0, "2s", "TestCgroupsRefusalsMatchTheRealKernel"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			test := tt.test
			if test == "" {
				test = "TestCgroupsReferenceMatchesRealCgroupfs"
			}
			mark := fmt.Sprintf("FAULTSIM_FIDELITY_MARK=%d-%s", os.Getpid(), tt.name)
			cmd := exec.Command(os.Args[0], "-test.run", "^"+test+"$", "-test.timeout", tt.timeout)
			// The run holds once its subtree exists: past the timeout,
			// or until the signal. Without the hold a signal sent when the
			// subtree is seen could come as the run's own cleanup removed
			// it, which leaves the guard nothing to do.
			cmd.Env = append(os.Environ(), mark, holdEnv+"=1m")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			subtree := filepath.Join(realCgroupRoot, "*", fmt.Sprintf("%s%d", subtreePrefix, cmd.Process.Pid))
			if tt.sig != 0 {
				for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
					if made, _ := filepath.Glob(subtree); len(made) > 0 {
						break
					}
					if time.Now().After(deadline) {
						_ = cmd.Process.Kill()
						_ = cmd.Wait()
						t.Fatalf("the cgroups test made no private subtree %s in 30 s:\n%s", subtree, out.String())
					}
				}
				if err := cmd.Process.Signal(tt.sig); err != nil {
					t.Fatal(err)
				}
			}
			err := cmd.Wait() // and the guard, which shares the output
			t.Logf("%v", err)
			switch {
			case strings.Contains(out.String(), "fidelity guard: remove the private cgroup"):
				t.Errorf("the guard failed:\n%s", out.String())
			case tt.sig == 0 && !strings.Contains(out.String(), "panic: test timed out after "+tt.timeout):
				t.Errorf("the run was not ended by its -test.timeout %s:\n%s", tt.timeout, out.String())
			case !strings.Contains(out.String(), "fidelity guard: removed"):
				t.Errorf("the guard did not remove the subtree of the run ended by %v:\n%s", err, out.String())
			}
			left, _ := filepath.Glob(subtree)
			for _, dir := range left {
				t.Errorf("%s remains", dir)
			}
			deadline := time.Now().Add(2 * time.Second)
			for procs := marked(mark); len(procs) > 0; procs = marked(mark) {
				if time.Now().After(deadline) {
					t.Errorf("processes of the interrupted run remain: %v", procs)
					for _, p := range procs {
						_ = syscall.Kill(p, syscall.SIGKILL)
					}
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// marked lists the processes whose environment holds mark.
func marked(mark string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(env), "\x00") {
			if kv == mark {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// TestCgroupsTestSweepsSubtreesOfGoneRuns: the cgroups test removes the
// private subtree of an earlier run whose process is gone (a guard killed
// with it) before making its own, and keeps that of a live process.
func TestCgroupsTestSweepsSubtreesOfGoneRuns(t *testing.T) {
	need(t)
	if mode := cgroupsv3.Mode(); mode != cgroupsv3.Legacy && mode != cgroupsv3.Hybrid {
		t.Skipf("FIDELITY TEST NOT RUN: the cgroups test covers v1 and hybrid nodes only (mode %d)", mode)
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	live := exec.Command("sleep", "60")
	live.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = live.Process.Kill(); _ = live.Wait() }()
	root := filepath.Join(realCgroupRoot, "pids")
	stale := filepath.Join(root, fmt.Sprintf("%s%d", subtreePrefix, gone.Process.Pid))
	kept := filepath.Join(root, fmt.Sprintf("%s%d", subtreePrefix, live.Process.Pid))
	for _, dir := range []string{filepath.Join(stale, "sandbox"), kept} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for _, dir := range []string{stale, kept} {
			if _, err := removeCgroup(dir); err != nil {
				t.Error(err)
			}
		}
	}()
	out, err := exec.Command(os.Args[0], "-test.run", "^TestCgroupsReferenceMatchesRealCgroupfs$", "-test.v").CombinedOutput()
	if err != nil {
		t.Fatalf("the cgroups test: %v\n%s", err, out)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s, of a run whose process is gone, remains after the cgroups test (stat: %v)", stale, err)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("%s, of a live process, was removed: %v", kept, err)
	}
}
