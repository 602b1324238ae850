package stopcheck

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/sim"
)

// stopFunc adapts a function to Stopper.
type stopFunc func(ctx context.Context, timeout time.Duration) error

func (f stopFunc) Stop(ctx context.Context, timeout time.Duration) error { return f(ctx, timeout) }

// Stoppers that each break one promise, to show every invariant can fail.
var (
	killFirst = func(c Container) Stopper {
		return stopFunc(func(context.Context, time.Duration) error {
			_ = c.Kill(syscall.SIGKILL)
			<-c.Exited()
			return nil
		})
	}
	returnsEarly = func(c Container) Stopper {
		return stopFunc(func(context.Context, time.Duration) error { return c.Kill(c.StopSignal()) })
	}
	errAfterGone = func(c Container) Stopper {
		crio := NewCRIOStopper(c)
		return stopFunc(func(ctx context.Context, timeout time.Duration) error {
			select {
			case <-c.Exited():
				return errors.New("container is not running")
			default:
				return crio.Stop(ctx, timeout)
			}
		})
	}
	panics = func(Container) Stopper {
		return stopFunc(func(context.Context, time.Duration) error { panic("nil map") })
	}
	skipsStopSignal = func(c Container) Stopper {
		return stopFunc(func(_ context.Context, timeout time.Duration) error {
			time.Sleep(timeout)
			_ = c.Kill(syscall.SIGKILL)
			<-c.Exited()
			return nil
		})
	}
	halfGrace = func(c Container) Stopper {
		return stopFunc(func(_ context.Context, timeout time.Duration) error {
			_ = c.Kill(c.StopSignal())
			select {
			case <-c.Exited():
				return nil
			case <-time.After(timeout / 2):
			}
			_ = c.Kill(syscall.SIGKILL)
			<-c.Exited()
			return nil
		})
	}
	extraSIGINT = func(c Container) Stopper {
		crio := NewCRIOStopper(c)
		return stopFunc(func(ctx context.Context, timeout time.Duration) error {
			_ = c.Kill(c.StopSignal())
			time.Sleep(time.Second)
			_ = c.Kill(syscall.SIGINT)
			return crio.Stop(ctx, timeout)
		})
	}
	slowReturn = func(c Container) Stopper {
		crio := NewCRIOStopper(c)
		return stopFunc(func(ctx context.Context, timeout time.Duration) error {
			err := crio.Stop(ctx, timeout)
			time.Sleep(2 * time.Second)
			return err
		})
	}
)

func TestInvariants(t *testing.T) {
	s := time.Second
	one := func(b Behaviour, timeout time.Duration) Case {
		return Case{StopSignal: syscall.SIGTERM, Process: b, Calls: []Call{{Timeout: timeout}}}
	}
	handled := func(cleanup time.Duration) Behaviour { return Behaviour{Disposition: Handled, Cleanup: cleanup} }
	tests := []struct {
		name    string
		stopper NewStopper
		c       Case
		want    []string
	}{
		{"SIGKILL first", killFirst, one(handled(2*s), 10*s), []string{signals.InvNoEarlyKill.Name, signals.InvStopSignalFirst.Name}},
		{"returns while running", returnsEarly, one(Behaviour{Disposition: Ignored}, 10*s), []string{signals.InvStopInTime.Name}},
		{"error once gone", errAfterGone, Case{StopSignal: syscall.SIGTERM, Process: Behaviour{Lifetime: s}, Calls: []Call{{At: 2 * s, Timeout: 5 * s}}}, []string{signals.InvStopIdempotent.Name}},
		{"panic", panics, one(Behaviour{}, 10*s), []string{sim.CrashInvariant.Name}},
		{"no stop signal", skipsStopSignal, one(handled(2*s), 5*s), []string{signals.InvStopSignalFirst.Name}},
		{"SIGKILL halfway through the grace period", halfGrace, one(handled(7*s), 10*s), []string{signals.InvNoEarlyKill.Name, signals.InvGracefulExit.Name}},
		{"another signal cuts the cleanup short", extraSIGINT, one(handled(3*s), 10*s), []string{signals.InvGracefulExit.Name}},
		{"slow to return after the exit", slowReturn, one(Behaviour{}, 10*s), []string{signals.InvStopInTime.Name}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Checker{}.Run(t, tt.c, tt.stopper)
			if len(r.Violations) != len(tt.want) {
				t.Fatalf("violations = %v, want exactly %v\n%s", r.Violations, tt.want, r)
			}
			for _, w := range tt.want {
				if !r.Has(w) {
					t.Errorf("%s not violated\n%s", w, r)
				}
			}
			if ok := (Checker{}).Run(t, tt.c, NewCRIOStopper); len(ok.Violations) > 0 {
				t.Errorf("CRIOStopper fails the same case: %v\n%s", ok.Violations, ok)
			}
		})
	}
}

