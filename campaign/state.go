package campaign

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultsim/faultsim/internal/atomicfile"
	"github.com/faultsim/faultsim/internal/userfile"
	"github.com/faultsim/faultsim/shrink"
)

// StateFile is the name of a campaign's state file in its output directory.
const StateFile = "campaign-state.json"

// MaxStateSize is the largest campaign state file LoadState reads.
const MaxStateSize = 64 << 20

// stateVersion is the state file format; a campaign refuses another.
const stateVersion = 1

// State is everything a campaign must remember to continue (--resume), to
// be merged with other shards (faultsim merge), and to be reported: which
// scenario indexes of each stream ran, and what they found.
type State struct {
	Version int    `json:"version"`
	Seed    uint64 `json:"seed"`
	// Shard is "i/n" ("0/1": the whole seed space).
	Shard string `json:"shard"`
	// Chunk is how many consecutive indexes make one chunk; chunk c belongs
	// to shard c mod n.
	Chunk int `json:"chunk"`
	// MaxScenarios is the per-stream budget (0: none).
	MaxScenarios int64 `json:"max_scenarios,omitempty"`
	// DurationNS is the wall-clock budget of a session (0: none), Shrink
	// and ShrinkBudget how findings are shrunk (empty, 0: the defaults):
	// the flags of the last session, which --resume restores.
	DurationNS   int64       `json:"duration_ns,omitempty"`
	Shrink       shrink.Mode `json:"shrink,omitempty"`
	ShrinkBudget int         `json:"shrink_budget,omitempty"`
	// ElapsedNS is the wall time of all sessions (for a merge, the longest
	// shard's).
	ElapsedNS int64           `json:"elapsed_ns"`
	Sessions  int             `json:"sessions"`
	Workers   int             `json:"workers"`
	Streams   []*StreamState  `json:"streams"`
	Findings  []*FindingState `json:"findings"`
}

// StreamState is what ran of one model and variant.
type StreamState struct {
	Model   string `json:"model"`
	Variant string `json:"variant"`
	// Done are the scenario indexes run, as sorted half-open ranges.
	Done Ranges `json:"done"`
	// BusyNS is the worker time spent on the stream's scenarios.
	BusyNS int64 `json:"busy_ns"`
}

// FindingState is one distinct failure: its signature, the lowest scenario
// index that hit it (which decides the file), and how often it was hit.
type FindingState struct {
	Signature string `json:"signature"`
	Model     string `json:"model"`
	Variant   string `json:"variant"`
	Invariant string `json:"invariant"`
	Index     int64  `json:"index"`
	CaseSeed  uint64 `json:"case_seed"`
	Hits      int64  `json:"hits"`
	File      string `json:"file,omitempty"`
	// FoundAfterNS is the campaign's wall time when it was first hit.
	FoundAfterNS int64  `json:"found_after_ns"`
	SizeBefore   int    `json:"size_before"`
	SizeAfter    int    `json:"size_after"`
	ShrinkRuns   int    `json:"shrink_runs"`
	Shrinker     string `json:"shrinker"`
	// Faults are the fault kinds the shrunk case holds: what the failure
	// needs (empty: none).
	Faults []string `json:"faults,omitempty"`
	// Partial marks a shrink cut short by an interrupt; a resumed campaign
	// shrinks it again.
	Partial bool `json:"partial,omitempty"`
}

// Stream returns the stream of a finding.
func (f *FindingState) Stream() Stream { return Stream{f.Model, f.Variant} }

// stream returns the state of a stream, adding it when missing.
func (s *State) stream(st Stream) *StreamState {
	for _, ss := range s.Streams {
		if ss.Model == st.Model && ss.Variant == st.Variant {
			return ss
		}
	}
	ss := &StreamState{Model: st.Model, Variant: st.Variant}
	s.Streams = append(s.Streams, ss)
	return ss
}

// finding returns the finding with a signature, or nil.
func (s *State) finding(sig string) *FindingState {
	for _, f := range s.Findings {
		if f.Signature == sig {
			return f
		}
	}
	return nil
}

