// Package block hands out pointers to values carved from blocks: a run
// that makes many small objects of one type (events, tasks, processes)
// pays one allocation per block instead of one per object.
package block

// Of carves *T from blocks. The zero value is ready to use. A value stays
// reachable while any value of its block is, so a block suits objects that
// live about as long as each other (one run's).
type Of[T any] struct{ rest []T }

// New returns a pointer to a zero T, starting a block of n values (at
// least one) when the current one is used up.
func (b *Of[T]) New(n int) *T {
	if len(b.rest) == 0 {
		b.rest = make([]T, max(n, 1))
	}
	x := &b.rest[0]
	b.rest = b.rest[1:]
	return x
}
