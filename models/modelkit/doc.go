// Package modelkit is the skeleton every model is built on: its variant
// list with what builds each (built-in and registered by tests), the
// one-change simplifications the greedy shrinker tries, the property
// check conformance runners share, and the time order of a case's steps.
// A model keeps only what is its own: its case, its components, its
// invariants and the simplifications particular to its fields.
package modelkit
