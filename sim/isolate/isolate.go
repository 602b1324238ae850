// Package isolate runs code that may die of a real concurrency bug in a
// child process, so that Go's fatal "concurrent map read and map write" or
// a race detector report ends the child, not the campaign: the parent
// records how the child died, with the stacks of both sides, and starts
// another child for the next request.
//
// The child is the running executable itself, started again with an
// environment variable that makes Serve (called first thing in main or
// TestMain) answer requests instead of running the program: a request
// names a function registered with Handle and carries its argument.
package isolate

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
)

// childEnv marks a process started as a child; its value is ignored.
const childEnv = "FAULTSIM_ISOLATE_CHILD"

var (
	handlersMu sync.Mutex
	handlers   = map[string]func(arg []byte) error{}
)

// Handle registers fn under name: a child runs it when a request names
// it. Register from an init function, so that the child, which runs the
// same executable, has it too.
func Handle(name string, fn func(arg []byte) error) {
	handlersMu.Lock()
	defer handlersMu.Unlock()
	if _, dup := handlers[name]; dup {
		panic("isolate.Handle: " + name + " registered twice")
	}
	handlers[name] = fn
}

func handler(name string) (func([]byte) error, bool) {
	handlersMu.Lock()
	defer handlersMu.Unlock()
	fn, ok := handlers[name]
	return fn, ok
}

// Names lists the registered functions, sorted.
func Names() []string {
	handlersMu.Lock()
	defer handlersMu.Unlock()
	out := make([]string, 0, len(handlers))
	for n := range handlers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// request and reply are the lines of the protocol, JSON, one a line.
type request struct {
	Func string `json:"func"`
	Arg  []byte `json:"arg"`
}

type reply struct {
	Err string `json:"err,omitempty"`
}

// IsChild reports whether this process was started as a child.
func IsChild() bool { return os.Getenv(childEnv) != "" }

// Serve does nothing in an ordinary process. In a child it answers
// requests from its parent, one at a time, and exits when the parent
// closes the connection: call it first thing in main (and in the TestMain
// of a test binary whose tests start children).
func Serve() {
	if !IsChild() {
		return
	}
	in := os.NewFile(3, "isolate-requests")
	out := os.NewFile(4, "isolate-replies")
	if in == nil || out == nil {
		fmt.Fprintln(os.Stderr, "isolate: started as a child without its pipes")
		os.Exit(2)
	}
	os.Exit(serve(in, out))
}

func serve(in io.Reader, out io.Writer) int {
	dec := json.NewDecoder(bufio.NewReader(in))
	enc := json.NewEncoder(out)
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return 0
			}
			fmt.Fprintf(os.Stderr, "isolate: reading a request: %v\n", err)
			return 2
		}
		var rep reply
		if fn, ok := handler(req.Func); !ok {
			rep.Err = fmt.Sprintf("isolate: no function %q registered in the child (registered: %v)", req.Func, Names())
		} else if err := fn(req.Arg); err != nil {
			rep.Err = err.Error()
		}
		if err := enc.Encode(rep); err != nil {
			return 2
		}
	}
}
