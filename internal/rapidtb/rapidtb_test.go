package rapidtb

import (
	"flag"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"go.uber.org/goleak"
	"pgregory.net/rapid"
)

func TestMain(m *testing.M) {
	// The failure observed on purpose must not leave a rapid fail file.
	_ = flag.Set("rapid.nofailfile", "true")
	goleak.VerifyTestMain(m)
}

func TestObserverRecordsAFailingProperty(t *testing.T) {
	var pass Observer
	rapid.Check(&pass, func(t *rapid.T) { _ = rapid.IntRange(0, 9).Draw(t, "x") })
	if pass.Failed() {
		t.Fatalf("a passing property was recorded as failed: %v", pass.Messages())
	}
	var fail Observer
	rapid.Check(&fail, func(t *rapid.T) {
		if x := rapid.IntRange(0, 100).Draw(t, "x"); x > 10 {
			t.Fatalf("x = %d", x)
		}
	})
	if !fail.Failed() || len(fail.Messages()) == 0 {
		t.Fatalf("a failing property was not recorded: %v", fail.Messages())
	}
}

func TestSeeds(t *testing.T) {
	defaultSeeds := DefaultSeeds
	if testing.Short() {
		defaultSeeds = ShortSeeds
	}
	for _, tt := range []struct {
		env     string
		want    int
		wantErr bool
	}{
		{"", defaultSeeds, false},
		{"5", 5, false},
		{"1", 1, false},
		{"0", 0, true},
		{"-2", 0, true},
		{"many", 0, true},
	} {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv(SeedsEnv, tt.env)
			got, err := Seeds()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Seeds() error = %v, want error %v", err, tt.wantErr)
			}
			if len(got) != tt.want {
				t.Fatalf("Seeds() = %v, want %d seeds", got, tt.want)
			}
			for i, s := range got {
				if s != uint64(i+1) {
					t.Fatalf("Seeds() = %v, want 1..%d", got, tt.want)
				}
			}
		})
	}
}

func TestWithSeedReproducesTheSearchAndRestoresTheFlag(t *testing.T) {
	before := flag.Lookup("rapid.seed").Value.String()
	first := func(seed uint64) (xs []int) {
		WithSeed(seed, func() {
			var o Observer
			rapid.Check(&o, func(t *rapid.T) { xs = append(xs, rapid.IntRange(0, 1<<30).Draw(t, "x")) })
		})
		return xs[:20]
	}
	a, b, c := first(7), first(7), first(8)
	if !slices.Equal(a, b) {
		t.Fatalf("seed 7 drew %v, then %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Fatalf("seeds 7 and 8 drew the same values %v", a)
	}
	if after := flag.Lookup("rapid.seed").Value.String(); after != before {
		t.Fatalf("rapid.seed = %q after WithSeed, want %q restored", after, before)
	}
}

func TestForEachSeedRunsEachSeedWithTheFlagSet(t *testing.T) {
	t.Setenv(SeedsEnv, "4")
	var got []string
	ForEachSeed(t, func(t *testing.T, seed uint64) {
		got = append(got, t.Name()+"="+flag.Lookup("rapid.seed").Value.String())
		if flag.Lookup("rapid.seed").Value.String() != strconv.FormatUint(seed, 10) {
			t.Errorf("rapid.seed = %s inside seed %d", flag.Lookup("rapid.seed").Value, seed)
		}
	})
	want := []string{}
	for i := 1; i <= 4; i++ {
		want = append(want, fmt.Sprintf("%s/seed-%d=%d", t.Name(), i, i))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
}

// TestWithChecksRunsNChecksWithAndWithoutShort: under WithChecks(n) a
// passing property runs exactly n times whether -short is set or not (rapid
// divides its checks by 5 under -short), ForEachSeed runs DefaultChecks,
// and the flag is restored.
func TestWithChecksRunsNChecksWithAndWithoutShort(t *testing.T) {
	short := flag.Lookup("test.short")
	wasShort := short.Value.String()
	defer func() { _ = short.Value.Set(wasShort) }()
	before := flag.Lookup("rapid.checks").Value.String()
	count := func() (runs int) {
		var o Observer
		rapid.Check(&o, func(t *rapid.T) { runs++; _ = rapid.IntRange(0, 9).Draw(t, "x") })
		if o.Failed() {
			t.Fatalf("a passing property failed: %v", o.Messages())
		}
		return runs
	}
	for _, tt := range []struct {
		short string
		n     int
	}{{"false", 7}, {"true", 7}, {"true", 1}, {"false", 1}} {
		if err := short.Value.Set(tt.short); err != nil {
			t.Fatal(err)
		}
		var got int
		WithChecks(tt.n, func() { got = count() })
		if got != tt.n {
			t.Errorf("-short=%s: WithChecks(%d) ran the property %d times", tt.short, tt.n, got)
		}
		t.Setenv(SeedsEnv, "1")
		ForEachSeed(t, func(t *testing.T, _ uint64) { got = count() })
		if got != DefaultChecks {
			t.Errorf("-short=%s: ForEachSeed ran the property %d times, want %d", tt.short, got, DefaultChecks)
		}
	}
	if after := flag.Lookup("rapid.checks").Value.String(); after != before {
		t.Fatalf("rapid.checks = %q after WithChecks, want %q restored", after, before)
	}
}
