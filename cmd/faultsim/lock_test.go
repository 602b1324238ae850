package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/internal/badinput"
	"github.com/faultsim/faultsim/shrink"
)

// waitForLock waits until the process pid has recorded itself in dir's
// lock file, which it writes once it holds the lock.
func waitForLock(t *testing.T, dir string, pid int, out *bytes.Buffer) string {
	t.Helper()
	want := fmt.Sprintf("pid %d on host ", pid)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		data, _ := os.ReadFile(filepath.Join(dir, campaign.LockFile))
		if strings.HasPrefix(string(data), want) {
			return strings.TrimSpace(string(data))
		}
	}
	t.Fatalf("pid %d never recorded itself in %s\n%s", pid, filepath.Join(dir, campaign.LockFile), out.String())
	return ""
}

// TestTwoProcessesOneOut: while one fuzz process runs on --out, a second
// fuzz (new or --resume) and a merge into it are refused with exit 2,
// naming the holder's pid and host, and change nothing; once the holder
// is SIGKILLed, the kernel has released its lock and --resume runs.
func TestTwoProcessesOneOut(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	holder := exec.Command(bin, "fuzz", "--model", "hostport", "--variant", "zero-port-unfiltered", "--workers", "1", "--duration", "5m", "--out", dir)
	var out bytes.Buffer
	holder.Stdout, holder.Stderr = &out, &out
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	who := waitForLock(t, dir, holder.Process.Pid, &out)
	host, _ := os.Hostname()
	if who != fmt.Sprintf("pid %d on host %s", holder.Process.Pid, host) {
		t.Fatalf("lock file records %q", who)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if _, err := campaign.LoadState(dir); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("no state: %v", err)
		}
	}
	other := t.TempDir()
	if code, msg := run(t, "fuzz", "--model", "hostport", "--variant", "reference", "--max-scenarios", "50", "--workers", "1", "--out", other); code != 0 {
		t.Fatalf("a campaign to merge: exit %d\n%s", code, msg)
	}
	for _, args := range [][]string{
		{"fuzz", "--resume", dir, "--workers", "1"},
		{"fuzz", "--model", "hostport", "--variant", "reference", "--max-scenarios", "50", "--workers", "1", "--out", dir},
		{"merge", "--out", dir, other},
	} {
		res, err := exec.Command(bin, args...).CombinedOutput()
		if code := exitCode(t, err); code != 2 || !strings.Contains(string(res), who) || !strings.Contains(string(res), "is in use by another faultsim") {
			t.Fatalf("faultsim %s while %s runs: exit %d\n%s\nexpected exit 2 naming %q", strings.Join(args, " "), who, code, res, who)
		}
	}
	if err := holder.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	holder.Wait()
	res, err := exec.Command(bin, "fuzz", "--resume", dir, "--workers", "1", "--duration", "200ms").CombinedOutput()
	if code := exitCode(t, err); code != 1 {
		t.Fatalf("resume after the holder was killed: exit %d, want 1 (findings)\n%s", code, res)
	}
}

