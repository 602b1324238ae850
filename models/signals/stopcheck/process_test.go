package stopcheck

import (
	"errors"
	"slices"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/faultsim/faultsim/sim/proc"
)

type kill struct {
	at  time.Duration
	sig syscall.Signal
}

// runProcess starts a process in a bubble, sends the kills at their times
// and returns the records, the exit and the own exit.
func runProcess(t *testing.T, stop syscall.Signal, b Behaviour, kills []kill) ([]SignalRecord, Exit, time.Duration, bool, []error) {
	t.Helper()
	var recs []SignalRecord
	var exit Exit
	var own time.Duration
	var hasOwn bool
	var errs []error
	synctest.Test(t, func(t *testing.T) {
		p := StartProcess("ctr", stop, b)
		for _, k := range kills {
			time.Sleep(k.at - time.Since(p.start))
			errs = append(errs, p.Kill(k.sig))
			synctest.Wait()
		}
		time.Sleep(2 * time.Minute)
		p.terminate()
		<-p.Exited()
		recs = p.Signals()
		exit, _ = p.Exit()
		own, hasOwn = p.OwnExit()
	})
	return recs, exit, own, hasOwn, errs
}

func TestProcess(t *testing.T) {
	s := time.Second
	term, kill9, intr := syscall.SIGTERM, syscall.SIGKILL, syscall.SIGINT
	rec := func(at time.Duration, sig syscall.Signal, o Outcome) SignalRecord {
		return SignalRecord{At: at, Signal: sig, Outcome: o}
	}
	tests := []struct {
		name    string
		b       Behaviour
		kills   []kill
		want    []SignalRecord
		exit    Exit
		ownExit time.Duration // -1: none
	}{
		{"default dies at once", Behaviour{}, []kill{{s, term}},
			[]SignalRecord{rec(s, term, Queued)}, Exit{At: s, Status: ExitStatus{Signal: term}, Own: true}, s},
		{"handled exits after cleanup, second stop signal ignored", Behaviour{Disposition: Handled, Cleanup: 2 * s, ExitCode: 143},
			[]kill{{s, term}, {2 * s, term}, {4 * s, term}},
			[]SignalRecord{rec(s, term, Queued), rec(2*s, term, Queued), rec(4*s, term, NoSuchProcess)},
			Exit{At: 3 * s, Status: ExitStatus{Code: 143}, Own: true}, 3 * s},
		{"SIGKILL during cleanup", Behaviour{Disposition: Handled, Cleanup: 2 * s}, []kill{{s, term}, {2 * s, kill9}},
			[]SignalRecord{rec(s, term, Queued), rec(2*s, kill9, Queued)}, Exit{At: 2 * s, Status: ExitStatus{Signal: kill9}}, 3 * s},
		{"ignored until SIGKILL", Behaviour{Disposition: Ignored}, []kill{{s, term}, {5 * s, kill9}},
			[]SignalRecord{rec(s, term, Queued), rec(5*s, kill9, Queued)}, Exit{At: 5 * s, Status: ExitStatus{Signal: kill9}}, -1},
		{"stop signal pends in D state", Behaviour{SleepFrom: s, SleepFor: 3 * s}, []kill{{2 * s, term}},
			[]SignalRecord{rec(2*s, term, Pending)}, Exit{At: 4 * s, Status: ExitStatus{Signal: term}, Own: true}, 4 * s},
		{"pending SIGKILL wins over pending stop signal", Behaviour{Disposition: Handled, Cleanup: s, SleepFrom: s, SleepFor: 3 * s},
			[]kill{{2 * s, term}, {3 * s, kill9}},
			[]SignalRecord{rec(2*s, term, Pending), rec(3*s, kill9, Pending)}, Exit{At: 4 * s, Status: ExitStatus{Signal: kill9}}, -1},
		{"cleanup ending in D state waits for the wake", Behaviour{Disposition: Handled, Cleanup: 2 * s, SleepFrom: 2 * s, SleepFor: 3 * s},
			[]kill{{s, term}}, []SignalRecord{rec(s, term, Queued)}, Exit{At: 5 * s, Status: ExitStatus{Code: 0}, Own: true}, 5 * s},
		{"lifetime, then no such process", Behaviour{Lifetime: 2 * s, ExitCode: 1}, []kill{{3 * s, term}},
			[]SignalRecord{rec(3*s, term, NoSuchProcess)}, Exit{At: 2 * s, Status: ExitStatus{Code: 1}, Own: true}, 2 * s},
		{"another signal's default action terminates", Behaviour{Disposition: Ignored}, []kill{{s, intr}},
			[]SignalRecord{rec(s, intr, Queued)}, Exit{At: s, Status: ExitStatus{Signal: intr}}, -1},
		{"SIGWINCH is ignored by default", Behaviour{Disposition: Ignored}, []kill{{s, syscall.SIGWINCH}},
			[]SignalRecord{rec(s, syscall.SIGWINCH, Queued)}, Exit{At: s + 2*time.Minute, Status: ExitStatus{Signal: kill9}, ByHarness: true}, -1},
		{"signal 0 checks without a record", Behaviour{Lifetime: 2 * s}, []kill{{s, 0}, {3 * s, 0}},
			nil, Exit{At: 2 * s, Status: ExitStatus{}, Own: true}, 2 * s},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, exit, own, hasOwn, errs := runProcess(t, term, tt.b, tt.kills)
			if !slices.Equal(recs, tt.want) {
				t.Errorf("signals = %v, want %v", recs, tt.want)
			}
			if exit != tt.exit {
				t.Errorf("exit = %+v, want %+v", exit, tt.exit)
			}
			if gotOwn := map[bool]time.Duration{true: own, false: -1}[hasOwn]; gotOwn != tt.ownExit {
				t.Errorf("own exit = %s, want %s", gotOwn, tt.ownExit)
			}
			for i, err := range errs {
				alive := tt.kills[i].at <= tt.exit.At // a kill at the exit instant is what caused it
				if alive && err != nil {
					t.Errorf("kill %d at %s: %v, want nil while the process runs", i, tt.kills[i].at, err)
				}
				if !alive && !errors.Is(err, ErrNoSuchProcess) {
					t.Errorf("kill %d at %s: %v, want ErrNoSuchProcess after the exit", i, tt.kills[i].at, err)
				}
			}
		})
	}
}

// TestKillAfterExitIsSimsNoSuchProcess checks that there is one ESRCH error
// in faultsim: a kill after the exit wraps proc.ErrNoSuchProcess, so a stop
// loop written for stopcheck recognises what the signals model's runtime
// returns, and the other way round.
func TestKillAfterExitIsSimsNoSuchProcess(t *testing.T) {
	_, _, _, _, errs := runProcess(t, syscall.SIGTERM, Behaviour{}, []kill{{0, syscall.SIGTERM}, {time.Second, syscall.SIGTERM}})
	if errs[0] != nil {
		t.Fatalf("first kill: %v, want nil", errs[0])
	}
	if !errors.Is(errs[1], proc.ErrNoSuchProcess) {
		t.Fatalf("kill after the exit: %v, want an error wrapping proc.ErrNoSuchProcess", errs[1])
	}
}
