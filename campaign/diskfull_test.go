package campaign

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/faultsim/faultsim/internal/atomicfile"
	"github.com/faultsim/faultsim/scenarios"
)

// fullDisk is a temporary file on a disk that fills up: Write stores half
// the data and fails with ENOSPC, as a write(2) on a full file system does.
type fullDisk struct{ *os.File }

func (f fullDisk) Write(p []byte) (int, error) {
	n, _ := f.File.Write(p[:len(p)/2])
	return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

// fillDiskAfter makes every atomic write after the first ok ones hit a full
// disk, until the returned function frees space again.
func fillDiskAfter(ok int64) (free func()) {
	var calls atomic.Int64
	orig := atomicfile.CreateTemp
	atomicfile.CreateTemp = func(dir, pattern string) (atomicfile.TempFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil || calls.Add(1) <= ok {
			return f, err
		}
		return fullDisk{f}, nil
	}
	return func() { atomicfile.CreateTemp = orig }
}

// TestDiskFull: a campaign whose disk fills up (after 0, 1, 2 and 5
// successful writes of findings, state and reports) stops with an error
// naming the file and ENOSPC; every file on disk is whole (the state file
// loads, every finding it lists parses, no temporary file is left); and
// once there is space again, resuming gives exactly the campaign that never
// ran out of space: no finding is lost.
func TestDiskFull(t *testing.T) {
	cfg := Config{Streams: twoStreams, Seed: 4, MaxScenarios: sized(600, 300), Workers: 2}
	full := t.TempDir()
	cfg.Out = full
	rep, err := Run(context.Background(), cfg)
	if err != nil || len(rep.Findings) == 0 {
		t.Fatalf("campaign with space: %v, %d findings; expected some", err, len(rep.Findings))
	}
	want := outcome(t, full, rep.State)

	for _, ok := range []int64{0, 1, 2, 5} {
		dir := t.TempDir()
		cfg.Out = dir
		free := fillDiskAfter(ok)
		_, err = Run(context.Background(), cfg)
		free()
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "write "+dir+string(filepath.Separator)) {
			t.Fatalf("disk full after %d writes: error %v; expected ENOSPC naming the file under %s", ok, err, dir)
		}
		if tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmp) > 0 {
			t.Fatalf("disk full after %d writes: temporary files left: %v", ok, tmp)
		}
		saved, err := LoadState(dir)
		if ok == 0 {
			if !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("disk full from the start: state %v; expected none written", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("disk full after %d writes: the state on disk does not load: %v", ok, err)
		}
		for _, f := range saved.Findings {
			if f.File == "" {
				continue // found, not yet shrunk: resuming shrinks it
			}
			if _, err := scenarios.ParseFile(filepath.Join(dir, f.File)); err != nil {
				t.Fatalf("disk full after %d writes: finding %s in the state has no whole file: %v", ok, f.Signature, err)
			}
		}
		resumed, err := Run(context.Background(), Config{Resume: saved, Out: dir, Workers: 2})
		if err != nil {
			t.Fatalf("resume after the disk had space again: %v", err)
		}
		if got := outcome(t, dir, resumed.State); got != want {
			t.Fatalf("disk full after %d writes, then resumed: differs from the campaign with space:\n%s\n---\n%s", ok, got, want)
		}
	}
}
