package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/shrink"
	"github.com/faultsim/faultsim/sim/isolate"
)

// exitInterrupted is the exit code of a campaign stopped by SIGINT or
// SIGTERM (128 + SIGINT, as a shell reports it).
const exitInterrupted = 130

// fuzzFlags are the campaign flags fuzz and campaign share.
type fuzzFlags struct {
	models, variants []string
	workers          int
	duration         time.Duration
	force            bool
	shrinkTime       time.Duration
	max              int
	seed             uint64
	out, resume      string
	shard            string
	shrink           string
	progressEvery    time.Duration
	forceWorkers     bool
	isolate          bool
	isolateTimeout   time.Duration
}

// workersPerCPU bounds --workers without --force-workers: more workers than
// that only share the same cores, and each slows the stop (a scenario in
// progress finishes first) and holds kernel resources (cgroups' inotify
// instances).
const workersPerCPU = 4

func (f *fuzzFlags) register(cmd *cobra.Command, durationUsage string) {
	fl := cmd.Flags()
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), fmt.Sprintf("goroutines running scenarios (at most %dx the CPUs without --force-workers)", workersPerCPU))
	fl.BoolVar(&f.forceWorkers, "force-workers", false, fmt.Sprintf("allow --workers above %dx the CPUs (up to %d)", workersPerCPU, campaign.MaxWorkers))
	fl.DurationVar(&f.duration, "duration", 10*time.Second, durationUsage)
	fl.DurationVar(&f.shrinkTime, "shrink-time", 0, "the last part of --duration kept for shrinking: from then on a finding being shrunk stops the search (default: a quarter of --duration)")
	fl.IntVar(&f.max, "max-scenarios", 0, "stop after this many scenarios of each model and variant (0: no limit)")
	fl.Uint64Var(&f.seed, "seed", 1, "campaign seed: the same seed draws the same scenarios")
	fl.StringVar(&f.out, "out", "", "directory for findings, the state file and the reports (created if missing; one holding another campaign is refused without --resume or --force)")
	fl.BoolVar(&f.force, "force", false, "replace the campaign --out holds: its state, reports and the finding files its state lists are removed first")
	fl.StringVar(&f.shrink, "shrink", string(shrink.ModeBest), "how to shrink failures: best (choices then greedy, or greedy alone if smaller), choices (the generator's draws, deleted and lowered as rapid does), greedy (the model's simplifications), none; rapid is the former name of choices")
	fl.DurationVar(&f.progressEvery, "progress-every", 10*time.Second, "interval of the progress lines when output is not a terminal")
	fl.BoolVar(&f.isolate, "isolate", false, "race mode: also run each scenario's request handlers that share memory as real goroutines in a child process (one per worker); a fatal concurrent map access, a race report (a -race build), a panic or a hang there is listed in --out/"+campaign.RacesFile+" with both stacks, and the campaign goes on")
	fl.DurationVar(&f.isolateTimeout, "isolate-timeout", isolate.DefaultTimeout, "race mode: how long one concurrent run may take before it is a hang")
}