// sortFindings orders findings by stream (as listed) then index, then
// signature: an order that does not depend on which worker was faster.
func (s *State) sortFindings() {
	pos := map[Stream]int{}
	for i, ss := range s.Streams {
		pos[Stream{ss.Model, ss.Variant}] = i
	}
	slices.SortStableFunc(s.Findings, func(a, b *FindingState) int {
		if d := pos[a.Stream()] - pos[b.Stream()]; d != 0 {
			return d
		}
		if a.Index != b.Index {
			return cmpInt64(a.Index, b.Index)
		}
		return strings.Compare(a.Signature, b.Signature)
	})
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Scenarios is how many scenarios of a stream ran.
func (ss *StreamState) Scenarios() int64 { return ss.Done.Count() }

// Elapsed is the state's wall time.
func (s *State) Elapsed() time.Duration { return time.Duration(s.ElapsedNS) }

// LoadState reads a campaign's state from its output directory. The file is
// untrusted input: it is decoded strictly (no unknown field, nothing after
// the JSON) and checked (State.check); an error names the file.
func LoadState(dir string) (*State, error) {
	path := filepath.Join(dir, StateFile)
	data, err := userfile.Read(path, MaxStateSize)
	if err != nil {
		return nil, fmt.Errorf("read campaign state: %w (expected the --out directory of an earlier campaign)", err)
	}
	var s State
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %v: expected the JSON state a campaign writes (is the file cut short or edited?)", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: data after the state at byte %d: expected one JSON object", path, dec.InputOffset())
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &s, nil
}

// Save writes the state into dir atomically.
func (s *State) Save(dir string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, StateFile), append(data, '\n'))
}

// Clone returns a deep copy.
func (s *State) Clone() *State {
	c := *s
	c.Streams = make([]*StreamState, len(s.Streams))
	for i, ss := range s.Streams {
		d := *ss
		d.Done = slices.Clone(ss.Done)
		c.Streams[i] = &d
	}
	c.Findings = make([]*FindingState, len(s.Findings))
	for i, f := range s.Findings {
		d := *f
		c.Findings[i] = &d
	}
	return &c
}

// Shard is one of n parts of a campaign's seed space.
type Shard struct{ Index, Count int }

// ParseShard reads "i/n" with 0 <= i < n <= MaxShards ("" is the whole
// space, 0/1).
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{0, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: expected i/n with 0 <= i < n, such as 0/4", s)
	}
	if n > MaxShards {
		return Shard{}, fmt.Errorf("shard %q: %d shards, expected at most %d", s, n, MaxShards)
	}
	return Shard{i, n}, nil
}

// String renders the shard as i/n.
func (sh Shard) String() string {
	if sh.Count == 0 {
		return "0/1"
	}
	return fmt.Sprintf("%d/%d", sh.Index, sh.Count)
}

// Left is how many scenarios of the state's budget (MaxScenarios per
// stream) its shard has still to run, over all streams; 0 without a budget.
func (s *State) Left() int64 {
	if s.MaxScenarios <= 0 {
		return 0
	}
	sh, err := ParseShard(s.Shard)
	if err != nil || s.Chunk <= 0 {
		return 0
	}
	var left int64
	for _, ss := range s.Streams {
		left += ownedBelow(sh, int64(s.Chunk), s.MaxScenarios) - ss.Done.countBelow(s.MaxScenarios)
	}
	return left
}

// Unfinished reports whether the campaign has a budget in scenarios that it
// has not run to the end.
func (s *State) Unfinished() bool { return s.Left() > 0 }

// ownedBelow is how many of the indexes below max the shard owns.
func ownedBelow(sh Shard, chunk, max int64) int64 {
	n, i := int64(max1(sh.Count)), int64(sh.Index)
	full, rem := max/chunk, max%chunk
	owned := full / n * chunk
	if full%n > i {
		owned += chunk
	}
	if rem > 0 && full%n == i {
		owned += rem
	}
	return owned
}
