package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lineWatcher collects a child's output and closes first when its first
// line is complete (the command is under way, its signal handler set).
type lineWatcher struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	once  sync.Once
	first chan struct{}
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if bytes.IndexByte(w.buf.Bytes(), '\n') >= 0 {
		w.once.Do(func() { close(w.first) })
	}
	return len(p), nil
}

func (w *lineWatcher) String() string { w.mu.Lock(); defer w.mu.Unlock(); return w.buf.String() }

// TestSignalStopsRunAndBenchCleanly signals the built binary while run
// (over many cgroups scenarios) or bench is under way: it must exit 130
// within seconds, run with its summary line, and leave no simulated
// cgroupfs tree in its TMPDIR.
func TestSignalStopsRunAndBenchCleanly(t *testing.T) {
	bin := buildBinary(t)
	corpus := t.TempDir()
	src, err := os.ReadFile("../../scenarios/corpus/incident-3-al2023-kata-3.12.0-limits-missing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const files = 2000
	for i := range files {
		if err := os.WriteFile(filepath.Join(corpus, fmt.Sprintf("%04d.yaml", i)), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	summary := regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed\n\z`)
	for _, tt := range []struct {
		name string
		sig  syscall.Signal
		args []string
	}{
		{"run/SIGTERM", syscall.SIGTERM, []string{"run", corpus}},
		{"run/SIGINT", syscall.SIGINT, []string{"run", corpus}},
		{"bench/SIGTERM", syscall.SIGTERM, []string{"bench", "--model", "cgroups", "--duration", "1m", "--seeds", "1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			cmd := exec.Command(bin, tt.args...)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			stdout := &lineWatcher{first: make(chan struct{})}
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-stdout.first:
			case err := <-done:
				t.Fatalf("%v ended before it was signalled: %v\n%s%s", tt.args, err, stdout, stderr.String())
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("%v printed nothing in 60 s", tt.args)
			}
			time.Sleep(300 * time.Millisecond) // well inside a scenario loop
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			var werr error
			select {
			case werr = <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("%v still running 10 s after %v", tt.args, tt.sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Fatalf("%v after %v: exit %d (%v), want %d\nstderr: %s", tt.args, tt.sig, code, werr, exitInterrupted, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say it was interrupted: %q", stderr.String())
			}
			if tt.args[0] == "run" {
				m := summary.FindStringSubmatch(stdout.String())
				if m == nil {
					t.Fatalf("run's output does not end with its summary line:\n%s", stdout)
				}
				passed, _ := strconv.Atoi(m[1])
				failed, _ := strconv.Atoi(m[2])
				if ran := passed + failed; ran < 1 || ran >= files {
					t.Errorf("summary %q: want some but not all of the %d files run", strings.TrimSpace(m[0]), files)
				}
			}
			entries, err := os.ReadDir(tmp)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				t.Errorf("%s left behind in its TMPDIR after %v", e.Name(), tt.sig)
			}
		})
	}
}

// TestKilledCampaignTreesAreSwept: a cgroups campaign SIGKILLed while its
// scenarios run leaves their simulated cgroupfs trees behind (52 kills
// once left 144 in /dev/shm); the next faultsim to make a tree, here a
// replay, removes them, as their owner is gone, and leaves nothing.
func TestKilledCampaignTreesAreSwept(t *testing.T) {
	bin := buildBinary(t)
	tmp := t.TempDir()
	trees := filepath.Join(tmp, "faultsim-cgroupfs-*")
	var left []string
	for kill := 0; kill < 20 && len(left) == 0; kill++ {
		cmd := exec.Command(bin, "fuzz", "--model", "cgroups", "--variant", "reference", "--workers", "2", "--duration", "1m", "--out", t.TempDir())
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if made, _ := filepath.Glob(trees); len(made) > 0 {
				break
			}
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		left, _ = filepath.Glob(trees)
	}
	if len(left) == 0 {
		t.Fatal("no SIGKILL left a tree behind: the test shows nothing")
	}
	replay := exec.Command(bin, "replay", "../../scenarios/corpus/incident-3-al2023-reference-passes.yaml")
	replay.Env = append(os.Environ(), "TMPDIR="+tmp)
	if out, err := replay.CombinedOutput(); err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s left in TMPDIR after the next faultsim started (the killed campaign left %d trees)", e.Name(), len(left))
	}
}

// TestSignalStopsReplayCleanly: SIGTERM or SIGINT while replay runs a long
// cgroups scenario (its simulated cgroupfs tree exists) ends it with exit
// 130 once the scenario is over, saying so and printing no trace, and
// leaves no tree in its TMPDIR; without a handler the signal killed it
// with the tree left behind.
func TestSignalStopsReplayCleanly(t *testing.T) {
	bin := buildBinary(t)
	var b strings.Builder
	b.WriteString("name: long\nmodel: cgroups\nvariant: reference\nsteps:\n")
	for i := range 60 {
		fmt.Fprintf(&b, "  - {at: %ds, op: run-pod-sandbox, sandbox: p%d, resources: {memory: 268435456}}\n", i, i)
	}
	b.WriteString("expect: pass\n")
	file := filepath.Join(t.TempDir(), "long.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			cmd := exec.Command(bin, "replay", file)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
				if made, _ := filepath.Glob(filepath.Join(tmp, "faultsim-cgroupfs-*")); len(made) > 0 {
					break
				}
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					<-done
					t.Fatalf("replay made no tree in 30 s\n%s%s", stdout.String(), stderr.String())
				}
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("replay still running 60 s after %v", sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") || stdout.Len() > 0 {
				t.Fatalf("replay after %v: exit %d, stdout %d bytes, stderr %q; want exit %d, nothing printed and an interrupted message", sig, code, stdout.Len(), stderr.String(), exitInterrupted)
			}
			left, _ := os.ReadDir(tmp)
			for _, e := range left {
				t.Errorf("%s left behind in its TMPDIR after %v", e.Name(), sig)
			}
		})
	}
}
