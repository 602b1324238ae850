package sim

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Crash is a panic caught inside simulated code: what a real daemon would
// have died of. Site is the innermost frame outside the Go runtime, the place
// a crash is de-duplicated by.
type Crash struct {
	// Value is the panic value, printed ("runtime error: invalid memory address ...").
	Value string
	// Site is "function (file.go:line)" of the innermost non-runtime frame.
	Site string
	// Stack is the trimmed stack, innermost first, file names without directories.
	Stack []string
}

// Error renders the crash in one line.
func (c *Crash) Error() string { return fmt.Sprintf("panic: %s at %s", c.Value, c.Site) }

// Protect runs fn and turns a panic inside it into a Crash instead of
// killing the process. It returns nil when fn returned normally.
func Protect(fn func()) (crash *Crash) {
	defer func() {
		if r := recover(); r != nil {
			crash = newCrash(r)
		}
	}()
	fn()
	return nil
}

const maxStack = 8

func newCrash(r any) *Crash {
	c := &Crash{Value: fmt.Sprint(r)}
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		name := f.Function
		if strings.HasSuffix(name, "/sim.Protect") {
			break // the frames past Protect are the simulator's, not the crash's
		}
		if strings.HasPrefix(name, "runtime.") || strings.Contains(name, "/sim.Protect.") {
			if !more {
				break
			}
			continue
		}
		line := shortFunc(name) + " (" + filepath.Base(f.File) + ":" + strconv.Itoa(f.Line) + ")"
		if c.Site == "" {
			c.Site = line
		}
		c.Stack = append(c.Stack, line)
		if len(c.Stack) == maxStack || !more {
			break
		}
	}
	return c
}

// shortFunc drops the module path: "github.com/x/y/models/hostport.(*b).remove" -> "hostport.(*b).remove".
func shortFunc(name string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		return name[i+1:]
	}
	return name
}
