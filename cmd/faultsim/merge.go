package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/campaign"
)

func newMergeCmd() *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "merge --out DIR CAMPAIGN_DIR...",
		Short: "Union the outputs of campaign shards: seeds run, findings de-duplicated, reports",
		Long: `Reads the state of each campaign directory (the --out of "faultsim fuzz",
typically one per --shard i/n) and writes to --out their union: each model and
variant's scenario indexes run, and each distinct finding once (the file of its
lowest scenario index, hits summed), with the state file and the reports. Shards
of one campaign merge to what one unsharded run with the same budget writes.

The merged directory is a campaign of the whole seed space: "faultsim fuzz
--resume DIR" runs what no shard ran. Inputs are untrusted: a state that does
not check (unknown fields, streams or invariants, bad ranges, file names that
are paths) or a finding file that is not a regular scenario file is refused.
Exit 0 on success, 2 when a directory has no state or a refused one, the seeds
differ, two directories ran the same scenario, --out holds another campaign
(without --force), or another faultsim holds the lock of --out (its pid and
host are named).`,
		Example: "  faultsim merge --out findings/ shard-0/ shard-1/ shard-2/ shard-3/",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			if out == "" {
				return badInput("--out: missing: expected the directory to write the merged campaign to")
			}
			merge := campaign.Merge
			if force {
				merge = campaign.MergeReplacing
			}
			st, err := merge(out, dirs...)
			if err != nil {
				return &exitError{2, err}
			}
			sum := campaign.Summarize(st)
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "merged %d campaign(s) into %s: %s\n", len(dirs), out, sum.Headline())
			for _, f := range st.Findings {
				fmt.Fprintf(w, "  %s: hit %d times, first at scenario %d: %s\n", f.Signature, f.Hits, f.Index+1, f.File)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory for the merged findings, state and reports (one holding another campaign is refused without --force)")
	cmd.Flags().BoolVar(&force, "force", false, "replace the campaign --out holds: its state, reports and the finding files its state lists are removed first")
	return cmd
}
