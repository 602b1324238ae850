package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestBenchPrintsTable(t *testing.T) {
	code, out := run(t, "bench", "--model", "hostport", "--duration", "20ms", "--seeds", "1")
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, out)
	}
	for _, want := range []string{"| model | variant | scenarios/s |", "| hostport | reference |", "| hostport | crio-1.33.0 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Every incident variant is found (hostport's within a few hundred
	// scenarios), and every row has a scaling ratio (2 goroutines over 1).
	for _, line := range strings.Split(out, "\n") {
		if cells := strings.Split(line, " | "); strings.HasPrefix(line, "| hostport |") {
			var ratio float64
			if len(cells) < 6 || !strings.HasSuffix(cells[5], "x") {
				t.Errorf("row without a 2-workers column: %s", line)
			} else if _, err := fmt.Sscanf(cells[5], "%fx", &ratio); err != nil || ratio <= 0 {
				t.Errorf("2-workers ratio %q: expected a positive ratio such as 1.85x", cells[5])
			}
		}
		if strings.HasPrefix(line, "| hostport | crio-1.33.0 |") && strings.Contains(line, "none in") {
			t.Errorf("crio-1.33.0 not found: %s", line)
		}
	}
}

func TestBenchRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"bench", "--model", "nope"}, {"bench", "--seeds", "0"}} {
		if code, out := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2:\n%s", args, code, out)
		}
	}
}
