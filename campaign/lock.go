package campaign

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/faultsim/faultsim/internal/atomicfile"
)

// LockFile is the lock file in a campaign's output directory. A campaign or
// a merge holds an advisory lock (flock) on it while it writes the
// directory, and records its pid and host in it.
const LockFile = ".faultsim.lock"

// OutLock is the held lock of an output directory. The kernel releases it
// when the process ends, however it ends (SIGKILL included).
type OutLock struct{ f *os.File }

// LockedError says another process holds the lock of an output directory.
type LockedError struct {
	Dir string
	// Holder is what the holder recorded ("pid 123 on host h"), or why it
	// is unknown.
	Holder string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is in use by another faultsim (%s holds the lock %s): one campaign or merge writes a directory at a time; wait for it to end, or choose another --out",
		e.Dir, e.Holder, filepath.Join(e.Dir, LockFile))
}

// LockOut takes the lock of an output directory, creating the directory
// when missing, or returns a *LockedError naming the holder. flock locks
// belong to an open file description, so a second LockOut in the same
// process is refused too.
func LockOut(dir string) (*OutLock, error) {
	if err := atomicfile.MkdirAll(dir); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, atomicfile.FileMode)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		holder, rerr := io.ReadAll(io.LimitReader(f, 512))
		f.Close()
		if !errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		who := strings.TrimSpace(string(holder))
		switch {
		case rerr != nil:
			who = "a process whose pid cannot be read: " + rerr.Error()
		case who == "" || checkText(who) != nil:
			who = "a process that has not recorded its pid yet"
		}
		return nil, &LockedError{Dir: dir, Holder: who}
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown (" + err.Error() + ")"
	}
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt([]byte(fmt.Sprintf("pid %d on host %s\n", os.Getpid(), host)), 0)
	}
	if err == nil {
		err = f.Chmod(atomicfile.FileMode)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: record pid: %w", path, err)
	}
	return &OutLock{f}, nil
}

// Release releases the lock.
func (l *OutLock) Release() error { return l.f.Close() }

// lockCampaign takes the lock of a campaign's Out, reads a resumed state
// again under it (another process may have continued the campaign since
// it was read), and removes what killed writers left.
func lockCampaign(cfg *Config) (*OutLock, error) {
	lock, err := LockOut(cfg.Out)
	if err != nil {
		return nil, err
	}
	if cfg.Resume != nil {
		cfg.Resume, err = LoadState(cfg.Out)
	}
	if err == nil {
		err = atomicfile.Sweep(cfg.Out)
	}
	if err != nil {
		lock.Release()
		return nil, err
	}
	return lock, nil
}
