package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/scenarios"
)

func newFuzzCmd() *cobra.Command {
	var (
		model, variant, out string
		duration            time.Duration
		seed                uint64
		max                 int
	)
	cmd := &cobra.Command{
		Use:   "fuzz --model M --variant V [--duration D] [--seed S] [--out DIR]",
		Short: "Search for failures with generated scenarios; write each distinct one shrunk",
		Long: `Draws scenarios of one model (the node, its faults, and the operations with
odd inputs and timings) from a PRNG seeded with --seed, runs each, and checks
every invariant of the model ("faultsim list" shows models and variants).
Each distinct failure (variant, invariant, crash site) is shrunk to a minimal
scenario and written to --out, which "faultsim run" replays to the same violation.

Exit 1 when a failure was found, 0 when none, 2 on bad flags. Interrupt (Ctrl-C)
stops the search and keeps what was found.`,
		Example: "  faultsim fuzz --model hostport --variant crio-1.33.0 --duration 20s --seed 1 --out findings/",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := scenarios.LookupModel(model)
			if err != nil {
				return badInput("--model: %v", err)
			}
			if _, err := m.Variant(variant); err != nil {
				return badInput("--variant: %v", err)
			}
			if duration <= 0 && max <= 0 {
				return badInput("--duration %s: expected a positive duration (or --max-scenarios)", duration)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := fuzzOne(ctx, cmd.OutOrStdout(), model, variant, seed, duration, max, out)
			if err != nil {
				return &exitError{2, err}
			}
			if len(rep.Findings) > 0 {
				return &exitError{1, fmt.Errorf("")}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&model, "model", "hostport", "model to fuzz ("+strings.Join(scenarios.ModelNames(), ", ")+")")
	cmd.Flags().StringVar(&variant, "variant", "", "variant to fuzz (faultsim list variants)")
	cmd.Flags().DurationVar(&duration, "duration", 10*time.Second, "wall-clock budget")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "campaign seed: the same seed draws the same scenarios")
	cmd.Flags().IntVar(&max, "max-scenarios", 0, "stop after this many scenarios (0: no limit)")
	cmd.Flags().StringVar(&out, "out", "", "directory to write failing scenarios to (created if missing)")
	_ = cmd.MarkFlagRequired("variant")
	return cmd
}

func fuzzOne(ctx context.Context, w io.Writer, model, variant string, seed uint64, d time.Duration, max int, out string) (scenarios.CampaignReport, error) {
	fmt.Fprintf(w, "fuzzing %s/%s, seed %d, for %s\n", model, variant, seed, d)
	rep, err := scenarios.Campaign(ctx, scenarios.CampaignConfig{Model: model, Variant: variant, Seed: seed, Duration: d,
		MaxScenarios: max, Out: out, Progress: w, ProgressEvery: 200000})
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
		fmt.Fprintf(w, "  %s: first after %d scenarios (%s), hit %d times, shrunk %d -> %d in %d replays\n    %s\n",
			f.Signature, f.FirstAt, f.FirstAfter.Round(time.Microsecond), f.Hits, f.SizeBefore, f.SizeAfter, f.ShrinkRuns, where)
	}
	return rep, nil
}
