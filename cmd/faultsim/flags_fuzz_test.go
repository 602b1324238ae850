package main

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/campaign"
)

// flagSeeds are command lines FuzzFlags starts from: good ones and bad ones
// for every flag parser (durations, seeds, shards, counts, names).
var flagSeeds = []struct {
	sub  uint8
	line string
}{
	{0, "--model hostport --variant crio-1.33.0 --duration 20s --seed 1 --out findings"},
	{0, "--model all --variant buggy --workers 2 --max-scenarios 100"},
	{0, "--model all --variant all --shard 2/4 --duration 1h"},
	{0, "--shard 4/4 --variant all"},
	{0, "--shard -1/3 --variant all"},
	{0, "--shard 1/ --variant all"},
	{0, "--duration -5s --variant all"},
	{0, "--duration 1e400h --variant all"},
	{0, "--seed -1 --variant all"},
	{0, "--seed 18446744073709551616 --variant all"},
	{0, "--workers 0 --variant all"},
	{0, "--shard 0/9223372036854775807 --max-scenarios 10 --variant all"},
	{0, "--workers 200000 --force-workers --model cgroups --variant all"},
	{0, "--workers 256 --model cgroups --variant all"},
	{0, "--max-scenarios -3 --variant all"},
	{0, "--shrink fastest --variant all"},
	{0, "--model nosuch --variant all"},
	{0, "--variant crio-9.9"},
	{0, "--resume /nonexistent/campaign --duration 1s"},
	{0, "--resume x --seed 3"},
	{0, "--progress-every=abc --variant all"},
	{1, "--duration 1s --workers 2"},
	{1, "--duration 0s"},
	{1, "--workers=-4"},
	{2, "scenarios/corpus"},
	{2, ""},
	{2, "--json --junit report.xml scenarios/corpus"},
	{2, "scenarios/corpus --junit"},
	{3, "--json a.yaml"},
	{3, "a b"},
	{3, "--timeline"},
	{4, "--out"},
	{5, "--out x"},
	{6, "--bogus"},
	{7, "faults --json"},
}

// subcommands FuzzFlags picks from with its first byte.
var subcommands = []string{"fuzz", "campaign", "run", "replay", "merge", "import", "probe", "list", "help", "completion"}

// FuzzFlags parses fuzzed command lines with the real root command, its
// flags, argument checks and flag validation (PreRunE), but with every
// command's RunE replaced by a no-op: no campaign, no file is run. A command
// line is either accepted or rejected with exit code 2 and a message; never
// a panic.
func FuzzFlags(f *testing.F) {
	for _, s := range flagSeeds {
		f.Add(s.sub, s.line)
	}
	f.Fuzz(func(t *testing.T, sub uint8, line string) {
		args := append([]string{subcommands[int(sub)%len(subcommands)]}, strings.Fields(line)...)
		code, msg := parseOnly(args)
		if code != 0 && code != 2 {
			t.Fatalf("faultsim %q: exit %d, expected 0 or 2 (bad input) from flag parsing", args, code)
		}
		if code == 2 && strings.TrimSpace(msg) == "" {
			t.Fatalf("faultsim %q: exit 2 without a message", args)
		}
	})
}

// parseOnly runs args through the root command with no-op RunEs and returns
// the exit code main would give and the error message.
func parseOnly(args []string) (int, string) {
	root := newRoot()
	for _, c := range root.Commands() {
		if c.RunE != nil {
			c.RunE = func(*cobra.Command, []string) error { return nil }
		}
	}
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0, ""
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code, ee.Error()
	}
	return 2, err.Error()
}

