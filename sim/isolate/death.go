package isolate

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/faultsim/faultsim/sim"
)

// The ways a child dies, as Death.Kind.
const (
	// FatalError is a fatal error of the Go runtime, such as
	// "concurrent map read and map write", which no recover catches.
	FatalError = "fatal error"
	// DataRace is a report of the race detector (a child built with -race).
	DataRace = "data race"
	// Panic is a panic nothing recovered.
	Panic = "panic"
	// Timeout is a request that did not return in time: the child was
	// made to dump its goroutines (SIGQUIT) and ended.
	Timeout = "timeout"
	// Exit is any other end of the child.
	Exit = "exit"
)

// Death is how a child died during a request: the kind, the runtime's
// message, and the stacks of the goroutines involved, the one that died
// first (for a race: the two accesses).
type Death struct {
	Kind    string
	Message string
	Stacks  []Stack
	// ExitCode is the child's exit status (-1 when killed by a signal).
	ExitCode int
	// Output is the tail of what the child wrote to standard error.
	Output string
}

// Stack is one goroutine's stack, innermost frame first.
type Stack struct {
	Goroutine int
	// What is the goroutine's state ("running") or, in a race report,
	// the access ("Previous write at 0x00c000014090").
	What   string
	Frames []Frame
}

// Frame is one function of a stack, as a crash's site names it: its name
// without the module path, the file's base name and the line.
type Frame struct {
	sim.Site
	// std: the function is the standard library's (or this package's
	// request loop), not the program's.
	std bool
}

// Site is the innermost frame of the first stack outside the Go runtime
// and standard synchronisation: where the death happened, by which
// deaths are told apart.
func (d *Death) Site() Frame {
	for _, s := range d.Stacks {
		if f, ok := s.userFrame(); ok {
			return f
		}
	}
	return Frame{}
}

// String renders the death in one line: kind, message and the sites of
// its stacks.
func (d *Death) String() string {
	var b strings.Builder
	b.WriteString(d.Kind)
	if d.Message != "" {
		b.WriteString(": " + d.Message)
	}
	for i, s := range d.Stacks {
		if f, ok := s.userFrame(); ok {
			if i == 0 {
				b.WriteString(" at ")
			} else {
				b.WriteString(" and ")
			}
			b.WriteString(f.String())
		}
	}
	return b.String()
}

// Report renders the death with its stacks, for a report file.
func (d *Death) Report() string {
	var b strings.Builder
	b.WriteString(d.String() + "\n")
	for _, s := range d.Stacks {
		b.WriteString("\ngoroutine " + strconv.Itoa(s.Goroutine) + " [" + s.What + "]:\n")
		for _, f := range s.Frames {
			b.WriteString("    " + f.String() + "\n")
		}
	}
	return b.String()
}

func (s Stack) userFrame() (Frame, bool) {
	for _, f := range s.Frames {
		if !f.std {
			return f, true
		}
	}
	return Frame{}, false
}

// std reports whether a function (its full name) is the standard
// library's (sim.Standard) or the request loop of this package.
func std(fn string) bool {
	return sim.Standard(fn) || strings.HasSuffix(fn, "/sim/isolate.serve") || strings.HasSuffix(fn, "/sim/isolate.Serve")
}

// parseDeath reads how a child died from the tail of its standard error.
func parseDeath(out string, code int) *Death {
	d := &Death{Kind: Exit, ExitCode: code, Output: out}
	lines := strings.Split(out, "\n")
	// A race report names both accesses: it wins over a fatal error or a
	// panic another goroutine printed first (under -race a map's own
	// check may fire as the detector reports, their lines interleaved).
	for i, l := range lines {
		if strings.HasPrefix(l, "WARNING: DATA RACE") {
			d.Kind = DataRace
			d.Stacks = raceStacks(lines[i+1:])
			if len(d.Stacks) > 0 {
				d.Message = raceMessage(d.Stacks)
			}
			return d
		}
	}
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "fatal error: "):
			d.Kind, d.Message = FatalError, strings.TrimPrefix(l, "fatal error: ")
			d.Stacks = pick(goroutines(lines[i+1:]))
			return d
		case strings.HasPrefix(l, "panic: "):
			d.Kind, d.Message = Panic, strings.TrimPrefix(l, "panic: ")
			d.Stacks = pick(goroutines(lines[i+1:]))
			return d
		case strings.HasPrefix(l, "SIGQUIT: quit"):
			d.Kind, d.Message = Timeout, "the request did not return in time"
			d.Stacks = withUserFrames(goroutines(lines[i+1:]))
			return d
		}
	}
	if t := strings.TrimSpace(out); t != "" {
		d.Message = t[strings.LastIndexByte(t, '\n')+1:]
	} else {
		d.Message = "exit status " + strconv.Itoa(code)
	}
	return d
}

