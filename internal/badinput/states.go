package badinput

import (
	"bytes"
	"encoding/json"
	"os"
)

// State is a campaign state made foreign or hostile: an edit of the
// campaign-state.json of a hostport/zero-port-unfiltered campaign with two
// findings or more, in its generic JSON form. Every reader of states
// (campaign.LoadState, so fuzz --resume and merge) must refuse it with
// the state file named, never crash, loop, or read or write outside the
// campaign's directory.
type State struct {
	// Name says what is wrong with it.
	Name string
	// Edit changes the decoded state.
	Edit func(st map[string]any)
	// Want is part of the error it must give.
	Want string
}

func finding0(st map[string]any) map[string]any { return st["findings"].([]any)[0].(map[string]any) }
func stream0(st map[string]any) map[string]any  { return st["streams"].([]any)[0].(map[string]any) }

// fileOf names another file for the first finding.
func fileOf(name string) func(map[string]any) {
	return func(st map[string]any) { finding0(st)["file"] = name }
}

// States returns every foreign state.
func States() []State {
	return []State{
		// A finding's file is a name in the campaign's directory, never a
		// path (merge once wrote ../../etc/hostname outside --out).
		{"file climbing out", fileOf("../../../../etc/hostname"), `file: "../../../../etc/hostname": expected a plain file name, without a path separator`},
		{"yaml file climbing out", fileOf("../../../../tmp/x.yaml"), `file: "../../../../tmp/x.yaml": expected a plain file name`},
		{"absolute file", fileOf("/tmp/x.yaml"), `file: "/tmp/x.yaml": expected a plain file name`},
		{"file dot dot", fileOf(".."), `file: "..": expected a file name, not a path`},
		{"file in a subdirectory", fileOf("sub/x.yaml"), `file: "sub/x.yaml": expected a plain file name`},
		{"file with a backslash", fileOf(`a\b.yaml`), `expected a plain file name`},
		{"file with a NUL", fileOf("a\x00b.yaml"), `control character at byte 1`},
		{"file with a newline", fileOf("x\n.yaml"), `control character at byte 1`},
		{"file not yaml", fileOf("x.txt"), `file "x.txt": expected a .yaml scenario file`},
		// Streams, models and ranges (a finding of an unknown stream once
		// crashed --resume with a Go stack trace).
		{"unknown variant", func(st map[string]any) { stream0(st)["variant"] = "nosuch" }, `unknown hostport variant "nosuch"`},
		{"unknown model", func(st map[string]any) { stream0(st)["model"] = "nosuch" }, `unknown model "nosuch"`},
		{"finding of an unknown stream", func(st map[string]any) {
			f := finding0(st)
			f["variant"], f["file"] = "crio-1.33.0", ""
		}, "stream hostport/crio-1.33.0 is not among the state's streams"},
		{"streams null", func(st map[string]any) { st["streams"] = nil }, "streams: none"},
		{"stream null", func(st map[string]any) { st["streams"] = []any{nil} }, "streams[0]: null"},
		{"stream twice", func(st map[string]any) { st["streams"] = []any{stream0(st), stream0(st)} }, "listed twice"},
		{"negative range", func(st map[string]any) { stream0(st)["done"] = []any{[]any{-5, 3}} }, "done range [-5, 3)"},
		{"reversed range", func(st map[string]any) { stream0(st)["done"] = []any{[]any{9, 3}} }, "done range [9, 3)"},
		{"absurd range", func(st map[string]any) { stream0(st)["done"] = []any{[]any{0, int64(1) << 62}} }, "hi <= 9007199254740992"},
		{"overlapping ranges", func(st map[string]any) { stream0(st)["done"] = []any{[]any{0, 10}, []any{5, 20}} }, "overlap"},
		{"range another shard owns", func(st map[string]any) { st["shard"] = "1/4" }, "that shard 1/4 owns"},
		{"huge shard count", func(st map[string]any) { st["shard"] = "0/9223372036854775807" }, "expected at most 1000000"},
		{"chunk 0", func(st map[string]any) { st["chunk"] = 0 }, "chunk 0"},
		{"huge max", func(st map[string]any) { st["max_scenarios"] = int64(1) << 60 }, "max_scenarios"},
		{"unknown field", func(st map[string]any) { st["colour"] = "red" }, `unknown field "colour"`},
		{"unknown shrink", func(st map[string]any) { st["shrink"] = "fastest" }, `shrink "fastest"`},
		{"unknown invariant", func(st map[string]any) { finding0(st)["invariant"] = "nosuch" }, `invariant "nosuch"`},
		{"signature of another stream", func(st map[string]any) {
			finding0(st)["signature"] = "signals/crun-1.16/crash"
		}, "signature: expected hostport/zero-port-unfiltered/"},
		{"case seed of no index", func(st map[string]any) { finding0(st)["case_seed"] = 7 }, "case_seed 7 is not the seed of scenario"},
		{"negative index", func(st map[string]any) { finding0(st)["index"] = -1 }, "index -1"},
		{"negative hits", func(st map[string]any) { finding0(st)["hits"] = -1 }, "hits -1"},
		{"two findings one file", func(st map[string]any) {
			fs := st["findings"].([]any)
			fs[1].(map[string]any)["file"] = fs[0].(map[string]any)["file"]
		}, "is also the file of"},
		{"finding null", func(st map[string]any) { st["findings"] = []any{nil} }, "findings[0]: null"},
	}
}

// EditStateFile rewrites the state file at path through its generic JSON
// form (numbers kept exact: seeds do not fit a float64).
func EditStateFile(path string, edit func(st map[string]any)) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var st map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&st); err != nil {
		return err
	}
	edit(st)
	if data, err = json.Marshal(st); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
