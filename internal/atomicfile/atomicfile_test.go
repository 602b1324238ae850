package atomicfile

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recordedFile is a temporary file that logs the calls an atomic write
// makes on it.
type recordedFile struct {
	*os.File
	log *[]string
}

func (f recordedFile) Write(p []byte) (int, error) {
	*f.log = append(*f.log, "write")
	return f.File.Write(p)
}

func (f recordedFile) Chmod(m os.FileMode) error {
	*f.log = append(*f.log, "chmod")
	return f.File.Chmod(m)
}

func (f recordedFile) Sync() error {
	*f.log = append(*f.log, "sync")
	return f.File.Sync()
}

func (f recordedFile) Close() error {
	*f.log = append(*f.log, "close")
	return f.File.Close()
}

// TestAtomicWriteIsDurableAndGroupReadable: a file is written, made
// group-readable and synced before its rename, and its directory synced
// after the rename, before Write returns; the modes are 0640 and
// 0750 (new directories) whatever the umask.
func TestAtomicWriteIsDurableAndGroupReadable(t *testing.T) {
	var log []string
	origCreate, origSync := CreateTemp, syncDir
	defer func() { CreateTemp, syncDir = origCreate, origSync }()
	CreateTemp = func(dir, pattern string) (TempFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		return recordedFile{f, &log}, err
	}
	root := t.TempDir()
	out := filepath.Join(root, "a", "b")
	path := filepath.Join(out, "finding.yaml")
	syncDir = func(dir string) error {
		what := "sync-dir " + dir
		if _, err := os.Stat(path); err == nil {
			what += " (file in place)"
		}
		log = append(log, what)
		return origSync(dir)
	}
	defer syscall.Umask(syscall.Umask(0o077))
	if err := Write(path, []byte("name: x\n")); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"sync-dir " + root, "sync-dir " + filepath.Join(root, "a"), // the new directories' entries
		"write", "chmod", "sync", "close", "sync-dir " + out + " (file in place)",
	}
	if !slices.Equal(log, want) {
		t.Fatalf("calls %q, want %q", log, want)
	}
	for _, tt := range []struct {
		path string
		mode os.FileMode
	}{{path, FileMode}, {out, DirMode | os.ModeDir}, {filepath.Join(root, "a"), DirMode | os.ModeDir}} {
		fi, err := os.Stat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != tt.mode {
			t.Errorf("%s: mode %v, want %v (umask 077)", tt.path, fi.Mode(), tt.mode)
		}
	}
}
