package memo_test

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/internal/memo"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCapped(t *testing.T) {
	tests := []struct {
		name    string
		max     int64
		keys    []string
		wantLen int
	}{
		{"zero value remembers nothing", 0, []string{"a", "b"}, 0},
		{"below the bound", 4, []string{"a", "b", "a"}, 2},
		{"at the bound", 2, []string{"a", "b", "c", "d"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := memo.Capped[string, int]{Max: tt.max}
			calls := 0
			for _, k := range tt.keys {
				got := c.Get(k, func(k string) int { calls++; return len(k) * 10 })
				if got != len(k)*10 {
					t.Fatalf("Get(%q) = %d, want %d", k, got, len(k)*10)
				}
			}
			if c.Len() != tt.wantLen {
				t.Fatalf("Len = %d, want %d", c.Len(), tt.wantLen)
			}
			if want := len(tt.keys) - dupHits(tt.keys, tt.wantLen); calls != want {
				t.Fatalf("f called %d times, want %d", calls, want)
			}
			c.Forget()
			if c.Len() != 0 {
				t.Fatalf("after Forget Len = %d", c.Len())
			}
			if _, ok := c.Load(tt.keys[0]); ok {
				t.Fatalf("after Forget %q is still remembered", tt.keys[0])
			}
		})
	}
}

// dupHits counts the keys answered from the memo: repeats of one of the
// first max distinct keys.
func dupHits(keys []string, max int) int {
	kept := map[string]bool{}
	hits := 0
	for _, k := range keys {
		if kept[k] {
			hits++
			continue
		}
		if len(kept) < max {
			kept[k] = true
		}
	}
	return hits
}

// TestCappedStoreKeepsTheFirst: a key stored twice answers with the first
// value, as a pure function's memo must.
func TestCappedStoreKeepsTheFirst(t *testing.T) {
	c := memo.Capped[string, string]{Max: 8}
	c.Store("k", "first")
	c.Store("k", "second")
	if v, _ := c.Load("k"); v != "first" || c.Len() != 1 {
		t.Fatalf("Load = %q, Len %d; want first, 1", v, c.Len())
	}
}

// TestCappedConcurrent: workers sharing one memo get f's answer for every
// key and the memo stays within Max plus the workers.
func TestCappedConcurrent(t *testing.T) {
	const workers, max = 4, 64
	c := memo.Capped[int, string]{Max: max}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				k := (i*7 + w) % 300
				if got := c.Get(k, strconv.Itoa); got != strconv.Itoa(k) {
					errs <- fmt.Errorf("Get(%d) = %q", k, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := c.Len(); n < max || n > max+workers {
		t.Fatalf("Len = %d, want %d to %d", n, max, max+workers)
	}
}

func ExampleCapped() {
	var parsed = memo.Capped[string, int]{Max: 256}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	fmt.Println(parsed.Get("42", atoi), parsed.Get("42", atoi), parsed.Len())
	parsed.Forget()
	fmt.Println(parsed.Len())
	// Output:
	// 42 42 1
	// 0
}