// TestResumeRestoresTheBudget: a --max-scenarios campaign (no time limit)
// interrupted and resumed with no flag runs to its budget with no time
// limit (it stopped after the default 10s before), and a campaign whose
// time budget ends first says it is unfinished on its last line and in
// its summary.
func TestResumeRestoresTheBudget(t *testing.T) {
	dir := t.TempDir()
	const max = 3000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	streams := []campaign.Stream{{Model: "hostport", Variant: "zero-port-unfiltered"}, {Model: "annotations", Variant: "kata-3.8.0"}}
	first, err := campaign.Run(ctx, campaign.Config{Streams: streams, Seed: 3, MaxScenarios: max, Workers: 1, Out: dir,
		Shrink: shrink.ModeGreedy, ProgressInterval: 5e6, Progress: func(p campaign.Progress) {
			if p.Scenarios > 300 {
				cancel()
			}
		}})
	if err != nil || !first.Interrupted {
		t.Fatalf("first session: %v, interrupted %v", err, first.Interrupted)
	}
	code, msg := run(t, "fuzz", "--resume", dir, "--workers", "1")
	if code != 1 || !strings.Contains(msg, "no time limit, at most 3000 scenarios each") || strings.Contains(msg, "unfinished") {
		t.Fatalf("resume of a --max-scenarios campaign: exit %d\n%s\nexpected exit 1 with no time limit and the budget of 3000", code, msg)
	}
	st, err := campaign.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ss := range st.Streams {
		if len(ss.Done) != 1 || ss.Done[0] != (campaign.Range{Lo: 0, Hi: max}) {
			t.Fatalf("%s/%s ran %v, want [0, %d)", ss.Model, ss.Variant, ss.Done, max)
		}
	}
	if st.Shrink != shrink.ModeGreedy {
		t.Fatalf("resumed campaign shrinks with %q, want greedy", st.Shrink)
	}

	cut := t.TempDir()
	code, msg = run(t, "fuzz", "--model", "hostport", "--variant", "reference", "--max-scenarios", "100000000", "--duration", "300ms", "--workers", "1", "--out", cut)
	if code != 0 || !strings.HasPrefix(lastLine(msg), "unfinished: ") || !strings.Contains(lastLine(msg), "continue with: faultsim fuzz --resume "+cut) {
		t.Fatalf("time budget before --max-scenarios: exit %d, last line %q; expected 0 and an unfinished line", code, lastLine(msg))
	}
	md, err := os.ReadFile(filepath.Join(cut, campaign.SummaryMD))
	if err != nil || !strings.Contains(string(md), "UNFINISHED") {
		t.Fatalf("summary.md of an unfinished campaign does not say so (%v):\n%s", err, md)
	}
	var sum struct{ Unfinished bool }
	data, _ := os.ReadFile(filepath.Join(cut, campaign.SummaryJSON))
	if err := json.Unmarshal(data, &sum); err != nil || !sum.Unfinished {
		t.Fatalf("summary.json of an unfinished campaign: %v, unfinished %v", err, sum.Unfinished)
	}
}

// TestResumeForeignStateNoCrash: every foreign state of
// internal/badinput.States (a finding of a stream the campaign does not
// run crashed --resume with a Go stack trace; a finding's file climbing
// out of the directory made merge write outside --out) is refused by
// fuzz --resume and by merge with exit 2, naming the state file, and
// merge writes nothing but its lock.
func TestResumeForeignStateNoCrash(t *testing.T) {
	good := t.TempDir()
	if code, msg := run(t, "fuzz", "--model", "hostport", "--variant", "zero-port-unfiltered", "--max-scenarios", "300", "--workers", "1", "--out", good); code != 1 {
		t.Fatalf("campaign: exit %d\n%s", code, msg)
	}
	files, err := os.ReadDir(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range badinput.States() {
		t.Run(tt.Name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range files {
				data, err := os.ReadFile(filepath.Join(good, f.Name()))
				if err == nil {
					err = os.WriteFile(filepath.Join(dir, f.Name()), data, 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, campaign.StateFile)
			if err := badinput.EditStateFile(path, tt.Edit); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "merged")
			for _, args := range [][]string{
				{"fuzz", "--resume", dir, "--max-scenarios", "400", "--workers", "1"},
				{"merge", "--out", out, dir},
			} {
				code, msg := run(t, args...)
				if code != 2 || !strings.Contains(msg, path) || !strings.Contains(msg, tt.Want) || strings.Contains(msg, "goroutine ") {
					t.Errorf("faultsim %s: exit %d\n%q\nexpected exit 2 naming %s and containing %q", args[0], code, msg, path, tt.Want)
				}
			}
			written, _ := os.ReadDir(out)
			for _, e := range written {
				if e.Name() != campaign.LockFile {
					t.Errorf("merge of a foreign state wrote %s", filepath.Join(out, e.Name()))
				}
			}
		})
	}
}
