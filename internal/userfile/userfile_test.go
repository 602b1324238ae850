package userfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRead: the limit holds whatever Stat says (a /proc file reports size
// 0), a file of exactly the limit is read whole, and the errors say what
// the path is.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	exact := filepath.Join(dir, "exact")
	if err := os.WriteFile(exact, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink("loop", loop); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat("/proc/self/status"); err != nil || info.Size() != 0 {
		t.Fatalf("/proc/self/status: size %v, %v: expected a regular file that reports size 0", info, err)
	}
	for _, tc := range []struct {
		path  string
		limit int64
		n     int    // bytes read, when it succeeds
		want  string // the error, after "path: "
		is    error
	}{
		{path: exact, limit: 10, n: 10},
		{path: exact, limit: 9, want: "file is 10 bytes: expected at most 9"},
		{path: "/proc/self/status", limit: 16, want: "file is more than 16 bytes: expected at most 16"},
		{path: "/dev/zero", limit: 16, want: "file is a character device, not a regular file"},
		{path: dir, limit: 16, want: "file is a directory, not a regular file"},
		{path: loop, limit: 16, want: "too many levels of symbolic links", is: syscall.ELOOP},
		{path: filepath.Join(dir, "none"), limit: 16, want: "no such file or directory", is: os.ErrNotExist},
	} {
		data, err := Read(tc.path, tc.limit)
		switch {
		case tc.want == "" && (err != nil || len(data) != tc.n):
			t.Errorf("Read(%s, %d) = %d bytes, %v; want %d bytes", tc.path, tc.limit, len(data), err, tc.n)
		case tc.want != "" && (err == nil || err.Error() != tc.path+": "+tc.want):
			t.Errorf("Read(%s, %d) = %v; want %q", tc.path, tc.limit, err, tc.path+": "+tc.want)
		case tc.is != nil && !errors.Is(err, tc.is):
			t.Errorf("Read(%s) = %v; want it to wrap %v", tc.path, err, tc.is)
		}
		if data != nil && tc.want != "" {
			t.Errorf("Read(%s) returned %d bytes with its error", tc.path, len(data))
		}
	}
	if !strings.Contains(Kind(os.ModeSocket), "socket") {
		t.Errorf("Kind(socket) = %q", Kind(os.ModeSocket))
	}
}
