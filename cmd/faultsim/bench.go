package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/shrink"
	"github.com/faultsim/faultsim/sim"
)

// benchConfig says what faultsim bench measures.
type benchConfig struct {
	models   []string
	duration time.Duration // per throughput measurement
	seeds    int           // campaigns per incident variant (median)
	maxFirst int           // scenarios a first-failure search may draw
	noShrink bool
}

func newBenchCmd() *cobra.Command {
	var cfg benchConfig
	var only string
	cmd := &cobra.Command{
		Use:   "bench [--model M] [--duration D] [--seeds N]",
		Short: "Measure throughput, harness overhead and time to first failure; print a Markdown table",
		Long: `Measures, per model and variant, on one goroutine:

  scenarios/s, steps/s  generated scenarios drawn and run by the harness
                        (scheduler, faults, invariants after every event, no
                        trace) for --duration; a step is one event run
  scenarios/CPU-s       the same count per second of CPU time the process
                        used (garbage collection included): closer to "one
                        core" than wall time on a machine others load
  2 workers             scenarios/s of 2 goroutines over 1's (the same draws,
                        pairs of 1 then 2 goroutines interleaved, median of
                        5 pairs): 2.00x is perfect scaling on 2 free cores;
                        a system-bound model's (cgroups) 2 goroutines get a
                        spare GOMAXPROCS slot, as its campaigns' workers do
  overhead              harness / bare: the same cases run by the harness and
                        run bare (the model's operations called directly, with
                        no invariant checks, trace or timed faults; see
                        models.Barer), alternated in one run
  first failure         for each incident (buggy) variant, a campaign from a
                        cold start at seeds 1..--seeds: scenarios and wall time
                        to the first failing one, and the time to shrink it
                        and the shrunk size; medians over the seeds

and prints the table as Markdown. Figures depend on the machine and its load:
compare them within one run.`,
		Example: "  faultsim bench\n  faultsim bench --model hostport --duration 2s",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.models = scenarios.ModelNames()
			if only != "" {
				if _, err := scenarios.LookupModel(only); err != nil {
					return badInput("--model: %v", err)
				}
				cfg.models = []string{only}
			}
			if cfg.duration <= 0 || cfg.seeds <= 0 || cfg.maxFirst <= 0 {
				return badInput("--duration %s, --seeds %d, --max-first %d: expected positive values", cfg.duration, cfg.seeds, cfg.maxFirst)
			}
			ctx, stop := interruptible(cmd)
			defer stop()
			return bench(ctx, cmd.OutOrStdout(), cfg)
		},
	}
	cmd.Flags().StringVar(&only, "model", "", "model to measure (default: all)")
	cmd.Flags().DurationVar(&cfg.duration, "duration", time.Second, "wall time of each throughput and overhead measurement")
	cmd.Flags().IntVar(&cfg.seeds, "seeds", 5, "first-failure campaigns per incident variant (the median is printed)")
	cmd.Flags().IntVar(&cfg.maxFirst, "max-first", 200000, "scenarios a first-failure campaign may draw before giving up")
	cmd.Flags().BoolVar(&cfg.noShrink, "no-shrink", false, "do not time shrinking")
	return cmd
}

// benchRow is one line of the table.
type benchRow struct {
	model, variant string
	buggy          bool
	rate, steps    float64
	perCPU         float64 // scenarios per CPU second
	scaling        float64 // 2 goroutines' scenarios/s over 1's
	overhead       float64 // 0: no bare run
	first          firstFailure
}

// firstFailure is the median of the first-failure campaigns of a variant.
type firstFailure struct {
	found, runs        int
	scenarios          int
	after, shrink      time.Duration
	sizeFrom, sizeDown int
}

