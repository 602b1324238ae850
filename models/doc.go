// Package models holds faultsim's runtime component models, one package per
// component (hostport, and later cgroups, annotations, signals). Each model
// package has buggy variants that reproduce real incidents, fixed reference
// variants, generic invariants and a conformance entry point for users'
// own implementations.
package models
