package scenarios

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// How a campaign's failing case reaches rapid's shrinker.
//
// rapid v1.3.0 shrinks only what its own search found: a failing fail file
// (-rapid.failfile) is replayed and reported without shrinking (engine.go,
// doCheck returns before shrink), and rapid.MakeFuzz runs one input once. The
// search's first example is drawn from jsf64 seeded with -rapid.seed, so a
// campaign draws each case from that same generator (caseChooser) and the
// shrink runs rapid.Check with -rapid.seed set to the case seed: rapid's first
// example is then the campaign's case, bit for bit (checked on the first
// call; a mismatch falls back to the greedy shrinker), and rapid shrinks it
// with its own passes (delete groups, lower bits, reorder groups). The
// property replays the case under the scenario's seed, as a file does, and
// fails only on the same signature.
//
// rapid reads its settings from the global flag set, so shrinks hold
// rapidMu while they set and restore them; a campaign's workers shrink one at
// a time while the others keep searching.

var (
	rapidMu    sync.Mutex
	rapidReady sync.Once
)

// shrinkTB is the rapid.TB a shrink runs under: it keeps rapid's report
// instead of failing a test.
type shrinkTB struct {
	failed bool
	msgs   []string
}

func (tb *shrinkTB) Helper()                      {}
func (tb *shrinkTB) Name() string                 { return "faultsim-shrink" }
func (tb *shrinkTB) Logf(string, ...any)          {}
func (tb *shrinkTB) Log(...any)                   {}
func (tb *shrinkTB) Skipf(string, ...any)         {}
func (tb *shrinkTB) Skip(...any)                  {}
func (tb *shrinkTB) SkipNow()                     {}
func (tb *shrinkTB) Errorf(f string, args ...any) { tb.fail(fmt.Sprintf(f, args...)) }
func (tb *shrinkTB) Error(args ...any)            { tb.fail(fmt.Sprint(args...)) }
func (tb *shrinkTB) Fatalf(f string, args ...any) { tb.fail(fmt.Sprintf(f, args...)) }
func (tb *shrinkTB) Fatal(args ...any)            { tb.fail(fmt.Sprint(args...)) }
func (tb *shrinkTB) FailNow()                     { tb.failed = true }
func (tb *shrinkTB) Fail()                        { tb.failed = true }
func (tb *shrinkTB) Failed() bool                 { return tb.failed }

func (tb *shrinkTB) fail(msg string) { tb.failed = true; tb.msgs = append(tb.msgs, msg) }

// firstLine is the first line of rapid's report, for an error message.
func (tb *shrinkTB) firstLine() string {
	if len(tb.msgs) == 0 {
		return "no report"
	}
	return strings.SplitN(tb.msgs[0], "\n", 2)[0]
}

// errRapidDiverged says rapid's first example was not the campaign's case.
var errRapidDiverged = errors.New("rapid's first example is not the campaign's case (its random stream changed?)")

// shrinkRapid shrinks the case that seed draws for variant, which fails,
// through rapid.Check with a TB of its own. fails replays a candidate; it is
// called at most budget times (repeated candidates are answered from memory),
// and not at all once stop is set, so the result is deterministic for a given
// failure and an interrupt ends the shrink quickly with the best case so far.
func shrinkRapid(m *models.Model, variant string, seed uint64, fails func(models.Case) bool, budget int, stop *atomic.Bool) (min models.Case, runs int, err error) {
	if seed == 0 {
		return nil, 0, errors.New("case seed 0 means a random seed to rapid")
	}
	want := newRecorder(newCaseChooser(seed))
	orig := m.Generate(want, variant)
	stopped := func() bool { return stop != nil && stop.Load() }
	if stopped() {
		return orig, 0, nil
	}
	var (
		calls    int
		diverged bool
		memo     = map[string]bool{}
		key      strings.Builder
	)
	prop := func(t *rapid.T) {
		if calls > 0 && stopped() {
			return // interrupted: no case is drawn, so rapid's remaining attempts cost nothing
		}
		rec := newRecorder(rapidBits{t})
		c := m.Generate(rec, variant)
		if calls++; calls == 1 && !slices.Equal(rec.choices(), want.choices()) {
			diverged = true
		}
		if diverged {
			return
		}
		key.Reset()
		for _, v := range rec.choices() {
			key.WriteString(strconv.Itoa(v))
			key.WriteByte(',')
		}
		failed, seen := memo[key.String()]
		if !seen {
			if runs < budget && (stop == nil || !stop.Load()) {
				runs++
				failed = fails(c)
			}
			memo[key.String()] = failed
		}
		if failed {
			min = c
			t.Fatalf("the same failure")
		}
	}
	tb := &shrinkTB{}
	withRapidFlags(seed, func() { rapid.Check(tb, prop) })
	switch {
	case diverged:
		return nil, runs, errRapidDiverged
	case min == nil && stopped():
		return orig, runs, nil // interrupted before rapid's first example failed
	case min == nil:
		return nil, runs, fmt.Errorf("rapid did not reproduce the failure: %s", tb.firstLine())
	}
	return min, runs, nil
}

// withRapidFlags runs fn with rapid's flags set for a shrink: the case seed,
// one check, no fail file, and no time limit (the replay budget bounds a
// shrink, so its result does not depend on the machine's speed).
func withRapidFlags(seed uint64, fn func()) {
	rapidMu.Lock()
	defer rapidMu.Unlock()
	rapidReady.Do(func() {
		// rapid.Check calls testing.Short, which needs the testing flags
		// registered and the flag set parsed; outside go test neither is.
		testing.Init()
		if !flag.Parsed() {
			_ = flag.CommandLine.Parse(nil)
		}
	})
	settings := [][2]string{
		{"rapid.seed", strconv.FormatUint(seed, 10)},
		{"rapid.checks", rapidtb.ChecksFlag(1)}, // one check, -short or not
		{"rapid.nofailfile", "true"},
		{"rapid.shrinktime", "24h"},
		{"rapid.log", "false"},
		{"rapid.v", "false"},
		{"rapid.debug", "false"},
		{"rapid.debugvis", "false"},
		{"rapid.failfile", ""},
	}
	var restore [][2]string
	for _, s := range settings {
		f := flag.Lookup(s[0])
		if f == nil {
			continue
		}
		restore = append(restore, [2]string{s[0], f.Value.String()})
		_ = f.Value.Set(s[1])
	}
	defer func() {
		for _, s := range restore {
			_ = flag.Set(s[0], s[1])
		}
	}()
	fn()
}

// rapidCheckOnce runs fn once as the first example of a rapid.Check, with
// the rapid Chooser (for tests: rapid's flags must be set by the caller).
func rapidCheckOnce(fn func(sim.Chooser)) {
	done := false
	rapid.Check(&shrinkTB{}, func(t *rapid.T) {
		if !done {
			done = true
			fn(rapidBits{t})
		}
	})
}