// config checks the flags and builds the campaign configuration.
func (f *fuzzFlags) config(cmd *cobra.Command) (campaign.Config, error) {
	cfg := campaign.Config{Seed: f.seed, Duration: f.duration, MaxScenarios: f.max, Workers: f.workers,
		Out: f.out, Replace: f.force, Shrink: shrink.Mode(f.shrink), Isolate: f.isolate, IsolateTimeout: f.isolateTimeout}
	if f.isolateTimeout <= 0 {
		return cfg, badInput("--isolate-timeout %s: expected a positive duration", f.isolateTimeout)
	}
	switch cfg.Shrink {
	case shrink.ModeBest, shrink.ModeChoices, shrink.ModeRapid, shrink.ModeGreedy, shrink.ModeNone:
	default:
		return cfg, badInput("--shrink %q: expected best, choices, greedy or none", f.shrink)
	}
	if f.workers < 1 {
		return cfg, badInput("--workers %d: expected at least 1", f.workers)
	}
	if most := workersPerCPU * runtime.NumCPU(); f.workers > most && !f.forceWorkers {
		return cfg, badInput("--workers %d: expected at most %d (%dx the %d CPUs); --force-workers allows up to %d", f.workers, most, workersPerCPU, runtime.NumCPU(), campaign.MaxWorkers)
	}
	if f.workers > campaign.MaxWorkers {
		return cfg, badInput("--workers %d: expected at most %d, even with --force-workers", f.workers, campaign.MaxWorkers)
	}
	if f.max < 0 || int64(f.max) > campaign.MaxIndex {
		return cfg, badInput("--max-scenarios %d: expected 0 (no limit) to %d", f.max, campaign.MaxIndex)
	}
	if f.duration <= 0 && f.max <= 0 {
		return cfg, badInput("--duration %s: expected a positive duration (or --max-scenarios)", f.duration)
	}
	if !cmd.Flags().Changed("duration") && f.max > 0 {
		cfg.Duration = 0 // --max-scenarios alone: no time limit
	}
	if f.shrinkTime < 0 || (cmd.Flags().Changed("shrink-time") && cfg.Duration > 0 && f.shrinkTime >= cfg.Duration) {
		return cfg, badInput("--shrink-time %s: expected 0 or more, and less than --duration %s", f.shrinkTime, cfg.Duration)
	}
	shard, err := campaign.ParseShard(f.shard)
	if err != nil {
		return cfg, badInput("--shard: %v", err)
	}
	cfg.Shard = shard
	if f.resume != "" {
		for _, name := range []string{"model", "variant", "seed", "shard", "shrink"} {
			if cmd.Flags().Changed(name) {
				return cfg, badInput("--%s with --resume: a resumed campaign keeps its own (see %s)", name, filepath.Join(f.resume, campaign.StateFile))
			}
		}
		if f.force {
			return cfg, badInput("--force with --resume: a resumed campaign continues, it replaces nothing")
		}
		if f.out != "" && filepath.Clean(f.out) != filepath.Clean(f.resume) {
			return cfg, badInput("--out %s with --resume %s: a resumed campaign writes into its own directory", f.out, f.resume)
		}
		st, err := campaign.LoadState(f.resume)
		if err != nil {
			return cfg, badInput("--resume: %v", err)
		}
		cfg.Resume, cfg.Out, cfg.Seed = st, f.resume, st.Seed
		// The shard (checked by LoadState) and shrink settings are the
		// campaign's own, from its state.
		cfg.Shard, _ = campaign.ParseShard(st.Shard)
		cfg.Shrink = ""
		// The time budget: --duration if given; none with --max-scenarios
		// alone (as for a new campaign); else the campaign's own, so a
		// --max-scenarios campaign resumes to its budget, not for 10s.
		if !cmd.Flags().Changed("duration") && !cmd.Flags().Changed("max-scenarios") && (st.DurationNS > 0 || st.MaxScenarios > 0) {
			cfg.Duration = time.Duration(st.DurationNS)
		}
		cfg.ShrinkTime = f.shrinkTimeFor(cmd, cfg.Duration)
		return cfg, nil
	}
	cfg.ShrinkTime = f.shrinkTimeFor(cmd, cfg.Duration)
	cfg.Streams, err = selectStreams(f.models, f.variants)
	return cfg, err
}

// shrinkTimeFor is --shrink-time, by default a quarter of the duration.
func (f *fuzzFlags) shrinkTimeFor(cmd *cobra.Command, d time.Duration) time.Duration {
	if cmd.Flags().Changed("shrink-time") {
		return min(f.shrinkTime, d)
	}
	return d / 4
}

// selectStreams expands --model and --variant: names, "all", and for
// variants "buggy" and "fixed". A named variant must exist in one of the
// models.
func selectStreams(modelArgs, variantArgs []string) ([]campaign.Stream, error) {
	var ms []*models.Model
	for _, arg := range splitArgs(modelArgs) {
		if arg == "all" {
			for _, name := range scenarios.ModelNames() {
				m, _ := models.Lookup(name)
				ms = append(ms, m)
			}
			continue
		}
		m, err := scenarios.LookupModel(arg)
		if err != nil {
			return nil, badInput("--model: %v", err)
		}
		ms = append(ms, m)
	}
	variants := splitArgs(variantArgs)
	if len(variants) == 0 {
		return nil, badInput("--variant: missing: expected a variant name, all, buggy or fixed (faultsim list variants)")
	}
	var out []campaign.Stream
	used := map[string]bool{}
	for _, m := range ms {
		for _, v := range m.Variants {
			for _, want := range variants {
				if want == v.Name || want == "all" || (want == "buggy" && v.Buggy) || (want == "fixed" && !v.Buggy) {
					used[want] = true
					st := campaign.Stream{Model: m.Name, Variant: v.Name}
					if !slices.Contains(out, st) {
						out = append(out, st)
					}
				}
			}
		}
	}
	for _, want := range variants {
		if !used[want] && want != "all" && want != "buggy" && want != "fixed" {
			var names []string
			for _, m := range ms {
				if _, err := m.Variant(want); err != nil {
					names = append(names, err.Error())
				}
			}
			return nil, badInput("--variant: %s", strings.Join(names, "; "))
		}
	}
	if len(out) == 0 {
		return nil, badInput("--variant %s: no variant of the models selected", strings.Join(variants, ","))
	}
	return out, nil
}

