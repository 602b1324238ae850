package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
)

func newCampaignCmd() *cobra.Command {
	var (
		duration time.Duration
		seed     uint64
		out      string
	)
	cmd := &cobra.Command{
		Use:   "campaign [--duration D] [--seed S] [--out DIR]",
		Short: "A short campaign against every variant, with a summary (make run)",
		Long: `Fuzzes every variant of every model for --duration each and prints a summary table.
Exit 0 when every buggy variant was caught and every fixed variant passed, 1
otherwise: the campaign checks faultsim itself as much as the variants.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			w := cmd.OutOrStdout()
			type row struct {
				model, variant      string
				verdict             string
				scenarios, findings int
				rate                float64
				first               string
			}
			var rows []row
			ok := true
			for _, v := range variants() {
				dir := ""
				if out != "" {
					dir = filepath.Join(out, v.model, v.Name)
				}
				rep, err := fuzzOne(ctx, w, v.model, v.Name, seed, duration, 0, dir)
				if err != nil {
					return &exitError{2, err}
				}
				r := row{model: v.model, variant: v.Name, scenarios: rep.Scenarios, findings: len(rep.Findings), rate: rep.Rate(), first: "-"}
				if len(rep.Findings) > 0 {
					r.first = fmt.Sprintf("%d scenarios / %s", rep.Findings[0].FirstAt, rep.Findings[0].FirstAfter.Round(time.Microsecond))
				}
				switch {
				case v.Buggy && len(rep.Findings) > 0:
					r.verdict = "caught (as expected)"
				case !v.Buggy && len(rep.Findings) == 0:
					r.verdict = "passed (as expected)"
				case v.Buggy:
					r.verdict = "NOT CAUGHT"
					ok = false
				default:
					r.verdict = "FAILED"
					ok = false
				}
				rows = append(rows, r)
				fmt.Fprintln(w)
			}
			fmt.Fprintln(w, "SUMMARY")
			fmt.Fprintf(w, "  %-10s %-22s %-22s %10s %12s %9s  %s\n", "model", "variant", "verdict", "scenarios", "scenarios/s", "distinct", "first failure after")
			for _, r := range rows {
				fmt.Fprintf(w, "  %-10s %-22s %-22s %10d %12.0f %9d  %s\n", r.model, r.variant, r.verdict, r.scenarios, r.rate, r.findings, r.first)
			}
			if !ok {
				return &exitError{1, fmt.Errorf("a variant did not behave as expected")}
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&duration, "duration", 3*time.Second, "wall-clock budget per variant")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "campaign seed")
	cmd.Flags().StringVar(&out, "out", "", "directory for findings (one sub-directory per variant)")
	return cmd
}

// modelVariant is a variant with the model it belongs to.
type modelVariant struct {
	model string
	models.Variant
}

// variants lists every variant of every model scenario files can name.
func variants() []modelVariant {
	var out []modelVariant
	for _, name := range scenarios.ModelNames() {
		m, _ := models.Lookup(name)
		for _, v := range m.Variants {
			out = append(out, modelVariant{name, v})
		}
	}
	return out
}
