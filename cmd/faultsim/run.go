package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/internal/userfile"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
)

// collect expands files and directories into scenario file paths, sorted.
func collect(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			// What the system said: "no such file or directory", or for a
			// symbolic link loop "too many levels of symbolic links".
			return nil, badInput("%v", userfile.Describe(p, err))
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
	var verbose, asJSON bool
	var junitPath string
	cmd := &cobra.Command{
		Use:   "run PATH...",
		Short: "Replay scenario files or directories and check each outcome against its expect",
		Long: `Replays every scenario file named, and every *.yaml under each directory named,
and checks that each produces what its expect says (pass, or the named violation).

Exit 0 when every outcome matches, 1 when any does not, 2 on a bad file (every
bad file is reported with its line and field). The last line reads
"N passed, N failed".

With --json, standard output holds only JSON Lines: an "outcome" record per
file, an "error" record per bad file and a "summary" record last (see
cmd/faultsim/jsonl.go); the text, its last line included, goes to standard
error. With --junit FILE, a JUnit XML report is written too: a testcase per
file, a failure for an outcome that does not match, an error for a bad file.`,
		Example: "  faultsim run scenarios/corpus\n  faultsim run findings/ scenarios/corpus/incident-1-crio-1.33.0-crash.yaml\n" +
			"  faultsim run --json --junit corpus.xml scenarios/corpus > corpus.jsonl",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := collect(args)
			if err != nil {
				return jsonError(cmd, asJSON, "", err)
			}
			ctx, stop := interruptible(cmd)
			defer stop()
			rep, err := newRunReport(cmd.OutOrStdout(), cmd.ErrOrStderr(), asJSON, verbose, junitPath)
			if err != nil {
				return jsonError(cmd, asJSON, "", &exitError{2, err})
			}
			defer rep.discard()
			for _, f := range files {
				if ctx.Err() != nil {
					break
				}
				start := time.Now()
				s, err := scenarios.ParseFile(f)
				if err == nil {
					var o scenarios.Outcome
					if o, err = scenarios.Run(s, verbose); err == nil {
						rep.outcome(f, s, o, time.Since(start))
						continue
					}
					err = fmt.Errorf("%s: %w", f, err)
				}
				rep.badFile(f, time.Since(start), err)
			}
			if ctx.Err() != nil {
				run := rep.passed + rep.failed + rep.bad
				_ = rep.finish() // the summary line of what ran
				return interrupted("%d of %d scenario files run", run, len(files))
			}
			return rep.finish()
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print every violation, not only unexpected ones")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON Lines records on standard output, the text on standard error")
	cmd.Flags().StringVar(&junitPath, "junit", "", "also write a JUnit XML report to this `file`")
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
written is an error (exit 2).

With --json, standard output holds only JSON Lines: an "event" record per
trace event and an "outcome" record with the trace hash (an "error" record
for a bad file; see cmd/faultsim/jsonl.go); the outcome and hash lines go to
standard error.`,
		Example: "  faultsim replay scenarios/corpus/incident-1-crio-1.33.0-crash.yaml\n" +
			"  faultsim replay --timeline crash.html scenarios/corpus/incident-1-crio-1.33.0-crash.yaml",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			s, err := scenarios.ParseFile(file)
			if err != nil {
				return jsonError(cmd, asJSON, file, &exitError{2, err})
			}
			var tl *timelineFile
			if timelinePath != "" {
				// Fail before printing anything when the file cannot be written.
				if tl, err = createTimeline(timelinePath); err != nil {
					return jsonError(cmd, asJSON, "", &exitError{2, err})
				}
				defer tl.discard()
			}
			ctx, stop := interruptible(cmd)
			defer stop()
			o, err := scenarios.Run(s, true)
			if err != nil {
				return jsonError(cmd, asJSON, file, &exitError{2, fmt.Errorf("%s: %w", file, err)})
			}
			if ctx.Err() != nil {
				return interrupted("%s: nothing printed", args[0])
			}
			summary := fmt.Sprintf("outcome: %s (expect %s)\ntrace hash: %s\n", o.Got, s.Expect, o.Result.Trace.Hash())
			if asJSON {
				j := newJSONLines(cmd.OutOrStdout())
				j.events(file, o.Result.Trace.Events())
				j.outcome(file, s, o, true)
				fmt.Fprint(cmd.ErrOrStderr(), summary)
				if j.err != nil {
					return &exitError{2, j.err}
				}
			} else {
				fmt.Fprint(cmd.OutOrStdout(), o.Result.Trace.Text()+summary)
			}
			if tl != nil {
				title := fmt.Sprintf("%s: %s/%s, %s (expect %s)", s.Name, s.Model, s.Variant, o.Got, s.Expect)
				var lanes []string
				if m, ok := models.Lookup(s.Model); ok {
					lanes = m.Actors
				}
				if err := tl.write(title, o.Result.Trace.Events(), lanes); err != nil {
					return &exitError{2, err}
				}
			}
			if !o.OK {
				return &exitError{1, fmt.Errorf("")}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the trace and outcome as JSON Lines records on standard output, the outcome line and hash on standard error")
	cmd.Flags().StringVar(&timelinePath, "timeline", "", "also draw the trace as a sequence diagram in this HTML `file`")
	return cmd
}
