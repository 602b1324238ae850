package cgroupfs

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestParseListBounded: a list holds CPU numbers 0 to MaxCPU; larger ones
// (up to the largest int64, which once overflowed the range loop and never
// returned) are refused, and the widest lists parse in linear time.
func TestParseListBounded(t *testing.T) {
	wide := strings.TrimSuffix(strings.Repeat("0-8191,", 20000), ",")
	for _, tc := range []struct {
		list string
		n    int    // members, when it parses
		want string // part of the error, when it does not
	}{
		{list: "9223372036854775807", want: "above 8191"},
		{list: "0-9223372036854775807", want: "above 8191"},
		{list: "99999999999999999999999", want: "above 8191"},
		{list: "8192", want: "above 8191"},
		{list: "+3", want: "expected a CPU list"},
		{list: "1--2", want: "expected a CPU list"},
		{list: "3-1", want: "reversed"},
		{list: "8191", n: 1},
		{list: "0-8191", n: 8192},
		{list: "5,0-8191,3", n: 8192},
		{list: wide, n: 8192},
	} {
		done := make(chan struct{})
		var set []int
		var err error
		go func() {
			defer close(done)
			set, err = ParseList(tc.list)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatalf("ParseList(%.40q) did not return within 2s", tc.list)
		}
		switch {
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("ParseList(%.40q) = %d members, %v; want an error containing %q", tc.list, len(set), err, tc.want)
		case tc.want == "" && (err != nil || len(set) != tc.n || !slices.IsSorted(set) || len(slices.Compact(slices.Clone(set))) != tc.n):
			t.Errorf("ParseList(%.40q) = %d members, %v; want %d distinct sorted", tc.list, len(set), err, tc.n)
		}
	}
}
