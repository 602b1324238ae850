// Package sim is faultsim's deterministic simulation kernel: virtual time and
// a discrete-event Scheduler, actors as Tasks whose yield points it orders,
// the Chooser that decides every tie, the Runner with its invariant checks,
// calls ledger and liveness phase, the Trace, crash capture and the
// Supervisor that restarts a daemon.
//
// Nothing in sim reads the wall clock, iterates a map to decide anything or
// depends on goroutine scheduling: one scenario and one seed give one trace,
// byte for byte. sim knows no model; models are built on top of it.
package sim