func TestStoppersOnScenarios(t *testing.T) {
	s := time.Second
	term := syscall.SIGTERM
	tests := []struct {
		name string
		c    Case
		kill time.Duration // CRIOStopper's first SIGKILL, -1 for none
		racy string        // what RacyStopper violates, "" for nothing
	}{
		{"default disposition", Case{term, Behaviour{}, []Call{{0, 30 * s}}}, -1, ""},
		{"handled within the grace period", Case{term, Behaviour{Disposition: Handled, Cleanup: 20 * s}, []Call{{0, 30 * s}}}, -1, ""},
		{"ignored: SIGKILL at the deadline", Case{syscall.SIGQUIT, Behaviour{Disposition: Ignored}, []Call{{s, 30 * s}}}, 31 * s, ""},
		{"timeout 0: stop signal then SIGKILL at once", Case{term, Behaviour{Disposition: Handled, Cleanup: s}, []Call{{2 * s, 0}}}, 2 * s, ""},
		{"D state spanning the deadline", Case{term, Behaviour{Disposition: Ignored, SleepFrom: 5 * s, SleepFor: 40 * s}, []Call{{0, 10 * s}}}, 10 * s, ""},
		{"a second call moves the deadline earlier", Case{term, Behaviour{Disposition: Ignored}, []Call{{0, 30 * s}, {5 * s, 2 * s}}}, 7 * s, signals.InvStopInTime.Name},
		{"force delete: timeout 0 during a long grace period", Case{term, Behaviour{Disposition: Handled, Cleanup: 20 * s}, []Call{{0, 300 * s}, {10 * s, 0}}}, 10 * s, signals.InvStopInTime.Name},
		{"a later deadline does not extend it", Case{term, Behaviour{Disposition: Ignored}, []Call{{0, 10 * s}, {5 * s, 30 * s}}}, 10 * s, ""},
		{"calls after the exit", Case{term, Behaviour{}, []Call{{0, 5 * s}, {20 * s, 5 * s}, {20 * s, 0}}}, -1, ""},
		{"a call after its natural end", Case{term, Behaviour{Lifetime: s, ExitCode: 1}, []Call{{3 * s, 30 * s}}}, -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Checker{}.Run(t, tt.c, NewCRIOStopper)
			if len(r.Violations) > 0 {
				t.Fatalf("CRIOStopper: %v\n%s", r.Violations, r)
			}
			kill := time.Duration(-1)
			for _, sr := range r.Signals {
				if sr.Signal == syscall.SIGKILL {
					kill = sr.At
					break
				}
			}
			if kill != tt.kill {
				t.Errorf("CRIOStopper's first SIGKILL at %s, want %s\n%s", kill, tt.kill, r)
			}
			if rr := (Checker{}).Run(t, tt.c, NewRacyStopper); rr.Violated() != tt.racy {
				t.Errorf("RacyStopper violates %q, want %q\n%s", rr.Violated(), tt.racy, rr)
			}
		})
	}
}

// TestInvariantsAreTheModels: every invariant the checker reports is one of
// the signals model's, with the same summary, so a name means one thing
// whichever checker reports it.
func TestInvariantsAreTheModels(t *testing.T) {
	model := map[string]string{}
	for _, inv := range signals.Model.Invariants {
		model[inv.Name] = inv.Summary
	}
	for _, inv := range Invariants() {
		if got, ok := model[inv.Name]; !ok || got != inv.Summary {
			t.Errorf("stopcheck's %q (%q) is not the model's (%q, listed: %v)", inv.Name, inv.Summary, got, ok)
		}
	}
}
