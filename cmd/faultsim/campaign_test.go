package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/scenarios"
)

// binary is faultsim, built once for all the tests that run it as a
// process, in a directory TestMain removes.
var binary struct {
	once      sync.Once
	dir, path string
	err       error
}

// buildBinary builds faultsim for tests that run it as a process (once),
// with -race under go test -race: the processes' races are caught too, and
// a cold make test compiles the dependencies once, not also without -race.
func buildBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		if binary.dir, binary.err = os.MkdirTemp("", "faultsim-test-bin-"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "faultsim")
		args := []string{"build", "-o", binary.path}
		if raceEnabled {
			args = append(args, "-race")
		}
		if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// exitCode is a finished process's exit code.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// replayAll checks every finding of a campaign directory has a file that
// replays to what it expects.
func replayAll(t *testing.T, dir string, st *campaign.State) {
	t.Helper()
	for _, f := range st.Findings {
		s, err := scenarios.ParseFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatalf("finding %s: %v", f.Signature, err)
		}
		if o, err := scenarios.Run(s, false); err != nil || !o.OK {
			t.Fatalf("%s does not replay to %s: %s (%v)", f.File, s.Expect, o.Got, err)
		}
	}
}

// TestSIGINTKeepsFindingsAndResumeRunsNoSeedTwice runs the binary, sends it
// SIGINT once findings are on disk, and checks it stops (the time it took
// is logged) with exit 130, every finding in its state file written and replayable, its
// summary written and no temporary file left; then --resume completes the
// campaign without running an index twice.
func TestSIGINTKeepsFindingsAndResumeRunsNoSeedTwice(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	// The in-memory models only: the resume budget below applies to every
	// stream, and cgroups (real file I/O, ~50 scenarios/s) would make the
	// test minutes long without testing anything more about interrupts.
	cmd := exec.Command(bin, "fuzz", "--model", "hostport,signals,annotations", "--variant", "buggy", "--workers", "2", "--duration", "5m", "--out", dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var before *campaign.State
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		st, err := campaign.LoadState(dir)
		if err == nil && len(st.Findings) >= 3 && st.Findings[0].File != "" {
			before = st
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no findings after 3 minutes\n%s", out.String())
		}
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code := exitCode(t, cmd.Wait())
	took := time.Since(sent)
	t.Logf("stopped %s after SIGINT", took.Round(time.Millisecond))
	// How fast it stops is a figure, not a pass mark (timings are
	// benchmarks here): it is logged above; only a hang fails.
	if code != 130 || took > 30*time.Second {
		t.Fatalf("exit %d after %s, want 130 (and no hang)\n%s", code, took, out.String())
	}
	st, err := campaign.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range before.Findings {
		if g := findingOf(st, f.Signature); g == nil || g.File == "" {
			t.Fatalf("finding %s reported before the interrupt is not in the final state", f.Signature)
		}
	}
	replayAll(t, dir, st)
	for _, name := range []string{campaign.SummaryMD, campaign.SummaryJSON, campaign.ReportHTML} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("summary not written: %v", err)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmp) > 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
	if !strings.Contains(out.String(), "continue with: faultsim fuzz --resume "+dir) {
		t.Fatalf("no resume hint in the output:\n%s", out.String())
	}

	// Resume to a budget a little above what the longest stream ran.
	var most, ran int64
	for _, ss := range st.Streams {
		if len(ss.Done) > 0 {
			most = max(most, ss.Done[len(ss.Done)-1].Hi)
		}
		ran += ss.Scenarios()
	}
	budget := most + 300
	res := exec.Command(bin, "fuzz", "--resume", dir, "--max-scenarios", itoa(budget), "--workers", "2")
	resOut, err := res.CombinedOutput()
	if code := exitCode(t, err); code != 1 {
		t.Fatalf("resume: exit %d, want 1 (findings)\n%s", code, resOut)
	}
	final, err := campaign.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, ss := range final.Streams {
		if len(ss.Done) != 1 || ss.Done[0] != (campaign.Range{Lo: 0, Hi: budget}) {
			t.Fatalf("%s/%s ran %v, want exactly [0, %d)", ss.Model, ss.Variant, ss.Done, budget)
		}
		total += ss.Scenarios()
	}
	if want := "\n" + itoa(total-ran) + " scenarios in "; !strings.Contains(string(resOut), want) {
		t.Fatalf("the resumed session did not run exactly the %d missing scenarios:\n%s", total-ran, resOut)
	}
	if final.Sessions != 2 {
		t.Fatalf("sessions = %d, want 2", final.Sessions)
	}
	replayAll(t, dir, final)
}

func findingOf(st *campaign.State, sig string) *campaign.FindingState {
	for _, f := range st.Findings {
		if f.Signature == sig {
			return f
		}
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// canonical is what 4 shards merged must share with one unsharded run: the
// indexes run per stream, and every finding with its representative, hits
// and file bytes.
func canonical(t *testing.T, dir string) string {
	t.Helper()
	st, err := campaign.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, ss := range st.Streams {
		b.WriteString(ss.Model + "/" + ss.Variant + " ")
		for _, r := range ss.Done {
			b.WriteString("[" + itoa(r.Lo) + "," + itoa(r.Hi) + ")")
		}
		b.WriteString("\n")
	}
	for _, f := range st.Findings {
		data, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(f.Signature + " index " + itoa(f.Index) + " hits " + itoa(f.Hits) + " " + f.File + "\n" + string(data))
	}
	return b.String()
}

// TestFourShardProcessesMergeToOneRun runs 4 shard processes of a campaign
// at once and one unsharded process, merges the shards with faultsim merge,
// and compares: the same seeds run, the same findings, hits and files.
func TestFourShardProcessesMergeToOneRun(t *testing.T) {
	bin := buildBinary(t)
	args := []string{"fuzz", "--model", "hostport", "--model", "signals", "--variant", "all", "--seed", "4", "--max-scenarios", "900"}
	base := t.TempDir()
	whole := filepath.Join(base, "whole")
	var procs []*exec.Cmd
	var dirs []string
	for i := range 4 {
		d := filepath.Join(base, "shard-"+itoa(int64(i)))
		dirs = append(dirs, d)
		procs = append(procs, exec.Command(bin, append(args, "--workers", "1", "--shard", itoa(int64(i))+"/4", "--out", d)...))
	}
	procs = append(procs, exec.Command(bin, append(args, "--workers", "2", "--out", whole)...))
	outs := make([]bytes.Buffer, len(procs))
	for i, p := range procs {
		p.Stdout, p.Stderr = &outs[i], &outs[i]
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range procs {
		if code := exitCode(t, p.Wait()); code != 1 {
			t.Fatalf("%v: exit %d, want 1 (findings)\n%s", p.Args, code, outs[i].String())
		}
	}
	merged := filepath.Join(base, "merged")
	out, err := exec.Command(bin, append([]string{"merge", "--out", merged}, dirs...)...).CombinedOutput()
	if code := exitCode(t, err); code != 0 {
		t.Fatalf("merge: exit %d\n%s", code, out)
	}
	if got, want := canonical(t, merged), canonical(t, whole); got != want {
		t.Fatalf("4 shards merged differ from the unsharded run:\n%s\n---\n%s", got, want)
	}
	if !strings.Contains(canonical(t, whole), "[0,900)") {
		t.Fatalf("unsharded run did not run [0, 900):\n%s", canonical(t, whole))
	}
}
