package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/scenarios"
)

// collect expands files and directories into scenario file paths, sorted.
func collect(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, badInput("%s: no such file or directory", p)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) &&
				!strings.HasPrefix(d.Name(), ".") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, badInput("%s: %v", p, err)
		}
		if len(found) == 0 {
			return nil, badInput("%s: no scenario files (*.yaml) in the directory", p)
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

func newRunCmd() *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "run PATH...",
		Short: "Replay scenario files or directories and check each outcome against its expect",
		Long: `Replays every scenario file named, and every *.yaml under each directory named,
and checks that each produces what its expect says (pass, or the named violation).

Exit 0 when every outcome matches, 1 when any does not, 2 on a bad file (every
bad file is reported with its line and field). The last line reads
"N passed, N failed".`,
		Example: "  faultsim run scenarios/corpus\n  faultsim run findings/ scenarios/corpus/incident-1-crio-1.33.0-crash.yaml",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := collect(args)
			if err != nil {
				return err
			}
			ctx, stop := interruptible(cmd)
			defer stop()
			out := cmd.OutOrStdout()
			passed, failed, bad := 0, 0, 0
			for _, f := range files {
				if ctx.Err() != nil {
					break
				}
				s, err := scenarios.ParseFile(f)
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "error: %v\n", err)
					bad++
					continue
				}
				o, err := scenarios.Run(s, verbose)
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "error: %s: %v\n", f, err)
					bad++
					continue
				}
				status := "ok  "
				if o.OK {
					passed++
				} else {
					status = "FAIL"
					failed++
				}
				fmt.Fprintf(out, "%s %-60s expect %-40s got %s\n", status, filepath.Base(f), s.Expect, o.Got)
				if !o.OK || verbose {
					for _, v := range o.Result.Violations {
						fmt.Fprintf(out, "       %s\n", v)
					}
				}
			}
			fmt.Fprintf(out, "%d passed, %d failed\n", passed, failed+bad)
			switch {
			case ctx.Err() != nil:
				return interrupted("%d of %d scenario files run", passed+failed+bad, len(files))
			case bad > 0:
				return &exitError{2, fmt.Errorf("%d scenario file(s) could not be read", bad)}
			case failed > 0:
				return &exitError{1, fmt.Errorf("")}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print every violation, not only unexpected ones")
	return cmd
}

func newReplayCmd() *cobra.Command {
	var asJSON bool
	var timelinePath string
	cmd := &cobra.Command{
		Use:   "replay FILE",
		Short: "Run one scenario and print its full trace and trace hash",
		Long: `Runs one scenario and prints every event of its trace (virtual time, actor,
what happened), the violations, and the trace hash. The same file always gives
the same trace and hash, on any machine.

With --timeline OUT.html it also draws the trace as a sequence diagram: one
self-contained HTML file (inline SVG, no JavaScript, no network) with a lane
per actor, messages and signals as arrows between lanes, timers as
self-arrows, and the violations marked in red. The file is written atomically;
the same scenario always gives the same bytes. What is printed and the exit
code are the same with or without it, except that a timeline that cannot be
written is an error (exit 2).`,
		Example: "  faultsim replay scenarios/corpus/incident-1-crio-1.33.0-crash.yaml\n" +
			"  faultsim replay --timeline crash.html scenarios/corpus/incident-1-crio-1.33.0-crash.yaml",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := scenarios.ParseFile(args[0])
			if err != nil {
				return &exitError{2, err}
			}
			var tl *timelineFile
			if timelinePath != "" {
				// Fail before printing anything when the file cannot be written.
				if tl, err = createTimeline(timelinePath); err != nil {
					return &exitError{2, err}
				}
				defer tl.discard()
			}
			ctx, stop := interruptible(cmd)
			defer stop()
			o, err := scenarios.Run(s, true)
			if err != nil {
				return &exitError{2, err}
			}
			if ctx.Err() != nil {
				return interrupted("%s: nothing printed", args[0])
			}
			out := cmd.OutOrStdout()
			if asJSON {
				fmt.Fprint(out, o.Result.Trace.JSON())
			} else {
				fmt.Fprint(out, o.Result.Trace.Text())
			}
			fmt.Fprintf(out, "outcome: %s (expect %s)\ntrace hash: %s\n", o.Got, s.Expect, o.Result.Trace.Hash())
			if tl != nil {
				title := fmt.Sprintf("%s: %s/%s, %s (expect %s)", s.Name, s.Model, s.Variant, o.Got, s.Expect)
				if err := tl.write(title, o.Result.Trace.Events()); err != nil {
					return &exitError{2, err}
				}
			}
			if !o.OK {
				return &exitError{1, fmt.Errorf("")}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the trace as JSON lines")
	cmd.Flags().StringVar(&timelinePath, "timeline", "", "also draw the trace as a sequence diagram in this HTML `file`")
	return cmd
}
