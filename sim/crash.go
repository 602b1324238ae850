package sim

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Site is a place in the code: a function, its file (no directories) and a
// line.
type Site struct {
	// Func is the function without its module path ("hostport.(*b).remove").
	Func string `json:"func"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// String renders the site as "function (file.go:line)".
func (s Site) String() string { return s.Func + " (" + s.File + ":" + strconv.Itoa(s.Line) + ")" }

// Crash is a panic caught inside simulated code: what a real daemon would
// have died of. Site is the innermost frame outside the Go runtime, the place
// a crash is de-duplicated by.
type Crash struct {
	// Value is the panic value, printed ("runtime error: invalid memory address ...").
	Value string
	// Site is the innermost non-runtime frame.
	Site Site
	// Stack is the trimmed stack, innermost first.
	Stack []Site
}

// Error renders the crash in one line.
func (c *Crash) Error() string { return fmt.Sprintf("panic: %s at %s", c.Value, c.Site) }

// Protect runs fn and turns a panic inside it into a Crash instead of
// killing the process. It returns nil when fn returned normally.
func Protect(fn func()) (crash *Crash) {
	defer func() {
		if r := recover(); r != nil {
			if tc, ok := r.(taskCrash); ok {
				crash = tc.c // a task's panic, its stack taken inside the task
				return
			}
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
		if strings.HasSuffix(name, "/sim.Protect") || strings.HasSuffix(name, "/sim.(*Task).body") {
			break // the frames past Protect or a task's body are the simulator's, not the crash's
		}
		if strings.HasPrefix(name, "runtime.") || strings.Contains(name, "/sim.Protect.") {
			if !more {
				break
			}
			continue
		}
		site := Site{Func: shortFunc(name), File: filepath.Base(f.File), Line: f.Line}
		if len(c.Stack) == 0 {
			c.Site = site
		}
		c.Stack = append(c.Stack, site)
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
