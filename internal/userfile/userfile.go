// Package userfile reads the files a user names (scenario files, fuzz
// inputs, campaign states) with a bound that does not trust Stat: only
// regular files are opened, and never more than a limit is read, so a FIFO
// cannot hang a reader and /dev/zero cannot exhaust its memory.
package userfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// NotRegularError is a path that names something other than a regular
// file: a directory, a FIFO, a device or a socket.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: file is %s, not a regular file", e.Path, Kind(e.Mode))
}

// TooLargeError is a file that holds more than the reader's limit.
type TooLargeError struct {
	Path  string
	Size  int64 // what Stat reported (0 when it said nothing useful)
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size > e.Limit {
		return fmt.Sprintf("%s: file is %d bytes: expected at most %d", e.Path, e.Size, e.Limit)
	}
	return fmt.Sprintf("%s: file is more than %d bytes: expected at most %d", e.Path, e.Limit, e.Limit)
}

// Kind names the type of file a mode describes ("a named pipe (FIFO)").
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "an irregular file"
}

// Read returns the content of the regular file at path (symbolic links
// followed), at most limit bytes. The type is checked before the open (so
// a device is never opened) and again on the open file (so a swap between
// the two is caught); the open does not block on a FIFO. Errors name path
// once: "path: file is a named pipe (FIFO), not a regular file", "path:
// file is more than N bytes: expected at most N", or "path: <what the system said>" (such as "no such file
// or directory" or, for a symbolic link loop, "too many levels of symbolic
// links").
func Read(path string, limit int64) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, Describe(path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, &NotRegularError{path, info.Mode()}
	}
	if info.Size() > limit {
		return nil, &TooLargeError{path, info.Size(), limit}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, Describe(path, err)
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, Describe(path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, &NotRegularError{path, info.Mode()}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, Describe(path, err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{path, info.Size(), limit}
	}
	return data, nil
}

// Describe renders an error of the system as "path: what it said",
// without the operation and a second copy of the path.
func Describe(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}
