package isolate

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// DefaultTimeout bounds one request when Child.Timeout is 0.
const DefaultTimeout = 30 * time.Second

// maxOutput is how much of a child's standard error is kept per request:
// the end of it, where the runtime writes how it died.
const maxOutput = 4 << 20

// Child runs requests in a child process, one at a time, and starts a new
// child after one dies. A Child is not safe for concurrent use: give each
// worker its own. The zero value is ready to use; Close ends the child.
type Child struct {
	// Timeout bounds a request (0: DefaultTimeout): a child still busy
	// then is made to dump its goroutines and ended, a Timeout death.
	Timeout time.Duration
	// Starts counts the child processes started.
	Starts int

	cmd     *exec.Cmd
	req     *os.File
	enc     *json.Encoder
	replies chan reply
	done    chan struct{} // closed once the child has exited
	stderr  *tail
}

// Run runs the function registered as name with arg in the child. It
// returns the child's death when the child died during the request (and
// starts another for the next), the function's error when it returned
// one, and an error of its own when no child could be started. A
// goroutine the function left running that kills the child after the
// reply is charged to the next request: functions wait for their
// goroutines.
func (c *Child) Run(name string, arg []byte) (*Death, error) {
	if c.cmd == nil {
		if err := c.start(); err != nil {
			return nil, err
		}
	}
	c.stderr.reset()
	if err := c.enc.Encode(request{Func: name, Arg: arg}); err != nil {
		return c.died(), nil // it died before it read the request
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case rep, ok := <-c.replies:
		if !ok {
			return c.died(), nil
		}
		if rep.Err != "" {
			return nil, errors.New(rep.Err)
		}
		return nil, nil
	case <-timer.C:
		_ = c.cmd.Process.Signal(syscall.SIGQUIT) // the runtime dumps every goroutine and exits
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			_ = c.cmd.Process.Kill()
		}
		d := c.died()
		if d.Kind != Timeout {
			d.Kind, d.Message = Timeout, fmt.Sprintf("the request did not return within %s", timeout)
		}
		return d, nil
	}
}

// start starts a child: this executable with the child environment, its
// requests on fd 3 and its replies on fd 4.
func (c *Child) start() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("isolate: %w", err)
	}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("isolate: %w", err)
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return fmt.Errorf("isolate: %w", err)
	}
	c.stderr = &tail{}
	cmd := exec.Command(exe)
	cmd.ExtraFiles = []*os.File{reqR, repW}
	cmd.Stderr = c.stderr
	// Every goroutine's stack on a fatal error, and a race report ends the
	// child at once (its exit status is the race detector's, 66).
	cmd.Env = append(os.Environ(), childEnv+"=1", "GOTRACEBACK=all", "GORACE=halt_on_error=1 "+os.Getenv("GORACE"))
	err = cmd.Start()
	reqR.Close()
	repW.Close()
	if err != nil {
		reqW.Close()
		repR.Close()
		return fmt.Errorf("isolate: starting a child: %w", err)
	}
	c.Starts++
	c.cmd, c.req, c.enc = cmd, reqW, json.NewEncoder(reqW)
	c.replies, c.done = make(chan reply), make(chan struct{})
	go func(replies chan<- reply) {
		defer close(replies)
		defer repR.Close()
		dec := json.NewDecoder(bufio.NewReader(repR))
		for {
			var rep reply
			if dec.Decode(&rep) != nil {
				return // the child closed its end: it exited
			}
			replies <- rep
		}
	}(c.replies)
	go func(done chan<- struct{}) {
		_ = cmd.Wait()
		close(done)
	}(c.done)
	return nil
}

// died waits for the child to exit, reads how it died, and forgets it.
func (c *Child) died() *Death {
	c.reap()
	code := c.cmd.ProcessState.ExitCode()
	d := parseDeath(c.stderr.String(), code)
	c.req.Close()
	c.cmd = nil
	return d
}

// Close ends the child: it exits when its requests end.
func (c *Child) Close() error {
	if c.cmd == nil {
		return nil
	}
	c.req.Close()
	c.reap()
	c.cmd = nil
	return nil
}

// reap waits for the child to exit (killing it after 10 s) and drains its
// replies: the reader ends with the child.
func (c *Child) reap() {
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	for range c.replies {
	}
}

// tail keeps the last maxOutput bytes written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - maxOutput; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) reset() {
	t.mu.Lock()
	t.buf = t.buf[:0]
	t.mu.Unlock()
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
