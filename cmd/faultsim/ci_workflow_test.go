package main

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// workflow is the part of a GitHub Actions workflow the test reads.
type workflow struct {
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		If    string `yaml:"if"`
		Steps []struct {
			Name string `yaml:"name"`
			Run  string `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// shellCommands splits a step's shell script into simple commands, each a
// list of words: line continuations joined, quotes removed, split at ; & |
// and newlines, stopped at redirections, with the shell's keywords (if,
// then, else, fi, ...) dropped and ${{ }} expressions taken as one word.
func shellCommands(script string) [][]string {
	script = strings.ReplaceAll(script, "\\\n", " ")
	script = regexp.MustCompile(`\$\{\{[^}]*\}\}`).ReplaceAllString(script, "EXPR")
	var cmds [][]string
	var cmd []string
	var word strings.Builder
	inWord, redirect := false, false
	var quote, prev rune
	endWord := func() {
		if inWord && !redirect {
			cmd = append(cmd, word.String())
		}
		word.Reset()
		inWord = false
	}
	endCmd := func() {
		endWord()
		for len(cmd) > 0 && strings.Contains(" if then else elif fi do done while until ! [ ", " "+cmd[0]+" ") {
			cmd = cmd[1:]
		}
		if len(cmd) > 0 {
			cmds = append(cmds, cmd)
		}
		cmd, redirect = nil, false
	}
	for _, r := range script {
		last := prev
		prev = r
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				word.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '&' && last == '>': // 2>&1
		case r == ';' || r == '&' || r == '|' || r == '\n':
			endCmd()
		case r == '>' || r == '<':
			if strings.Trim(word.String(), "0123456789") == "" {
				word.Reset() // a file descriptor: 2>
				inWord = false
			}
			endWord()
			redirect = true // the rest of the command is redirections
		case r == ' ' || r == '\t':
			endWord()
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	endCmd()
	return cmds
}

// checkCommand parses a faultsim command line as faultsim would and
// returns why it would be refused: an unknown subcommand, an unknown flag,
// a flag without its value, or the wrong number of arguments.
func checkCommand(args []string) error {
	root := newRoot()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if cmd == root {
		return errors.New("no subcommand")
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return err
	}
	return cmd.ValidateArgs(cmd.Flags().Args())
}

func TestShellCommands(t *testing.T) {
	got := shellCommands("if [ -f x/s.json ]; then\n  faultsim fuzz --resume x \\\n  --seed ${{ github.run_number }} --out 'a b'\nfi\nfaultsim run --json d > o.jsonl 2>&1 && echo ok | tee l\nls x 2>/dev/null\n")
	want := [][]string{{"-f", "x/s.json", "]"}, {"faultsim", "fuzz", "--resume", "x", "--seed", "EXPR", "--out", "a b"},
		{"faultsim", "run", "--json", "d"}, {"echo", "ok"}, {"tee", "l"}, {"ls", "x"}}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if strings.Join(got[i], "\x00") != strings.Join(want[i], "\x00") {
			t.Errorf("command %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

// TestCIWorkflowCommandsExist reads the example CI workflow and checks that
// every faultsim command it runs exists with the flags and arguments it
// uses, that it installs faultsim from this module, and that it replays a
// corpus on push and runs a campaign on a schedule.
func TestCIWorkflowCommandsExist(t *testing.T) {
	const path = "../../deploy/ci/github-actions.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, trigger := range []string{"push", "schedule"} {
		if _, ok := wf.On[trigger]; !ok {
			t.Errorf("%s: not triggered on %s (on: %v)", path, trigger, wf.On)
		}
	}
	install := "go install " + modulePath(t) + "/cmd/faultsim@latest"
	used := map[string]string{} // subcommand -> the job's if
	for name, job := range wf.Jobs {
		for _, step := range job.Steps {
			if strings.Contains(step.Run, "go install") && !strings.Contains(step.Run, install) {
				t.Errorf("%s: job %s, step %q installs with %q, want %q", path, name, step.Name, step.Run, install)
			}
			for _, c := range shellCommands(step.Run) {
				if c[0] != "faultsim" {
					continue
				}
				if err := checkCommand(c[1:]); err != nil {
					t.Errorf("%s: job %s, step %q: %q: %v", path, name, step.Name, strings.Join(c, " "), err)
				}
				if len(c) > 1 {
					used[c[1]] += job.If + "\n"
				}
			}
		}
	}
	if !strings.Contains(used["run"], "'push'") || !strings.Contains(used["fuzz"], "'schedule'") {
		t.Errorf("%s: want faultsim run in a job for pushes and faultsim fuzz in a scheduled one; run in jobs if %q, fuzz in %q",
			path, used["run"], used["fuzz"])
	}
}

// modulePath is the module line of go.mod.
func modulePath(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^module (\S+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod has no module line")
	}
	return string(m[1])
}

func TestCheckCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"run", "--json", "--junit", "r.xml", "corpus"}, true},
		{[]string{"fuzz", "--resume", "findings", "--duration", "30m"}, true},
		{[]string{"version"}, true},
		{[]string{"frobnicate"}, false},
		{[]string{}, false},
		{[]string{"run", "--jsonl", "corpus"}, false},
		{[]string{"run", "corpus", "--junit"}, false},
		{[]string{"run"}, false},
		{[]string{"version", "extra"}, false},
		{[]string{"fuzz", "--duration", "soon"}, false},
	} {
		if err := checkCommand(tc.args); (err == nil) != tc.ok {
			t.Errorf("faultsim %q: error %v, want ok %v", tc.args, err, tc.ok)
		}
	}
}