// TestFlagErrors checks the exit code and the message of bad flags.
func TestFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // "" means accepted
	}{
		{[]string{"fuzz", "--variant", "all", "--duration", "1s"}, ""},
		{[]string{"fuzz", "--variant", "all", "--shard", "4/4"}, `shard "4/4": expected i/n with 0 <= i < n`},
		{[]string{"fuzz", "--variant", "all", "--shard", "x"}, `shard "x": expected i/n`},
		{[]string{"fuzz", "--variant", "all", "--duration", "-5s"}, "--duration -5s: expected a positive duration"},
		{[]string{"fuzz", "--variant", "all", "--duration", "soon"}, `invalid argument "soon" for "--duration"`},
		{[]string{"fuzz", "--variant", "all", "--seed", "-1"}, `invalid argument "-1" for "--seed"`},
		{[]string{"fuzz", "--variant", "all", "--workers", "0"}, "--workers 0: expected at least 1"},
		{[]string{"fuzz", "--variant", "all", "--max-scenarios", "-1"}, "--max-scenarios -1: expected 0 (no limit) to 9007199254740992"},
		{[]string{"fuzz", "--variant", "all", "--max-scenarios", "9007199254740993"}, "--max-scenarios 9007199254740993: expected 0 (no limit) to 9007199254740992"},
		{[]string{"fuzz", "--variant", "all", "--max-scenarios", "9007199254740992"}, ""},
		{[]string{"fuzz", "--variant", "all", "--shard", "0/9223372036854775807"}, `shard "0/9223372036854775807": 9223372036854775807 shards, expected at most 1000000`},
		{[]string{"fuzz", "--variant", "all", "--shard", "999999/1000000"}, ""},
		{[]string{"fuzz", "--variant", "all", "--workers", itoa(int64(4*runtime.NumCPU() + 1))}, "--workers " + itoa(int64(4*runtime.NumCPU()+1)) + ": expected at most " + itoa(int64(4*runtime.NumCPU())) + " (4x the"},
		{[]string{"fuzz", "--variant", "all", "--workers", itoa(int64(4 * runtime.NumCPU()))}, ""},
		{[]string{"fuzz", "--variant", "all", "--workers", itoa(int64(4*runtime.NumCPU() + 1)), "--force-workers"}, ""},
		{[]string{"fuzz", "--variant", "all", "--workers", "200000", "--force-workers"}, "--workers 200000: expected at most 65536, even with --force-workers"},
		{[]string{"campaign", "--workers", "200000"}, "--workers 200000: expected at most"},
		{[]string{"fuzz", "--resume", "/nonexistent", "--shrink", "rapid"}, "--shrink with --resume"},
		{[]string{"fuzz", "--variant", "all", "--shrink", "fast"}, `--shrink "fast": expected best, choices, greedy or none`},
		{[]string{"fuzz", "--model", "nosuch", "--variant", "all"}, `--model: unknown model "nosuch"`},
		{[]string{"fuzz"}, "--variant: missing"},
		{[]string{"fuzz", "--resume", "/nonexistent", "--seed", "2"}, "--seed with --resume"},
		{[]string{"fuzz", "--resume", "/nonexistent"}, "--resume: read campaign state"},
		{[]string{"campaign", "--workers", "0"}, "--workers 0: expected at least 1"},
		{[]string{"campaign", "--duration", "0s"}, "--duration 0s: expected a positive duration"},
		{[]string{"fuzz", "--variant", "all", "--duration", "10s", "--shrink-time", "10s"}, "--shrink-time 10s: expected 0 or more, and less than --duration 10s"},
		{[]string{"fuzz", "--variant", "all", "--shrink-time", "-1s"}, "--shrink-time -1s: expected 0 or more"},
		{[]string{"fuzz", "--variant", "all", "--duration", "10s", "--shrink-time", "9s"}, ""},
		{[]string{"run"}, "requires at least 1 arg"},
		{[]string{"replay", "a", "b"}, "accepts 1 arg(s), received 2"},
		{[]string{"list", "--bogus"}, "unknown flag: --bogus"},
	} {
		code, msg := parseOnly(tc.args)
		switch {
		case tc.want == "" && code != 0:
			t.Errorf("faultsim %q: exit %d (%s), expected it accepted", tc.args, code, msg)
		case tc.want != "" && (code != 2 || !strings.Contains(msg, tc.want)):
			t.Errorf("faultsim %q: exit %d, %q; expected exit 2 and a message containing %q", tc.args, code, msg, tc.want)
		}
	}
}

// TestProgressSaysWhenShrinking: a progress line names the shrinks under way.
func TestProgressSaysWhenShrinking(t *testing.T) {
	p := campaign.Progress{Scenarios: 10, Findings: 2, Shrinking: 2, Remaining: time.Second}
	if got := progressLine(p); !strings.Contains(got, "2 distinct failure(s) (0 hits), shrinking 2, ") {
		t.Fatalf("progress line %q: expected it to say 2 findings are shrinking", got)
	}
	p.Shrinking = 0
	if got := progressLine(p); strings.Contains(got, "shrinking") {
		t.Fatalf("progress line %q: says shrinking with no shrink under way", got)
	}
}
