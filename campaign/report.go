package campaign

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/faultsim/faultsim/internal/atomicfile"
	"github.com/faultsim/faultsim/models"
)

// Report files a campaign writes into its output directory.
const (
	SummaryJSON = "summary.json"
	SummaryMD   = "summary.md"
	ReportHTML  = "report.html"
)

// Summary is a campaign's figures per model and variant, derived from its
// state.
type Summary struct {
	Seed      uint64  `json:"seed"`
	Shard     string  `json:"shard"`
	Sessions  int     `json:"sessions"`
	Workers   int     `json:"workers"`
	ElapsedS  float64 `json:"elapsed_s"`
	Scenarios int64   `json:"scenarios"`
	Rate      float64 `json:"scenarios_per_s"`
	// MaxScenarios is the budget per stream (0: none); Unfinished says the
	// campaign stopped before it (ScenariosLeft of it were not run).
	MaxScenarios  int64           `json:"max_scenarios,omitempty"`
	Unfinished    bool            `json:"unfinished"`
	ScenariosLeft int64           `json:"scenarios_left,omitempty"`
	Streams       []StreamSummary `json:"streams"`
	Findings      []*FindingState `json:"findings"`
}

// StreamSummary is one model and variant's figures.
type StreamSummary struct {
	Model     string `json:"model"`
	Variant   string `json:"variant"`
	Buggy     bool   `json:"buggy"`
	Scenarios int64  `json:"scenarios"`
	// WorkerRate is scenarios per second of one worker's time.
	WorkerRate float64 `json:"scenarios_per_worker_s"`
	Findings   int     `json:"findings"`
	Hits       int64   `json:"hits"`
	// FirstAtScenario is the lowest scenario index with a finding, plus one
	// (0: none); FirstAfterS the wall time to the first finding.
	FirstAtScenario int64   `json:"first_finding_at_scenario,omitempty"`
	FirstAfterS     float64 `json:"first_finding_after_s,omitempty"`
}

// Summarize derives a campaign's figures from its state.
func Summarize(st *State) Summary {
	s := Summary{Seed: st.Seed, Shard: st.Shard, Sessions: st.Sessions, Workers: st.Workers,
		ElapsedS: st.Elapsed().Seconds(), Findings: st.Findings, MaxScenarios: st.MaxScenarios, ScenariosLeft: st.Left()}
	s.Unfinished = s.ScenariosLeft > 0
	for _, ss := range st.Streams {
		sum := StreamSummary{Model: ss.Model, Variant: ss.Variant, Scenarios: ss.Scenarios()}
		if m, ok := models.Lookup(ss.Model); ok {
			if v, err := m.Variant(ss.Variant); err == nil {
				sum.Buggy = v.Buggy
			}
		}
		if ss.BusyNS > 0 {
			sum.WorkerRate = float64(sum.Scenarios) / time.Duration(ss.BusyNS).Seconds()
		}
		first := time.Duration(-1)
		for _, f := range st.Findings {
			if f.Model != ss.Model || f.Variant != ss.Variant {
				continue
			}
			sum.Findings++
			sum.Hits += f.Hits
			if sum.FirstAtScenario == 0 || f.Index+1 < sum.FirstAtScenario {
				sum.FirstAtScenario = f.Index + 1
			}
			if d := time.Duration(f.FoundAfterNS); first < 0 || d < first {
				first = d
			}
		}
		if first >= 0 {
			sum.FirstAfterS = first.Seconds()
		}
		s.Scenarios += sum.Scenarios
		s.Streams = append(s.Streams, sum)
	}
	if s.ElapsedS > 0 {
		s.Rate = float64(s.Scenarios) / s.ElapsedS
	}
	return s
}

// WriteReports writes summary.json, summary.md and report.html for a
// campaign's state into dir, each atomically.
func WriteReports(dir string, st *State) error {
	sum := Summarize(st)
	data, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, SummaryJSON), append(data, '\n')); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, SummaryMD), []byte(sum.Markdown())); err != nil {
		return err
	}
	page, err := sum.HTML()
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, ReportHTML), page)
}

// kind names a variant's expectation.
func (s StreamSummary) kind() string {
	if s.Buggy {
		return "buggy"
	}
	return "fixed"
}

// first describes the first finding.
func (s StreamSummary) first() string {
	if s.FirstAtScenario == 0 {
		return "-"
	}
	return fmt.Sprintf("scenario %d, after %s", s.FirstAtScenario, seconds(s.FirstAfterS))
}

// seconds renders a duration in seconds readably.
func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}

// Headline is the summary's first line: seed, shard, workers and totals,
// and whether the campaign is unfinished.
func (s Summary) Headline() string {
	h := fmt.Sprintf("seed %d, shard %s, %d worker(s), %d session(s), %s, %d scenarios (%.0f/s), %d distinct finding(s)",
		s.Seed, s.Shard, s.Workers, s.Sessions, seconds(s.ElapsedS), s.Scenarios, s.Rate, len(s.Findings))
	if s.Unfinished {
		h += fmt.Sprintf("; UNFINISHED: %d scenario(s) of the budget of %d per model and variant not run yet (faultsim fuzz --resume continues)", s.ScenariosLeft, s.MaxScenarios)
	}
	return h
}

// Markdown renders the summary as a Markdown document.
func (s Summary) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# faultsim campaign\n\n%s.\n\n", s.Headline())
	b.WriteString("| model | variant | kind | scenarios | scenarios/s per worker | distinct findings | hits | first finding |\n")
	b.WriteString("| --- | --- | --- | ---: | ---: | ---: | ---: | --- |\n")
	for _, st := range s.Streams {
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %.0f | %d | %d | %s |\n",
			st.Model, st.Variant, st.kind(), st.Scenarios, st.WorkerRate, st.Findings, st.Hits, st.first())
	}
	if len(s.Findings) == 0 {
		b.WriteString("\nNo findings.\n")
		return b.String()
	}
	b.WriteString("\n## Findings\n\n")
	b.WriteString("Scenarios are counted from 1 within each model and variant, as in each finding's description.\n\n")
	b.WriteString("| signature | hits | first scenario | found after | size | shrunk by | faults needed | file |\n")
	b.WriteString("| --- | ---: | ---: | --- | --- | --- | --- | --- |\n")
	for _, f := range s.Findings {
		file := f.File
		if f.Partial {
			file += " (shrink cut short)"
		}
		fmt.Fprintf(&b, "| `%s` | %d | %d | %s | %d -> %d | %s | %s | %s |\n", f.Signature, f.Hits, f.Index+1,
			seconds(time.Duration(f.FoundAfterNS).Seconds()), f.SizeBefore, f.SizeAfter, f.Shrinker, FaultsNeeded(f.Faults), file)
	}
	return b.String()
}

// FaultsNeeded renders the fault kinds a shrunk finding holds ("none").
func FaultsNeeded(kinds []string) string {
	if len(kinds) == 0 {
		return "none"
	}
	return strings.Join(kinds, ", ")
}
