package campaign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chaos is one run of TestChaosEqualsUninterrupted: a faultsim binary, a
// campaign's flags and its --out.
type chaos struct {
	t    *testing.T
	bin  string
	args []string // the campaign's flags, without --out
	dir  string
	rng  *rand.Rand
	log  []string
}

// start starts a session: the campaign itself while dir has no state,
// --resume afterwards.
func (c *chaos) start() (*exec.Cmd, *bytes.Buffer) {
	c.t.Helper()
	args := append([]string{"fuzz"}, c.args...)
	args = append(args, "--out", c.dir)
	if _, err := LoadState(c.dir); err == nil {
		args = []string{"fuzz", "--resume", c.dir, "--workers", "2"}
	}
	cmd := exec.Command(c.bin, args...)
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	return cmd, out
}

// killAfter SIGKILLs a session after a delay drawn from [lo, hi) unless it
// ended first; it reports whether the campaign ran to its end.
func (c *chaos) killAfter(cmd *exec.Cmd, out *bytes.Buffer, lo, hi time.Duration) (finished bool) {
	c.t.Helper()
	delay := lo + time.Duration(c.rng.Int64N(int64(hi-lo)))
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	select {
	case err := <-ended:
		c.log = append(c.log, fmt.Sprintf("%v ended by itself: %v", cmd.Args[1:3], err))
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() != 1 || err == nil {
			c.t.Fatalf("session %v: %v, want exit 1 (findings)\n%s", cmd.Args, err, out)
		}
		return true
	case <-time.After(delay):
		cmd.Process.Signal(syscall.SIGKILL)
		<-ended
		c.log = append(c.log, fmt.Sprintf("%v SIGKILLed after %s", cmd.Args[1:3], delay.Round(time.Millisecond)))
		return false
	}
}

// concurrentResumer starts a session and, once it holds the lock, a second
// one, which must be refused naming the first's pid; then the first is
// killed at a random time.
func (c *chaos) concurrentResumer(lo, hi time.Duration) bool {
	c.t.Helper()
	first, out := c.start()
	want := fmt.Sprintf("pid %d on host ", first.Process.Pid)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		data, _ := os.ReadFile(filepath.Join(c.dir, LockFile))
		if strings.HasPrefix(string(data), want) {
			break
		}
		if time.Now().After(deadline) {
			first.Process.Kill()
			c.t.Fatalf("the first resumer never took the lock\n%s", out)
		}
	}
	second, err := exec.Command(c.bin, "fuzz", "--resume", c.dir, "--workers", "2").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(second), want) {
		first.Process.Kill()
		c.t.Fatalf("a second resumer while pid %d runs: %v\n%s\nexpected exit 2 naming %q", first.Process.Pid, err, second, want)
	}
	c.log = append(c.log, "second resumer refused: "+strings.TrimSpace(lastLineOf(string(second))))
	return c.killAfter(first, out, lo, hi)
}

// diskFull runs a session in this process whose disk fills up after
// 0 or 1 writes: it must fail with ENOSPC, leaving a state that resumes.
func (c *chaos) diskFull() {
	c.t.Helper()
	st, err := LoadState(c.dir)
	if err != nil {
		c.t.Fatalf("state before the full disk: %v", err)
	}
	ok := c.rng.Int64N(2)
	free := fillDiskAfter(ok)
	_, err = Run(context.Background(), Config{Resume: st, Out: c.dir, Workers: 2})
	free()
	if !errors.Is(err, syscall.ENOSPC) {
		c.t.Fatalf("session on a full disk (after %d writes): %v, want ENOSPC", ok, err)
	}
	c.log = append(c.log, fmt.Sprintf("disk full after %d write(s): %v", ok, err))
}

func lastLineOf(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestChaosEqualsUninterrupted is issue 17's acceptance test: a campaign
// SIGKILLed at varied (seeded) times, resumed each time, with a second
// resumer started while one runs (refused by the lock) and a session on a
// full disk, ends with the state and findings of the same campaign run
// without interruption. go test runs a short form (-short: shorter still);
// FAULTSIM_LONG=1 runs the long one (a campaign of minutes, killed every
// few seconds for about 10 minutes): FAULTSIM_LONG=1 go test -timeout 1h
// -run TestChaosEqualsUninterrupted ./campaign.
func TestChaosEqualsUninterrupted(t *testing.T) {
	max, kills, lo, hi := "1000", 2, 40*time.Millisecond, 500*time.Millisecond
	switch {
	case os.Getenv("FAULTSIM_LONG") == "1":
		max, kills, lo, hi = "200000", 1000, time.Second, 10*time.Second
	case testing.Short():
		max, kills = "800", 1
	}
	bin := filepath.Join(t.TempDir(), "faultsim")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/faultsim").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	args := []string{"--model", "hostport,signals,annotations", "--variant", "buggy", "--seed", "7", "--max-scenarios", max, "--workers", "2"}
	ref := t.TempDir()
	out, err := exec.Command(bin, append(append([]string{"fuzz"}, args...), "--out", ref)...).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("uninterrupted campaign: %v, want exit 1 (findings)\n%s", err, out)
	}
	want, err := LoadState(ref)
	if err != nil {
		t.Fatal(err)
	}

	c := &chaos{t: t, bin: bin, args: args, dir: t.TempDir(), rng: rand.New(rand.NewPCG(17, 0))}
	// The first session is killed just after it saved its first state, so
	// that what follows meets a campaign with most of its work ahead
	// whatever the machine's speed: a resumer with a second one started
	// while it runs, killed in turn; a session on a full disk; then
	// sessions killed at seeded times until one ends by itself or the
	// kills run out; the last runs to the end.
	first, fout := c.start()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if _, err := LoadState(c.dir); err == nil {
			break
		}
		if time.Now().After(deadline) {
			first.Process.Kill()
			t.Fatalf("no state after a minute\n%s", fout)
		}
	}
	if c.killAfter(first, fout, time.Millisecond, 50*time.Millisecond) {
		t.Fatalf("the campaign ended within 50ms of its first state: raise --max-scenarios (%s)", max)
	}
	finished := c.concurrentResumer(lo, hi)
	c.diskFull()
	deadline := time.Now().Add(10 * time.Minute)
	for i := 0; i < kills && !finished && time.Now().Before(deadline); i++ {
		cmd, out := c.start()
		finished = c.killAfter(cmd, out, lo, hi)
	}
	last, lout := c.start()
	if !c.killAfter(last, lout, time.Hour, time.Hour+1) {
		t.Fatal("the last session did not end")
	}
	if strings.Contains(lout.String(), "unfinished") {
		t.Fatalf("the last session left the campaign unfinished:\n%s", lout)
	}
	t.Logf("sessions:\n  %s", strings.Join(c.log, "\n  "))
	got, err := LoadState(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := outcome(t, c.dir, got), outcome(t, ref, want); g != w {
		t.Fatalf("campaign killed, resumed and run out of disk differs from the uninterrupted one:\n%s\n---\n%s", g, w)
	}
	if tmp, _ := filepath.Glob(filepath.Join(c.dir, ".tmp-*")); len(tmp) > 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
}
