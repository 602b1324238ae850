// Package atomicfile writes the files faultsim reports (scenario files,
// campaign states and reports) so that a reader, or a crash, never sees
// half of one: through a temporary file in the same directory and a
// rename, made durable before the write returns.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Modes of what faultsim writes: the group can read a campaign (a merge job
// running as another user of the group reads its shards), others cannot.
// They are set explicitly, whatever the umask.
const (
	FileMode os.FileMode = 0o640
	DirMode  os.FileMode = 0o750
)

// TempFile is the part of *os.File an atomic write uses.
type TempFile interface {
	Write(p []byte) (int, error)
	Chmod(mode os.FileMode) error
	Sync() error
	Close() error
	Name() string
}

// CreateTemp opens the temporary file of an atomic write. It is a test's
// hook, nothing else's: a test replaces it (and restores it) to inject
// write errors such as ENOSPC (a full disk).
var CreateTemp = func(dir, pattern string) (TempFile, error) { return os.CreateTemp(dir, pattern) }

// tempPattern names the temporary files of atomic writes.
const tempPattern = ".tmp-*"

// syncDir makes a directory's entries durable (fsync of the directory); a
// test replaces it to see that it is called.
var syncDir = func(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Write writes a file through a temporary file in the same directory
// and a rename, so a reader (or a crash) never sees half of it, and makes it
// durable before it returns: the file is synced before the rename and the
// directory after, so a power loss cannot lose a file once acknowledged.
func Write(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := MkdirAll(dir); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := CreateTemp(dir, tempPattern)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(FileMode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("write %s: sync directory: %w", path, err)
	}
	return nil
}

// MkdirAll creates dir and its missing parents with DirMode (not reduced by
// the umask), each made durable in its parent; existing ones are left as
// they are.
func MkdirAll(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return &os.PathError{Op: "mkdir", Path: dir, Err: errors.New("not a directory")}
		}
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := MkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, DirMode); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil // made meanwhile by another writer
		}
		return err
	}
	if err := os.Chmod(dir, DirMode); err != nil {
		return err
	}
	return syncDir(parent)
}

// Sweep removes the temporary files of atomic writes that a killed writer
// left in dir; only the process that holds dir (its lock) may call it.
func Sweep(dir string) error {
	tmp, err := filepath.Glob(filepath.Join(dir, tempPattern))
	if err != nil {
		return err
	}
	for _, p := range tmp {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove a killed writer's temporary file: %w", err)
		}
	}
	return nil
}
