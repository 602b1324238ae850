package badinput

import (
	"os"
	"path/filepath"
	"syscall"
)

// File is a bad input that is not text: a path naming something other
// than a regular file, or one the system cannot resolve. Every reader of
// user files (run, replay, import; scenarios.ParseFile,
// campaign.ReadFuzzFile) must refuse it at once, without blocking and with
// bounded memory.
type File struct {
	// Name says what is wrong with it.
	Name string
	// Make creates it in dir and returns the path to give the reader.
	Make func(dir string) (string, error)
	// Want is the error the reader must give, after the path and ": ".
	Want string
}

// Files returns every bad input that is a special file.
func Files() []File {
	return []File{
		{"fifo", func(dir string) (string, error) {
			p := filepath.Join(dir, "fifo.yaml")
			return p, syscall.Mkfifo(p, 0o644)
		}, "file is a named pipe (FIFO), not a regular file"},
		{"dev zero", func(string) (string, error) { return "/dev/zero", nil },
			"file is a character device, not a regular file"},
		{"link to dev zero", func(dir string) (string, error) {
			p := filepath.Join(dir, "zero.yaml")
			return p, os.Symlink("/dev/zero", p)
		}, "file is a character device, not a regular file"},
		{"symlink loop", func(dir string) (string, error) {
			p := filepath.Join(dir, "loop.yaml")
			return p, os.Symlink("loop.yaml", p)
		}, "too many levels of symbolic links"},
		{"directory", func(dir string) (string, error) {
			p := filepath.Join(dir, "dir.yaml")
			return p, os.Mkdir(p, 0o755)
		}, "file is a directory, not a regular file"},
		{"missing", func(dir string) (string, error) { return filepath.Join(dir, "missing.yaml"), nil },
			"no such file or directory"},
	}
}
