package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a dotted numeric version such as a kernel's "5.10.0" or nft's
// "1.0.1". Anything after the numeric part ("-200.fc42") is kept in Suffix and
// ignored when comparing. The zero value is version 0.
type Version struct {
	Parts  []int
	Suffix string
}

// ParseVersion parses "MAJOR[.MINOR[.PATCH...]][suffix]". It fails on an
// empty string or one that does not start with a number.
func ParseVersion(s string) (Version, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	end := 0
	for end < len(s) && (s[end] == '.' || (s[end] >= '0' && s[end] <= '9')) {
		end++
	}
	num := strings.TrimRight(s[:end], ".")
	if num == "" {
		return Version{}, fmt.Errorf("version %q: expected digits such as 1.0.1", s)
	}
	v := Version{Parts: make([]int, 0, strings.Count(num, ".")+1)}
	for p := range strings.SplitSeq(num, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1<<20 {
			return Version{}, fmt.Errorf("version %q: expected dotted numbers such as 1.0.1", s)
		}
		v.Parts = append(v.Parts, n)
	}
	v.Suffix = s[end:]
	return v, nil
}

// MustVersion parses s and panics if it is not a version; for literals.
func MustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Compare returns -1, 0 or 1 as v is older than, equal to or newer than o.
func (v Version) Compare(o Version) int {
	for i := 0; i < len(v.Parts) || i < len(o.Parts); i++ {
		a, b := 0, 0
		if i < len(v.Parts) {
			a = v.Parts[i]
		}
		if i < len(o.Parts) {
			b = o.Parts[i]
		}
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	return 0
}

// AtLeast reports whether v >= o.
func (v Version) AtLeast(o Version) bool { return v.Compare(o) >= 0 }

// String renders the version as it was parsed.
func (v Version) String() string {
	parts := make([]string, len(v.Parts))
	for i, p := range v.Parts {
		parts[i] = strconv.Itoa(p)
	}
	return strings.Join(parts, ".") + v.Suffix
}
