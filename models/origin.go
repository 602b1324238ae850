package models

import (
	"fmt"
	"runtime"
	"strings"
)

// Command is the go test command that replays scenario files of the
// implementation: the registering test (all of the package's tests when it
// registers from TestMain or init).
func (o Origin) Command() string {
	if o.Test == "" {
		return "go test " + o.Package
	}
	return fmt.Sprintf("go test -run '^%s$' %s", o.Test, o.Package)
}

// CallerOrigin finds, on the calling goroutine's stack, the test that is
// registering an implementation: the innermost function named Test... (its
// closures included), or else the innermost TestMain or init, of any package
// but faultsim's own registration code. ok is false when there is none.
func CallerOrigin() (o Origin, ok bool) {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	var fallback Origin
	found := false
	for {
		f, more := frames.Next()
		pkg, fn := splitFunc(f.Function)
		if name, _, _ := strings.Cut(fn, "."); pkg != "" {
			switch {
			case strings.HasPrefix(name, "Test") && name != "TestMain":
				return Origin{Package: pkg, Test: name}, true
			case !found && (name == "TestMain" || strings.HasPrefix(name, "init")):
				fallback, found = Origin{Package: pkg}, true
			}
		}
		if !more {
			return fallback, found
		}
	}
}

// splitFunc splits a runtime function name ("example.com/m/pkg_test.TestX.func1")
// into the package to test ("example.com/m/pkg") and the rest.
func splitFunc(full string) (pkg, fn string) {
	slash := strings.LastIndex(full, "/")
	dot := strings.Index(full[slash+1:], ".")
	if dot < 0 {
		return "", ""
	}
	pkg, fn = full[:slash+1+dot], full[slash+1+dot+1:]
	return strings.TrimSuffix(pkg, "_test"), fn
}
