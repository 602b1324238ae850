package fidelity

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// nsThread is an OS thread in a private network namespace of its own,
// made with unshare(CLONE_NEWNET), that runs the functions given to do:
// the commands they start and the sockets they open are in its namespace
// (a socket stays in the namespace it was made in, whichever thread uses
// it later). The thread is never unlocked, so when close ends its
// goroutine the Go runtime ends the thread and the namespace goes with it,
// with every interface and rule made in it; so it does when the test
// binary dies.
type nsThread struct {
	tid  int
	work chan func()
	done chan struct{}
}

// newNSThread starts a thread in a new network namespace.
func newNSThread() (*nsThread, error) {
	ns := &nsThread{work: make(chan func()), done: make(chan struct{})}
	ready := make(chan error)
	go func() {
		defer close(ns.done)
		runtime.LockOSThread()
		// No UnlockOSThread: the thread exits with this goroutine.
		if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
			ready <- fmt.Errorf("unshare(CLONE_NEWNET): %w", err)
			return
		}
		ns.tid = unix.Gettid()
		ready <- nil
		for fn := range ns.work {
			fn()
		}
	}()
	if err := <-ready; err != nil {
		return nil, err
	}
	return ns, nil
}

// do runs fn on the thread, in its namespace.
func (ns *nsThread) do(fn func() error) error {
	errc := make(chan error, 1)
	ns.work <- func() { errc <- fn() }
	return <-errc
}

// run runs each command line (split on spaces) on the thread; a run of
// consecutive ip commands goes to one "ip -batch -".
func (ns *nsThread) run(cmds ...string) error {
	return ns.do(func() error {
		for len(cmds) > 0 {
			var batch []string
			for len(cmds) > 0 && strings.HasPrefix(cmds[0], "ip ") {
				batch = append(batch, strings.TrimPrefix(cmds[0], "ip "))
				cmds = cmds[1:]
			}
			if len(batch) > 0 {
				cmd := exec.Command("ip", "-batch", "-")
				cmd.Stdin = strings.NewReader(strings.Join(batch, "\n") + "\n")
				if out, err := cmd.CombinedOutput(); err != nil {
					return fmt.Errorf("ip -batch: %v: %s\ncommands:\n%s", err, out, strings.Join(batch, "\n"))
				}
				continue
			}
			args := strings.Fields(cmds[0])
			if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
				return fmt.Errorf("%s: %v: %s", cmds[0], err, out)
			}
			cmds = cmds[1:]
		}
		return nil
	})
}

// sysctl sets network settings of the thread's namespace, each named by
// its path below /proc/sys/net (a file there is the namespace's of the
// thread that opens it).
func (ns *nsThread) sysctl(settings map[string]string) error {
	return ns.do(func() error {
		for name, v := range settings {
			if err := os.WriteFile("/proc/sys/net/"+name, []byte(v), 0); err != nil {
				return fmt.Errorf("set net.%s: %w", strings.ReplaceAll(name, "/", "."), err)
			}
		}
		return nil
	})
}

// close ends the thread and with it the namespace.
func (ns *nsThread) close() {
	close(ns.work)
	<-ns.done
}
