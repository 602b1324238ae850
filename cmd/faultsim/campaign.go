package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/scenarios"
)

func newCampaignCmd() *cobra.Command {
	var f fuzzFlags
	cmd := &cobra.Command{
		Use:   "campaign [--duration D] [--workers N] [--seed S] [--out DIR]",
		Short: "A short campaign against every variant, with a summary (make run)",
		Long: `Fuzzes every variant of every model, one campaign per model in turn
(--duration per variant, spread over --workers; with --out, each model's
findings and reports go to DIR/<model>) and prints a summary table. Exit 0 when every buggy variant was caught and every fixed
variant passed, 1 otherwise: the campaign checks faultsim itself as much as the
variants. 130 when interrupted (the summary is printed first).`,
		Args: cobra.NoArgs,
		// Flags are checked before RunE (for every model, as RunE will),
		// so FuzzFlags can check them without running a campaign.
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range scenarios.ModelNames() {
				g := f
				g.models, g.variants = []string{name}, []string{"all"}
				if _, err := g.config(cmd); err != nil {
					return err
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			w := cmd.OutOrStdout()
			// One campaign per model, one after another: chunks of a slow
			// model (cgroups does real file I/O) would otherwise hold the
			// workers while the fast models wait their turn.
			out := f.out
			var rows []campaign.StreamSummary
			var lines []string
			var races []*campaign.Race
			interrupted := false
			for _, name := range scenarios.ModelNames() {
				f.models, f.variants = []string{name}, []string{"all"}
				if out != "" {
					f.out = filepath.Join(out, name)
				}
				cfg, err := f.config(cmd)
				if err != nil {
					return err
				}
				if cfg.Duration > 0 {
					cfg.Duration *= time.Duration(len(cfg.Streams))
					cfg.ShrinkTime *= time.Duration(len(cfg.Streams))
				}
				rep, err := runCampaign(ctx, w, cfg, f.progressEvery)
				if err != nil {
					return &exitError{2, err}
				}
				fmt.Fprintln(w)
				rows = append(rows, campaign.Summarize(rep.State).Streams...)
				races = append(races, rep.Races...)
				lines = append(lines, fmt.Sprintf("%s: %d workers ran %.0f scenarios/s", name, rep.Workers, rep.Rate()))
				if rep.Interrupted {
					interrupted = true
					break
				}
			}
			ok := true
			fmt.Fprintln(w, "SUMMARY")
			fmt.Fprintf(w, "  %-12s %-22s %-22s %10s %12s %9s  %s\n", "model", "variant", "verdict", "scenarios", "scenarios/s", "distinct", "first failure")
			for _, s := range rows {
				verdict := ""
				switch {
				case s.Buggy && s.Findings > 0:
					verdict = "caught (as expected)"
				case !s.Buggy && s.Findings == 0:
					verdict = "passed (as expected)"
				case s.Buggy:
					verdict, ok = "NOT CAUGHT", false
				default:
					verdict, ok = "FAILED", false
				}
				first := "-"
				if s.FirstAtScenario > 0 {
					first = fmt.Sprintf("scenario %d, after %s", s.FirstAtScenario, time.Duration(s.FirstAfterS*float64(time.Second)).Round(time.Microsecond))
				}
				fmt.Fprintf(w, "  %-12s %-22s %-22s %10d %12.0f %9d  %s\n", s.Model, s.Variant, verdict, s.Scenarios, s.WorkerRate, s.Findings, first)
			}
			fmt.Fprintf(w, "  (scenarios/s: per worker; %s)\n", strings.Join(lines, "; "))
			for _, r := range races {
				// Race mode reports; a race is never expected of a variant.
				fmt.Fprintf(w, "  RACE %s: %s\n", r.Stream, r.Violation().Message)
				ok = false
			}
			switch {
			case interrupted:
				return &exitError{exitInterrupted, errors.New("interrupted")}
			case !ok:
				return &exitError{1, fmt.Errorf("a variant did not behave as expected")}
			}
			return nil
		},
	}
	f.register(cmd, "wall-clock budget of each variant, shrinks included (a shrink under way at the end is cut short and its finding marked so)")
	cmd.Flags().Lookup("duration").DefValue = "3s"
	f.duration = 3 * time.Second
	return cmd
}
