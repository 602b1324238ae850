package main

import (
	"os"
	"runtime"
	"strings"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/models"
)

// spareProc lets workers goroutines run with one Go scheduler P (a
// GOMAXPROCS slot) more than them when they are as many as the Ps, their
// runs are system-bound and the environment does not set GOMAXPROCS; the
// returned function restores the default.
//
// While a P is idle the runtime leaves a goroutine's P with it for the
// length of a system call. With every P running a worker, its monitor
// takes the P of a worker whose call outlasts one of its ticks (20 µs to
// 10 ms) and hands it to another thread, which finds no work and sleeps,
// and the worker waits for a P when its call returns: a model that makes
// system calls by the thousand a scenario (models.Model.SystemBound) pays
// that on many of them. CPU-bound models are left alone: an idle P runs
// the collector's idle-time marking and wakes threads that look for work,
// on the cores the workers need.
func spareProc(workers int, systemBound bool) (restore func()) {
	if _, set := os.LookupEnv("GOMAXPROCS"); set || !systemBound {
		return func() {}
	}
	procs := runtime.GOMAXPROCS(0)
	want := procsFor(workers, procs)
	if want == procs {
		return func() {}
	}
	runtime.GOMAXPROCS(want)
	return runtime.SetDefaultGOMAXPROCS
}

// procsFor is the GOMAXPROCS spareProc gives workers goroutines when the
// runtime has procs: one more when the workers fill them exactly, else
// procs. With more workers than Ps a P taken from a worker in a system
// call goes to a worker waiting for one, which is what it is for.
func procsFor(workers, procs int) int {
	if workers == procs {
		return procs + 1
	}
	return procs
}

// systemBound reports whether every model a campaign runs is system-bound.
// A mix gives each stream a share of the workers' time, so a spare P would
// help its system-bound share and cost the rest.
func systemBound(cfg campaign.Config) bool {
	for _, st := range cfg.RunStreams() {
		if m, ok := models.Lookup(st.Model); !ok || !m.SystemBound {
			return false
		}
	}
	return true
}

// systemBoundNames names the models of ms marked SystemBound, for help
// texts: "cgroups", "a and b", or "none".
func systemBoundNames(ms []*models.Model) string {
	var names []string
	for _, m := range ms {
		if m.SystemBound {
			names = append(names, m.Name)
		}
	}
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
