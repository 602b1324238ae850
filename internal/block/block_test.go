package block_test

import (
	"fmt"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/internal/block"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOf(t *testing.T) {
	for _, tt := range []struct {
		name         string
		n, take      int
		wantAllocs   float64
		wantDistinct int
	}{
		{"n < 1: one at a time", 0, 5, 5, 5},
		{"one block holds all", 8, 5, 1, 5},
		{"two blocks", 4, 5, 2, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(10, func() {
				b := block.Of[[4]int64]{}
				for range tt.take {
					_ = b.New(tt.n)
				}
			})
			if allocs != tt.wantAllocs {
				t.Errorf("%v allocations for %d values, want %v", allocs, tt.take, tt.wantAllocs)
			}
			b := block.Of[[4]int64]{}
			seen := map[*[4]int64]bool{}
			for i := range tt.take {
				p := b.New(tt.n)
				if *p != ([4]int64{}) {
					t.Fatalf("value %d is not zero: %v", i, *p)
				}
				p[0] = int64(i) + 1 // written values stay theirs
				seen[p] = true
			}
			if len(seen) != tt.wantDistinct {
				t.Fatalf("%d distinct pointers, want %d", len(seen), tt.wantDistinct)
			}
			for p := range seen {
				if p[0] == 0 {
					t.Fatal("a later New reused a value handed out before")
				}
			}
		})
	}
}

func ExampleOf() {
	type event struct{ at, seq int }
	var events block.Of[event]
	a, b := events.New(4), events.New(4)
	*a, *b = event{at: 10, seq: 1}, event{at: 10, seq: 2}
	fmt.Println(*a, *b, a != b)
	// Output: {10 1} {10 2} true
}
