package cgroupfs

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// ReadFile reads a small file with plain system calls (os.ReadFile would
// also try to register the descriptor with the runtime poller): three
// system calls where os takes five.
func ReadFile(path string) (string, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	var buf [4096]byte
	var out []byte
	for {
		n, err := unix.Read(fd, buf[:])
		if err != nil {
			return "", &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return string(out), nil
		}
		out = append(out, buf[:n]...)
	}
}

// writeFile writes a whole file with plain system calls (os.WriteFile
// would also register the descriptor with the runtime poller).
func writeFile(path, content string) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return fmt.Errorf("cgroupfs: render %s: %w", path, err)
	}
	_, werr := unix.Write(fd, []byte(content))
	cerr := unix.Close(fd)
	if werr != nil || cerr != nil {
		return fmt.Errorf("cgroupfs: render %s: %w", path, errors.Join(werr, cerr))
	}
	return nil
}