// goroutines reads the "goroutine N [state]:" blocks of a traceback.
func goroutines(lines []string) []Stack {
	var out []Stack
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !strings.HasPrefix(l, "goroutine ") || !strings.HasSuffix(l, ":") {
			continue
		}
		head := strings.TrimSuffix(strings.TrimPrefix(l, "goroutine "), ":")
		num, state, _ := strings.Cut(head, " ")
		n, _ := strconv.Atoi(num)
		s := Stack{Goroutine: n, What: strings.Trim(state, "[]")}
		s.Frames, i = frames(lines, i+1)
		out = append(out, s)
	}
	return out
}

// frames reads function and file line pairs from lines[i] on, to a blank
// line or a "created by" line, and returns where it stopped.
func frames(lines []string, i int) ([]Frame, int) {
	var out []Frame
	for ; i+1 < len(lines); i += 2 {
		fn, at := strings.TrimSpace(lines[i]), strings.TrimSpace(lines[i+1])
		if fn == "" || strings.HasPrefix(fn, "created by ") || !strings.HasPrefix(lines[i+1], "\t") && !strings.HasPrefix(lines[i+1], "  ") {
			break
		}
		out = append(out, frame(fn, at))
	}
	return out, i
}

func frame(fn, at string) Frame {
	if strings.HasSuffix(fn, ")") {
		if k := strings.LastIndexByte(fn, '('); k > 0 {
			fn = fn[:k]
		}
	}
	isStd := std(fn)
	if k := strings.LastIndexByte(fn, '/'); k >= 0 {
		fn = fn[k+1:]
	}
	at, _, _ = strings.Cut(at, " +0x")
	file, line := at, 0
	if k := strings.LastIndexByte(at, ':'); k >= 0 {
		file = at[:k]
		line, _ = strconv.Atoi(at[k+1:])
	}
	return Frame{Site: sim.Site{Func: fn, File: filepath.Base(file), Line: line}, std: isStd}
}

// pick keeps the goroutine that died first and one other running the
// program's code: the other side of the race.
func pick(all []Stack) []Stack {
	if len(all) == 0 {
		return nil
	}
	out := []Stack{all[0]}
	var other *Stack
	for i := range all[1:] {
		s := &all[1+i]
		if _, ok := s.userFrame(); !ok {
			continue
		}
		if other == nil || (s.What == "running" || s.What == "runnable") && other.What != "running" && other.What != "runnable" {
			other = s
		}
	}
	if other != nil {
		out = append(out, *other)
	}
	return out
}

func withUserFrames(all []Stack) []Stack {
	var out []Stack
	for _, s := range all {
		if _, ok := s.userFrame(); ok {
			out = append(out, s)
		}
	}
	return out
}

// raceStacks reads the two accesses of a race report: "Write at 0x... by
// goroutine 7:" and "Previous read at 0x... by goroutine 8:".
func raceStacks(lines []string) []Stack {
	var out []Stack
	for i := 0; i < len(lines) && len(out) < 2; i++ {
		l := strings.TrimSpace(lines[i])
		before, gor, ok := strings.Cut(l, " by goroutine ")
		if !ok || !strings.HasSuffix(l, ":") || strings.Contains(l, "created at") {
			if strings.HasPrefix(l, "==================") && len(out) > 0 {
				break
			}
			continue
		}
		n, _ := strconv.Atoi(strings.TrimSuffix(gor, ":"))
		s := Stack{Goroutine: n, What: before}
		s.Frames, i = frames(lines, i+1)
		out = append(out, s)
	}
	return out
}

func raceMessage(stacks []Stack) string {
	parts := make([]string, len(stacks))
	for i, s := range stacks {
		what, _, _ := strings.Cut(s.What, " at ")
		parts[i] = strings.ToLower(what) + " by goroutine " + strconv.Itoa(s.Goroutine)
	}
	return strings.Join(parts, ", ")
}