// bench measures every variant of cfg.models and prints the table; when
// ctx ends it stops after the scenario under way and prints the rows done.
func bench(ctx context.Context, w io.Writer, cfg benchConfig) error {
	fmt.Fprintf(w, "faultsim bench: %s/%s, %d CPU(s), GOMAXPROCS %d, %s; one goroutine; %s per measurement%s\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), cfg.duration, loadAverage())
	var rows []benchRow
	for _, name := range cfg.models {
		m, _ := models.Lookup(name)
		for _, v := range m.Variants {
			row := benchRow{model: name, variant: v.Name, buggy: v.Buggy}
			row.rate, row.steps, row.perCPU = throughput(ctx, m, v.Name, cfg.duration)
			row.scaling = scaling(ctx, m, v.Name, cfg.duration)
			row.overhead = overhead(ctx, m, v.Name, cfg.duration)
			if v.Buggy {
				row.first = firstFailures(ctx, m, v.Name, cfg)
			}
			if ctx.Err() != nil {
				writeTable(w, rows, cfg)
				return interrupted("during %s/%s: the table has the %d rows done", name, v.Name, len(rows))
			}
			rows = append(rows, row)
		}
		// What this model's runs kept for the next (memos, pooled
		// trees) goes, as at the end of its campaign: the next model is
		// measured as its own campaign would run it, not beside this
		// one's live heap.
		if err := models.Release(m); err != nil {
			return err
		}
	}
	writeTable(w, rows, cfg)
	return nil
}

// benchSeed derives the i-th scenario seed of a campaign seed (SplitMix64,
// as campaigns do, so the counts match faultsim fuzz at that seed).
func benchSeed(seed uint64, i int) uint64 {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// throughput draws and runs scenarios for d: scenarios and steps per
// wall-clock second, and scenarios per second of CPU time the process used
// (which other load on the machine affects less).
func throughput(ctx context.Context, m *models.Model, variant string, d time.Duration) (rate, steps, perCPU float64) {
	start, cpu0 := time.Now(), cpuTime()
	n, events := 0, 0
	for ; (n < 8 || time.Since(start) < d) && ctx.Err() == nil; n++ {
		seed := benchSeed(1, n)
		r, err := m.Generate(sim.NewPRNG(seed), variant).Run(sim.NewPRNG(seed), false)
		if err == nil {
			events += r.Events
		}
	}
	el, cpu := time.Since(start).Seconds(), (cpuTime() - cpu0).Seconds()
	if cpu > 0 {
		perCPU = float64(n) / cpu
	}
	return float64(n) / el, float64(events) / el, perCPU
}

// cpuTime is the user and system time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// overhead runs one pool of cases by the harness and bare, each case
// harness then bare, in rounds for about d in all, and returns the sum of
// each case's fastest harness run over the sum of its fastest bare run
// (0 when the model has no bare run): the minimum of several runs is what
// the code costs, the rest is other load on the machine.
func overhead(ctx context.Context, m *models.Model, variant string, d time.Duration) float64 {
	pool := make([]models.Case, 64)
	for i := range pool {
		seed := benchSeed(2, i)
		pool[i] = m.Generate(sim.NewPRNG(seed), variant)
		if _, ok := pool[i].(models.Barer); !ok {
			return 0
		}
	}
	harness := make([]time.Duration, len(pool))
	bare := make([]time.Duration, len(pool))
	start := time.Now()
	for round := 0; (round < 3 || time.Since(start) < d) && ctx.Err() == nil; round++ {
		for i, c := range pool {
			if ctx.Err() != nil {
				break
			}
			t := time.Now()
			_, _ = c.Run(sim.NewPRNG(benchSeed(2, i)), false)
			h := time.Since(t)
			t = time.Now()
			_ = c.(models.Barer).RunBare(sim.NewPRNG(benchSeed(2, i)))
			b := time.Since(t)
			if round == 0 || h < harness[i] {
				harness[i] = h
			}
			if round == 0 || b < bare[i] {
				bare[i] = b
			}
		}
	}
	var sh, sb time.Duration
	for i := range pool {
		sh, sb = sh+harness[i], sb+bare[i]
	}
	return float64(sh) / float64(sb)
}

// firstFailures runs cfg.seeds campaigns from a cold start until their
// first failure and returns the medians of those that found one.
func firstFailures(ctx context.Context, m *models.Model, variant string, cfg benchConfig) firstFailure {
	var found []firstFailure
	for s := 1; s <= cfg.seeds && ctx.Err() == nil; s++ {
		start := time.Now()
		for i := 0; i < cfg.maxFirst && ctx.Err() == nil; i++ {
			seed := benchSeed(uint64(s), i)
			c := m.Generate(sim.NewPRNG(seed), variant)
			r, err := c.Run(sim.NewPRNG(seed), false)
			if err != nil || r.Violated() == "" {
				continue
			}
			f := firstFailure{scenarios: i + 1, after: time.Since(start), sizeFrom: c.Size()}
			if !cfg.noShrink {
				t := time.Now()
				min, _ := shrink.Violation(c, seed, r.Violated())
				f.shrink, f.sizeDown = time.Since(t), min.Size()
			}
			found = append(found, f)
			break
		}
	}
	out := firstFailure{found: len(found), runs: cfg.seeds}
	if len(found) == 0 {
		return out
	}
	out.scenarios = median(found, func(f firstFailure) int { return f.scenarios })
	out.after = median(found, func(f firstFailure) time.Duration { return f.after })
	out.shrink = median(found, func(f firstFailure) time.Duration { return f.shrink })
	out.sizeFrom = median(found, func(f firstFailure) int { return f.sizeFrom })
	out.sizeDown = median(found, func(f firstFailure) int { return f.sizeDown })
	return out
}

// median returns the median of a field (the lower middle of an even count).
func median[T int | time.Duration](fs []firstFailure, field func(firstFailure) T) T {
	vals := make([]T, len(fs))
	for i, f := range fs {
		vals[i] = field(f)
	}
	slices.Sort(vals)
	return vals[(len(vals)-1)/2]
}

func writeTable(w io.Writer, rows []benchRow, cfg benchConfig) {
	fmt.Fprintln(w, "| model | variant | scenarios/s | scenarios/CPU-s | steps/s | 2 workers | overhead (harness / bare) | first failure: scenarios | first failure: time | shrink: time | shrunk size |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, r := range rows {
		oh := "n/a"
		if r.overhead > 0 {
			oh = fmt.Sprintf("%.2fx", r.overhead)
		}
		first := []string{"", "", "", ""}
		switch {
		case !r.buggy:
		case r.first.found == 0:
			first = []string{fmt.Sprintf("none in %d", cfg.maxFirst), "", "", ""}
		default:
			first = []string{fmt.Sprint(r.first.scenarios), roundDur(r.first.after), roundDur(r.first.shrink),
				fmt.Sprintf("%d -> %d", r.first.sizeFrom, r.first.sizeDown)}
			if cfg.noShrink {
				first[2], first[3] = "", ""
			}
			if r.first.found < r.first.runs {
				first[0] += fmt.Sprintf(" (%d of %d seeds)", r.first.found, r.first.runs)
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %.2fx | %s | %s |\n", r.model, r.variant, thousands(r.rate), thousands(r.perCPU), thousands(r.steps), r.scaling, oh, strings.Join(first, " | "))
	}
}

// loadAverage is ", load average X Y Z" where /proc/loadavg tells it: other
// work on the machine slows every figure.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return fmt.Sprintf(", load average %s %s %s", f[0], f[1], f[2])
	}
	return ""
}

// roundDur prints a wall time with three significant digits.
func roundDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// thousands prints a rate rounded, with commas: 12,345.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
