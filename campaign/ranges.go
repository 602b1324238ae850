package campaign

import (
	"encoding/json"
	"fmt"
)

// Range is the half-open interval of scenario indexes [Lo, Hi).
type Range struct{ Lo, Hi int64 }

// Ranges is a set of scenario indexes as sorted, disjoint, non-adjacent
// ranges; it is written to JSON as [[lo, hi], ...].
type Ranges []Range

// Count is how many indexes the set holds.
func (rs Ranges) Count() int64 {
	var n int64
	for _, r := range rs {
		n += r.Hi - r.Lo
	}
	return n
}

// countBelow is how many indexes below limit the set holds.
func (rs Ranges) countBelow(limit int64) int64 {
	var n int64
	for _, r := range rs {
		n += max(0, min(r.Hi, limit)-r.Lo)
	}
	return n
}

// Add inserts [lo, hi) and returns how many of its indexes were already in
// the set (a campaign must never run an index twice).
func (rs *Ranges) Add(lo, hi int64) (overlap int64) {
	if lo >= hi {
		return 0
	}
	out := make(Ranges, 0, len(*rs)+1)
	placed := false
	for _, r := range *rs {
		switch {
		case r.Hi < lo:
			out = append(out, r)
		case hi < r.Lo:
			if !placed {
				out = append(out, Range{lo, hi})
				placed = true
			}
			out = append(out, r)
		default: // overlapping or adjacent: merge
			overlap += max(0, min(r.Hi, hi)-max(r.Lo, lo))
			lo, hi = min(lo, r.Lo), max(hi, r.Hi)
		}
	}
	if !placed {
		out = append(out, Range{lo, hi})
	}
	*rs = out
	return overlap
}

// AddAll inserts every range of other and returns the overlap.
func (rs *Ranges) AddAll(other Ranges) (overlap int64) {
	for _, r := range other {
		overlap += rs.Add(r.Lo, r.Hi)
	}
	return overlap
}

// Gaps returns the parts of [lo, hi) not in the set, in order.
func (rs Ranges) Gaps(lo, hi int64) Ranges {
	var out Ranges
	for _, r := range rs {
		if r.Hi <= lo {
			continue
		}
		if r.Lo >= hi {
			break
		}
		if r.Lo > lo {
			out = append(out, Range{lo, r.Lo})
		}
		lo = max(lo, r.Hi)
	}
	if lo < hi {
		out = append(out, Range{lo, hi})
	}
	return out
}

// Contains reports whether i is in the set.
func (rs Ranges) Contains(i int64) bool {
	for _, r := range rs {
		if r.Lo <= i && i < r.Hi {
			return true
		}
	}
	return false
}

// check validates a set read from a file: ranges non-empty, non-negative,
// below MaxIndex, in order and disjoint.
func (rs Ranges) check() error {
	for i, r := range rs {
		if r.Lo < 0 || r.Lo >= r.Hi || r.Hi > MaxIndex {
			return fmt.Errorf("done range [%d, %d): expected 0 <= lo < hi <= %d", r.Lo, r.Hi, MaxIndex)
		}
		if i > 0 && rs[i-1].Hi >= r.Lo {
			return fmt.Errorf("done ranges [%d, %d) and [%d, %d) overlap or are out of order", rs[i-1].Lo, rs[i-1].Hi, r.Lo, r.Hi)
		}
	}
	return nil
}

// inShard checks that every index of a checked set is in a chunk the shard
// owns (chunk c belongs to shard c mod n).
func (rs Ranges) inShard(sh Shard, chunk int64) error {
	if sh.Count <= 1 {
		return nil
	}
	for _, r := range rs {
		c := r.Lo / chunk
		if (r.Hi-1)/chunk != c || c%int64(sh.Count) != int64(sh.Index) {
			return fmt.Errorf("done range [%d, %d) is not within one chunk of %d that shard %s owns", r.Lo, r.Hi, chunk, sh)
		}
	}
	return nil
}

// MarshalJSON writes [lo, hi] pairs.
func (r Range) MarshalJSON() ([]byte, error) { return json.Marshal([2]int64{r.Lo, r.Hi}) }

// UnmarshalJSON reads a [lo, hi] pair.
func (r *Range) UnmarshalJSON(b []byte) error {
	var p [2]int64
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("done range %s: expected [lo, hi]", b)
	}
	r.Lo, r.Hi = p[0], p[1]
	return nil
}
