package rapidtb

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// SeedsEnv names the environment variable that widens Seeds: with
// FAULTSIM_RAPID_SEEDS=N a shrink test runs rapid seeds 1..N, which is how
// its assertions are checked against many searches before they are trusted.
const SeedsEnv = "FAULTSIM_RAPID_SEEDS"

// DefaultSeeds is how many fixed rapid seeds a shrink test runs by default;
// ShortSeeds how many under go test -short.
const (
	DefaultSeeds = 3
	ShortSeeds   = 1
)

// Seeds returns the rapid seeds a test that asserts on rapid's minimal case
// runs: 1..DefaultSeeds (1..ShortSeeds under -short), or 1..N when SeedsEnv
// is N. Fixed seeds make the
// search and the shrink reproducible, so such a test cannot flake on a
// random seed; widening them is how its assertions are swept.
func Seeds() ([]uint64, error) {
	n := DefaultSeeds
	if testing.Short() {
		n = ShortSeeds
	}
	if v := os.Getenv(SeedsEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			return nil, fmt.Errorf("%s=%q: want a positive number of seeds", SeedsEnv, v)
		}
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	return out, nil
}

// WithSeed runs fn with rapid's -rapid.seed flag set to seed and restores
// the previous value afterwards. rapid reads the flag on every Check.
func WithSeed(seed uint64, fn func()) {
	prev := "0"
	if f := flag.Lookup("rapid.seed"); f != nil {
		prev = f.Value.String()
	}
	_ = flag.Set("rapid.seed", strconv.FormatUint(seed, 10))
	defer func() { _ = flag.Set("rapid.seed", prev) }()
	fn()
}

// ForEachSeed runs fn as the subtest "seed-N" for each of Seeds, with
// rapid's seed flag set to N (WithSeed) and DefaultChecks checks
// (WithChecks, so -short searches as far) for the whole subtest.
func ForEachSeed(t *testing.T, fn func(t *testing.T, seed uint64)) {
	t.Helper()
	seeds, err := Seeds()
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			WithSeed(seed, func() { WithChecks(DefaultChecks, func() { fn(t, seed) }) })
		})
	}
}

// DefaultChecks is rapid's default number of checks per Check without
// -short; tests that expect a property to fail search this many cases.
const DefaultChecks = 100

// ChecksFlag is the value of rapid's -rapid.checks flag under which
// rapid.Check runs n checks: rapid v1.3.0 divides the flag by 5 under
// go test -short (engine.go, checkTB), so it is 5n there and n otherwise.
func ChecksFlag(n int) string {
	if testing.Short() {
		n *= 5
	}
	return strconv.Itoa(n)
}

// WithChecks runs fn with rapid's -rapid.checks flag set so that every
// rapid.Check in fn runs n checks whether or not -short is set (ChecksFlag),
// and restores the previous value afterwards: a test that expects a property
// to fail within n checks must not search a fifth of them under -short.
func WithChecks(n int, fn func()) {
	prev := strconv.Itoa(DefaultChecks)
	if f := flag.Lookup("rapid.checks"); f != nil {
		prev = f.Value.String()
	}
	_ = flag.Set("rapid.checks", ChecksFlag(n))
	defer func() { _ = flag.Set("rapid.checks", prev) }()
	fn()
}
