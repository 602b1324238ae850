package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/scenarios"
)

func newCampaignCmd() *cobra.Command {
	var f fuzzFlags
	cmd := &cobra.Command{
		Use:   "campaign [--duration D] [--workers N] [--seed S] [--out DIR]",
		Short: "A short campaign against every variant, with a summary (make run)",
		Long: `Fuzzes every variant of every model in one campaign (--duration per variant,
so the whole run takes duration x variants, spread over --workers) and prints
a summary table. Exit 0 when every buggy variant was caught and every fixed
variant passed, 1 otherwise: the campaign checks faultsim itself as much as the
variants. 130 when interrupted (the summary is printed first).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.variants = []string{"all"}
			f.models = []string{"all"}
			cfg, err := f.config(cmd)
			if err != nil {
				return err
			}
			if cfg.Duration > 0 {
				cfg.Duration *= time.Duration(len(cfg.Streams))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			w := cmd.OutOrStdout()
			rep, err := runCampaign(ctx, w, cfg, f.progressEvery)
			if err != nil {
				return &exitError{2, err}
			}
			sum := scenarios.Summarize(rep.State)
			ok := true
			fmt.Fprintln(w)
			fmt.Fprintln(w, "SUMMARY")
			fmt.Fprintf(w, "  %-12s %-22s %-22s %10s %12s %9s  %s\n", "model", "variant", "verdict", "scenarios", "scenarios/s", "distinct", "first failure")
			for _, s := range sum.Streams {
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
			fmt.Fprintf(w, "  (scenarios/s: per worker; %d workers ran %.0f scenarios/s in all)\n", rep.Workers, rep.Rate())
			switch {
			case rep.Interrupted:
				return &exitError{exitInterrupted, errors.New("interrupted")}
			case !ok:
				return &exitError{1, fmt.Errorf("a variant did not behave as expected")}
			}
			return nil
		},
	}
	f.register(cmd, "wall-clock budget per variant")
	cmd.Flags().Lookup("duration").DefValue = "3s"
	f.duration = 3 * time.Second
	return cmd
}
