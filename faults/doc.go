// Package faults is faultsim's fault catalog: named, typed, parameterised
// faults, each with a one-line description and a documented effect on the
// simulated node, the data a runtime receives, or the timing of a run.
//
// The catalog is a registry: a package adds faults with Register (later
// models add kernel, cgroup, nil-map and signal faults that way) and the
// scenario parser, the generators and `faultsim list faults` find them by
// name. Models never ask whether a fault is active; they see only the node.
package faults
