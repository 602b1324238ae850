package main

import (
	"os"
	"strings"
	"testing"
)

// TestReferenceFileIsCurrent: REFERENCE.md is what "faultsim list
// reference" prints from the schemas the parser reads keys from.
func TestReferenceFileIsCurrent(t *testing.T) {
	want, err := os.ReadFile("../../REFERENCE.md")
	if err != nil {
		t.Fatal(err)
	}
	code, out := run(t, "list", "reference")
	if code != 0 {
		t.Fatalf("list reference: exit %d\n%s", code, out)
	}
	if out != string(want) {
		t.Fatalf("REFERENCE.md differs from faultsim list reference: run make reference and commit it")
	}
}

// TestListOpsAndFields: list ops and list fields print a model's
// operations with their keys, and the keys of every model then the model's.
func TestListOpsAndFields(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want []string
		not  []string
	}{
		{[]string{"list", "ops", "--model", "signals"}, 0, []string{"OPERATIONS (signals)", "stop-container", "[at, op, container, timeout]", "node-shutdown"}, []string{"OPERATIONS (hostport)"}},
		{[]string{"list", "ops"}, 0, []string{"OPERATIONS (hostport)", "run-pod-sandbox", "OPERATIONS (annotations)", "create"}, nil},
		{[]string{"list", "fields", "--model", "hostport"}, 0, []string{"FIELDS (every model)", "node.distro", "FIELDS (hostport)", "steps[].ports[].host_port"}, []string{"FIELDS (signals)"}},
		{[]string{"list", "reference", "--model", "hostport"}, 2, []string{"expected no --model"}, nil},
		{[]string{"list", "keys"}, 2, []string{`list "keys": expected models, variants, faults, invariants, ops, fields or reference`}, nil},
	}
	for _, tt := range tests {
		code, out := run(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d\n%s", tt.args, code, tt.code, out)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q\n%s", tt.args, w, out)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(out, w) {
				t.Errorf("%v: output has %q\n%s", tt.args, w, out)
			}
		}
	}
}
