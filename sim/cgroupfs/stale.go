package cgroupfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Trees are named for their owner: faultsim-cgroupfs-<pid>.<start>-<random>,
// where start is the owner's start time (field 22 of /proc/<pid>/stat, in
// clock ticks since boot), so a process killed before Close leaves a tree
// that the next process to make one recognises as stale and removes
// (SweepStale): its owner's pid is gone, or has been reused by a process
// that started at another time.

// treePrefix begins every tree's directory name.
const treePrefix = "faultsim-cgroupfs-"

// selfStart is this process's start time, read once.
var selfStart = sync.OnceValues(func() (uint64, error) { return startTime(os.Getpid()) })

// sweepOnce sweeps TempRoot at the first New of the process.
var sweepOnce sync.Once

// treePattern is the os.MkdirTemp pattern of this process's trees.
func treePattern() (string, error) {
	start, err := selfStart()
	if err != nil {
		return "", fmt.Errorf("cgroupfs: name the tree for its owner: %w", err)
	}
	return fmt.Sprintf("%s%d.%d-", treePrefix, os.Getpid(), start), nil
}

// startTime reads the start time of process pid from /proc/<pid>/stat.
func startTime(pid int) (uint64, error) {
	path := fmt.Sprintf("/proc/%d/stat", pid)
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces
	// and parentheses: fields are counted after the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: no ')' closing the command name", path)
	}
	fields := strings.Fields(string(b[i+1:]))
	// fields[0] is field 3 (state); the start time is field 22.
	if len(fields) < 20 {
		return 0, fmt.Errorf("%s: %d fields after the command name, expected at least 20", path, len(fields))
	}
	v, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: field 22 (starttime): %w", path, err)
	}
	return v, nil
}

// owner parses a tree's directory name; ok is false for names that are not
// trees named for their owner (other files, and trees of older faultsims,
// whose names carry no pid: those are left alone).
func owner(name string) (pid int, start uint64, ok bool) {
	rest, found := strings.CutPrefix(name, treePrefix)
	if !found {
		return 0, 0, false
	}
	id, _, found := strings.Cut(rest, "-")
	if !found {
		return 0, 0, false
	}
	p, s, found := strings.Cut(id, ".")
	if !found {
		return 0, 0, false
	}
	pid, err := strconv.Atoi(p)
	if err != nil || pid <= 0 {
		return 0, 0, false
	}
	if start, err = strconv.ParseUint(s, 10, 64); err != nil {
		return 0, 0, false
	}
	return pid, start, true
}

// SweepStale removes the trees under root whose owner is gone: no process
// has its pid, or the process that has it started at another time (the pid
// was reused). It returns the trees removed; trees of live owners, this
// process's among them, are kept. A tree another sweeper removes first is
// not an error.
func SweepStale(root string) ([]string, error) { return sweepStale(root, startTime) }

// sweepStale is SweepStale with the owners' start times read by start.
// An owner whose /proc/<pid>/stat is gone (ENOENT) or answers ESRCH (it is
// exiting: the entry outlives the task for a moment) is gone.
func sweepStale(root string, start func(pid int) (uint64, error)) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("cgroupfs: sweep stale trees in %s: %w", root, err)
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		pid, started, ok := owner(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		got, err := start(pid)
		switch {
		case err == nil && got == started:
			continue // the owner is alive
		case err != nil && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ESRCH):
			errs = append(errs, fmt.Errorf("cgroupfs: sweep %s: read its owner's start time: %w", e.Name(), err))
			continue
		}
		dir := filepath.Join(root, e.Name())
		if err := removeTree(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("cgroupfs: remove the stale tree %s (owner pid %d is gone): %w", dir, pid, err))
			continue
		}
		removed = append(removed, dir)
	}
	return removed, errors.Join(errs...)
}
