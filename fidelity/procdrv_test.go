package fidelity

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// procDriver is the running driver.
type procDriver struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	hostPID int
	pidNS   string // the driver's /proc/PID/ns/pid link
	done    chan struct{}
}

// buildProcDriver compiles the driver with cc and keeps it in a memfd.
// cc runs from a thread in a private mount namespace with a tmpfs on /tmp:
// its source, temporary files and output live there and go with the
// thread, so nothing of the build is left on disk however the test ends.
func buildProcDriver(t *testing.T) *os.File {
	t.Helper()
	type built struct {
		data []byte
		err  error
	}
	done := make(chan built)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the thread, and its mount namespace, end here.
		data, err := func() ([]byte, error) {
			if err := syscall.Unshare(syscall.CLONE_NEWNS); err != nil {
				return nil, fmt.Errorf("unshare(CLONE_NEWNS): %w", err)
			}
			if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
				return nil, fmt.Errorf("make / private: %w", err)
			}
			if err := syscall.Mount("faultsim-procdrv", "/tmp", "tmpfs", 0, "size=64m"); err != nil {
				return nil, fmt.Errorf("tmpfs on /tmp: %w", err)
			}
			src, bin := "/tmp/procdrv.c", "/tmp/procdrv"
			if err := os.WriteFile(src, []byte(procDriverSource), 0o600); err != nil {
				return nil, err
			}
			cmd := exec.Command("cc", "-O2", "-Wall", "-Werror", "-o", bin, src)
			cmd.Env = append(os.Environ(), "TMPDIR=/tmp")
			if out, err := cmd.CombinedOutput(); err != nil {
				return nil, fmt.Errorf("cc: %w\n%s", err, out)
			}
			return os.ReadFile(bin)
		}()
		done <- built{data, err}
	}()
	b := <-done
	if b.err != nil {
		t.Fatal(b.err)
	}
	fd, err := unix.MemfdCreate("faultsim-procdrv", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "faultsim-procdrv")
	if _, err := f.Write(b.data); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// startProcDriver starts the driver as pid 1 of a new pid and mount
// namespace. It is forked from a thread locked for the test's duration, so
// its parent-death signal (SIGKILL) fires only when the test binary dies;
// the kernel then kills every process of the namespace with its init.
func startProcDriver(t *testing.T, bin *os.File) *procDriver {
	t.Helper()
	d := &procDriver{done: make(chan struct{})}
	started := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		d.cmd = exec.Command(fmt.Sprintf("/proc/self/fd/%d", bin.Fd()))
		d.cmd.Args[0] = "faultsim-procdrv"
		d.cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
		d.cmd.Stderr = os.Stderr
		var err error
		if d.in, err = d.cmd.StdinPipe(); err == nil {
			var out io.Reader
			if out, err = d.cmd.StdoutPipe(); err == nil {
				d.out = bufio.NewReader(out)
				err = d.cmd.Start()
			}
		}
		started <- err
		if err == nil {
			<-d.done // the driver's parent thread lives until the test ends
		}
	}()
	if err := <-started; err != nil {
		t.Fatalf("start the driver in a new pid namespace: %v", err)
	}
	d.hostPID = d.cmd.Process.Pid
	t.Cleanup(d.stop)
	if line := d.read(t); !strings.HasPrefix(line, "ready 1") {
		t.Fatalf("driver: %q, want ready as pid 1", line)
	}
	link, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", d.hostPID))
	if err != nil {
		t.Fatal(err)
	}
	d.pidNS = link
	return d
}

func (d *procDriver) read(t *testing.T) string {
	t.Helper()
	line, err := d.out.ReadString('\n')
	if err != nil {
		t.Fatalf("driver: %v", err)
	}
	return strings.TrimSuffix(line, "\n")
}

// do sends one command and returns the driver's answer.
func (d *procDriver) do(t *testing.T, format string, args ...any) string {
	t.Helper()
	if _, err := fmt.Fprintf(d.in, format+"\n", args...); err != nil {
		t.Fatalf("driver: %v", err)
	}
	return d.read(t)
}

// state is the driver's own state seen from the host: run, stop or gone.
func (d *procDriver) state() string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", d.hostPID))
	if err != nil {
		return "gone"
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	switch f[0] {
	case "Z", "X":
		return "gone"
	case "T", "t":
		return "stop"
	}
	return "run"
}

// settle waits until the driver has acted on a signal from the host.
func (d *procDriver) settle(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.hostPID))
		if err != nil {
			return
		}
		busy := false
		for _, l := range strings.Split(string(data), "\n") {
			k, v, _ := strings.Cut(l, ":")
			v = strings.TrimSpace(v)
			switch k {
			case "State":
				busy = busy || strings.HasPrefix(v, "R")
			case "SigPnd", "ShdPnd":
				if n, _ := strconv.ParseUint(v, 16, 64); n != 0 && d.state() == "run" {
					busy = true
				}
			}
		}
		if !busy || d.state() != "run" {
			return
		}
	}
	t.Fatal("the driver did not settle after a signal from the host")
}

// nsProcesses counts the host's processes in the driver's pid namespace.
func (d *procDriver) nsProcesses() int {
	n := 0
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if link, err := os.Readlink(filepath.Join("/proc", e.Name(), "ns/pid")); err == nil && link == d.pidNS {
			n++
		}
	}
	return n
}

// stop ends the driver (and so its namespace) and its parent thread.
func (d *procDriver) stop() {
	select {
	case <-d.done:
		return
	default:
	}
	_ = d.cmd.Process.Kill()
	_ = d.cmd.Wait()
	close(d.done)
}
