package stopcheck

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/models/signals"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestCRIOStopperPassesTheProperty runs the property several times over
// (300 checks by default): the invariants must hold for every interleaving
// the scheduler picks, so a correct implementation never fails, not even
// once in many runs (and under -race).
func TestCRIOStopperPassesTheProperty(t *testing.T) {
	for range 3 {
		rapid.Check(t, Property(NewCRIOStopper))
	}
}

// TestRacyStopperFailsAndShrinks runs the unchanged property against
// RacyStopper, observes that it fails on stop-returns-in-time, and checks
// that rapid shrank it to the essential pattern: two calls, the later
// deadline's holder blocking the earlier one, a process that outlives the
// earlier deadline.
func TestRacyStopperFailsAndShrinks(t *testing.T) {
	rapidtb.ForEachSeed(t, func(t *testing.T, _ uint64) {
		var last *Result
		obs := &rapidtb.Observer{}
		rapid.Check(obs, Checker{Bubbles: t, Failed: func(r *Result) { last = r }}.Property(NewRacyStopper))
		if !obs.Failed() || last == nil {
			t.Fatal("the property did not fail for RacyStopper")
		}
		if len(obs.Messages()) > 0 {
			t.Logf("%s", strings.SplitN(obs.Messages()[0], "\n", 2)[0])
		}
		t.Logf("minimal case:\n%s", last)
		if got := last.Violated(); got != signals.InvStopInTime.Name {
			t.Fatalf("first violation %q, want %s\n%s", got, signals.InvStopInTime.Name, last)
		}
		c := last.Case
		if len(c.Calls) != 2 || c.Size() > 6 {
			t.Fatalf("shrunk case is not minimal (size %d, %d calls):\n%s\nrapid: %s", c.Size(), len(c.Calls), last, obs.Messages())
		}
		if c.Process.Disposition == Default || c.Process.SleepFor > 0 || c.Process.Lifetime > 0 {
			t.Errorf("shrunk process is not the simplest one that outlives a deadline:\n%s", last)
		}
		first, second := c.Calls[0], c.Calls[1]
		if second.At+second.Timeout+signals.Epsilon >= first.At+first.Timeout {
			t.Errorf("the second call's deadline is not earlier than the first's by more than epsilon:\n%s", last)
		}
		if last.Calls[1].At <= second.At+second.Timeout+signals.Epsilon {
			t.Errorf("the second call was not late:\n%s", last)
		}
	})
}

// racyMinimal is the minimal case rapid finds for RacyStopper.
var racyMinimal = Case{StopSignal: syscall.SIGTERM,
	Process: Behaviour{Disposition: Handled, Cleanup: 600 * time.Millisecond},
	Calls:   []Call{{At: 0, Timeout: time.Second}, {At: 0, Timeout: 0}}}

// TestRacyMinimalCaseReplays replays the minimal case many times: the
// outcome, timeline included, is the same every time, and CRIOStopper
// passes it.
func TestRacyMinimalCaseReplays(t *testing.T) {
	golden := filepath.Join("testdata", "racy-minimal.txt")
	want, err := os.ReadFile(golden)
	if *update {
		want = []byte(Checker{}.Run(t, racyMinimal, NewRacyStopper).String())
		if err := os.WriteFile(golden, want, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		r := Checker{}.Run(t, racyMinimal, NewRacyStopper)
		if got := r.String(); got != string(want) {
			t.Fatalf("replay %d differs from %s:\n%s", i, golden, got)
		}
	}
	if r := (Checker{}).Run(t, racyMinimal, NewCRIOStopper); len(r.Violations) > 0 {
		t.Fatalf("CRIOStopper fails the minimal case: %s", r)
	}
}

// FuzzStopcheck is the property as a native fuzz target: the fuzzer's
// bytes become rapid's draws.
func FuzzStopcheck(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(Property(NewCRIOStopper)))
}

// TestPanickingConstructorIsReported: a NewStopper that panics is reported
// with the case, and leaves no goroutine behind (goleak checks).
func TestPanickingConstructorIsReported(t *testing.T) {
	defer func() {
		v := recover()
		msg, _ := v.(string)
		if !strings.Contains(msg, "stopcheck: no runtime configured") || !strings.Contains(msg, "call 1 at 0s") {
			t.Fatalf("panic = %v, want the constructor's panic and the case", v)
		}
	}()
	Checker{}.Run(t, racyMinimal, func(Container) Stopper { panic("no runtime configured") })
	t.Fatal("Run did not panic")
}

// TestBubbleStacks: the watchdog's report holds the stacks of goroutines in
// bubbles, blocked ones included.
func TestBubbleStacks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		block := make(chan struct{})
		go func() { <-block }()
		synctest.Wait()
		if s := bubbleStacks(); !strings.Contains(s, "TestBubbleStacks") || !strings.Contains(s, "chan receive") {
			t.Errorf("bubble stacks lack the blocked goroutine:\n%s", s)
		}
		close(block)
	})
}
