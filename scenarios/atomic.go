package scenarios

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

// tempFile is the part of *os.File an atomic write uses.
type tempFile interface {
	Write(p []byte) (int, error)
	Chmod(mode os.FileMode) error
	Sync() error
	Close() error
	Name() string
}

// createTemp opens the temporary file of an atomic write; a test replaces it
// to inject write errors such as ENOSPC (a full disk).
var createTemp = func(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }

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

// writeAtomic writes a file through a temporary file in the same directory
// and a rename, so a reader (or a crash) never sees half of it, and makes it
// durable before it returns: the file is synced before the rename and the
// directory after, so a power loss cannot lose a file once acknowledged.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := mkdirAll(dir); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := createTemp(dir, ".tmp-*")
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

// mkdirAll creates dir and its missing parents with DirMode (not reduced by
// the umask), each made durable in its parent; existing ones are left as
// they are.
func mkdirAll(dir string) error {
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
		if err := mkdirAll(parent); err != nil {
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