// splitArgs flattens repeated and comma-separated flag values.
func splitArgs(args []string) []string {
	var out []string
	for _, a := range args {
		for _, p := range strings.Split(a, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func newFuzzCmd() *cobra.Command {
	var f fuzzFlags
	var cfg campaign.Config
	cmd := &cobra.Command{
		Use:   "fuzz --model M --variant V [--workers N] [--duration D | --max-scenarios N] [--seed S] [--out DIR]",
		Short: "Search for failures with generated scenarios on all cores; write each distinct one shrunk",
		Long: `Draws scenarios (the node, its faults, the operations with odd inputs and
timings) from the seed and runs them on --workers goroutines, checking every
invariant of the model ("faultsim list" shows models and variants). --model and
--variant may be repeated or comma-separated; --model all, and --variant all,
buggy or fixed select several. Each distinct failure (model, variant, invariant,
crash site) is shrunk (rapid's shrinker, then the greedy one) and written once,
atomically, to --out as a scenario file that "faultsim run" replays; --out also
gets campaign-state.json and the reports summary.md, summary.json, report.html.

The scenarios run depend only on --seed, the models and variants, --shard and
--max-scenarios (per model and variant), never on --workers. --shard i/n runs
the i-th of n disjoint parts ("faultsim merge" unions them); --resume DIR
continues an interrupted or finished campaign without running a seed twice,
with its own seed, shard, shrink settings and budget (--duration and
--max-scenarios may change the budget). An --out that holds another campaign
is refused (exit 2) unless --resume continues it or --force replaces it, so no
finding file is left that no summary lists. One process writes an --out at a time:
another fuzz or merge on it is refused (exit 2) with the holder's pid and host.
When the time budget ends before --max-scenarios, the last line says the
campaign is unfinished. A campaign of system-bound models alone (` + systemBoundNames(models.All()) + `),
whose runs are mostly system calls, runs with GOMAXPROCS one above --workers
when --workers equals it, unless GOMAXPROCS is set (a worker in a long system
call then keeps its P; about a tenth more scenarios on 2 workers).

Exit 1 when a failure was found, 0 when none, 2 on bad flags, a refused state
an --out holding another campaign or one another process holds, 130 when interrupted (SIGINT or SIGTERM:
findings so far, the state and the summary are written first).`,
		Example: `  faultsim fuzz --model hostport --variant crio-1.33.0 --duration 20s --seed 1 --out findings/
  faultsim fuzz --model all --variant buggy --workers 2 --duration 60s --out findings/
  faultsim fuzz --model all --variant all --shard 2/4 --duration 1h --out shard-2/
  faultsim fuzz --resume findings/ --duration 10m`,
		Args: cobra.NoArgs,
		// Flags are checked before RunE, so FuzzFlags can check them
		// without running a campaign.
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			cfg, err = f.config(cmd)
			return err
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := runCampaign(ctx, cmd.OutOrStdout(), cfg, f.progressEvery)
			if err != nil {
				return &exitError{2, err}
			}
			switch {
			case rep.Interrupted:
				return &exitError{exitInterrupted, errors.New("interrupted: findings, state and summary written")}
			case len(rep.Findings) > 0 || len(rep.Races) > 0:
				return &exitError{1, errors.New("")}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&f.models, "model", []string{"hostport"}, "model to fuzz, repeatable, or all ("+strings.Join(scenarios.ModelNames(), ", ")+")")
	cmd.Flags().StringArrayVar(&f.variants, "variant", nil, "variant to fuzz, repeatable, or all, buggy, fixed (faultsim list variants)")
	cmd.Flags().StringVar(&f.shard, "shard", "", "run only shard i of n of the seed space, as i/n (Kubernetes: $JOB_COMPLETION_INDEX/n)")
	cmd.Flags().StringVar(&f.resume, "resume", "", "continue the campaign whose --out directory this is")
	f.register(cmd, "wall-clock budget of the whole campaign, shrinks included: a shrink still under way at the end is cut short, its finding written as shrunk so far and marked so (--resume finishes it)")
	return cmd
}

// runCampaign runs a campaign with progress on w and prints its outcome.
func runCampaign(ctx context.Context, w io.Writer, cfg campaign.Config, every time.Duration) (campaign.Report, error) {
	what := fmt.Sprintf("%d model/variant(s)", len(cfg.Streams))
	if len(cfg.Streams) == 1 {
		what = cfg.Streams[0].String()
	}
	if cfg.Resume != nil {
		what = fmt.Sprintf("campaign %s (%d model/variant(s), %d session(s) so far)", cfg.Out, len(cfg.Resume.Streams), cfg.Resume.Sessions)
	}
	budget := cfg.Duration.String()
	if cfg.Duration == 0 {
		budget = "no time limit"
	}
	most := int64(cfg.MaxScenarios)
	if most == 0 && cfg.Resume != nil {
		most = cfg.Resume.MaxScenarios
	}
	if most > 0 {
		budget += fmt.Sprintf(", at most %d scenarios each", most)
	}
	fmt.Fprintf(w, "fuzzing %s, seed %d, shard %s, %d worker(s), %s\n", what, cfg.Seed, cfg.Shard, cfg.Workers, budget)
	pp := newProgressPrinter(w, every)
	cfg.Progress = pp.update
	cfg.ProgressInterval = pp.interval
	defer spareProc(cfg.Workers, systemBound(cfg))()
	rep, err := campaign.Run(ctx, cfg)
	pp.end()
	if err != nil {
		return rep, err
	}
	fmt.Fprintf(w, "%d scenarios in %s (%.0f scenarios/s), %d distinct failure(s)\n",
		rep.Scenarios, rep.Elapsed.Round(time.Millisecond), rep.Rate(), len(rep.Findings))
	for _, f := range rep.Findings {
		where := f.Path
		if where == "" {
			where = "(not written: no --out)"
		}
		cut := ""
		if f.Partial {
			cut = " (shrink cut short: --resume finishes it)"
		}
		fmt.Fprintf(w, "  %s: first at scenario %d (after %s), hit %d times, shrunk %d -> %d by %s in %d replays%s; faults needed: %s\n    %s\n",
			f.Signature, f.FirstAt, f.FirstAfter.Round(time.Microsecond), f.Hits, f.SizeBefore, f.SizeAfter, f.Shrinker, f.ShrinkRuns, cut, campaign.FaultsNeeded(f.Faults), where)
	}
	if cfg.Isolate {
		per := time.Duration(0)
		if rep.RaceRuns > 0 {
			per = rep.RaceTime / time.Duration(rep.RaceRuns)
		}
		fmt.Fprintf(w, "race mode: %d concurrent run(s) in child processes (%s each), %d distinct race(s)\n", rep.RaceRuns, per.Round(time.Microsecond), len(rep.Races))
		for _, r := range rep.Races {
			fmt.Fprintf(w, "  %s: %s (first at scenario %d, hit %d times)\n", r.Stream, r.Violation().Message, r.Index+1, r.Hits)
		}
		if cfg.Out != "" {
			fmt.Fprintf(w, "  stacks: %s\n", filepath.Join(cfg.Out, campaign.RacesFile))
		}
	}
	if cfg.Out != "" {
		fmt.Fprintf(w, "summary: %s, %s, %s\n", filepath.Join(cfg.Out, campaign.SummaryMD),
			filepath.Join(cfg.Out, campaign.SummaryJSON), filepath.Join(cfg.Out, campaign.ReportHTML))
	}
	resume := "faultsim fuzz --resume DIR"
	if cfg.Out != "" {
		resume = "faultsim fuzz --resume " + cfg.Out
	}
	switch {
	case rep.Interrupted:
		fmt.Fprintf(w, "interrupted; continue with: %s\n", resume)
	case rep.Unfinished:
		fmt.Fprintf(w, "unfinished: %d scenario(s) of the budget of %d per model and variant not run when the time budget ended; continue with: %s\n",
			rep.State.Left(), rep.State.MaxScenarios, resume)
	}
	return rep, nil
}
