package annotations

import (
	"bytes"
	"encoding/binary"
	"maps"
	"slices"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A long text is nearly always a short one with one long string in it (a
// map fault's oversize value), drawn again with other ids and devices: too
// long for the memos to keep, and costly to decode. So the harness decodes
// it with each long string value replaced by a short placeholder, through
// the memos, and puts the strings back where the placeholders landed in the
// view. This is exact when every elided string is plain (printable ASCII
// without quote or backslash, so it decodes to itself), sits where the walk
// found a value, the text holds no backslash at all (so every string the
// decode makes is a piece of the text) and the placeholders occur nowhere
// in it; and when the text with placeholders decodes. Then that text is
// valid JSON, the walk read its prefixes as the decoder does, so each
// placeholder stood where a string value stands in the original too; a
// string value lands in the spec without its content mattering (runtime-
// spec has no byte slices, text unmarshalers or ",string" options); and
// a placeholder is the only source of its value. Anything else is decoded
// as it is. TestElidedDecodeIsDecodeSpec compares the two.

// elideMin is the length from which a string value is elided; texts up to
// memoMaxText are not walked.
const elideMin = 256

// elideDepth bounds the walk's nesting: deeper texts are not elided.
const elideDepth = 32

// elided is a text with its long strings replaced.
type elided struct {
	text []byte
	// base starts every placeholder: base, the string's index, base.
	base    string
	strings [][]byte
}

// elide returns text with every long plain string value replaced by a
// placeholder, or false when it has none or cannot be elided.
func elide(text []byte) (elided, bool) {
	if bytes.IndexByte(text, '\\') >= 0 {
		return elided{}, false
	}
	base := "~elided~"
	for bytes.Contains(text, []byte(base)) {
		base += "~"
	}
	w := elideWalk{in: text, e: elided{base: base}}
	end, ok := w.value(0, 0)
	if !ok || len(w.e.strings) == 0 || skipSpace(text, end) != len(text) {
		return elided{}, false
	}
	w.e.text = append(w.e.text, text[w.copied:]...)
	return w.e, true
}

// elidedDecode is the harness's view of DecodeSpec(raw) made from the
// remembered decode of raw with its long strings elided, and true; or false
// when raw has none, or cannot be elided, or does not decode so (decode it
// as it is).
func elidedDecode(raw []byte) (*specs.Spec, bool) {
	e, ok := elide(raw)
	if !ok || len(e.text) > memoMaxText {
		return nil, false
	}
	view, err := decodeSharedBytes(e.text)
	if err != nil {
		return nil, false
	}
	return e.restore(view), true
}

// placeholder is the i'th placeholder.
func (e *elided) placeholder(i int) string { return e.base + strconv.Itoa(i) + e.base }

// restore puts the elided strings back into a view of the elided text: a
// new view where a placeholder landed, the same otherwise.
func (e *elided) restore(view *specs.Spec) *specs.Spec {
	placeholders := make([]string, len(e.strings)) // made once, not per value
	for i := range placeholders {
		placeholders[i] = e.placeholder(i)
	}
	original := func(s string) (string, bool) {
		if i := slices.Index(placeholders, s); i >= 0 {
			return string(e.strings[i]), true
		}
		return "", false
	}
	var ann map[string]string
	for k, v := range view.Annotations {
		if s, ok := original(v); ok {
			if ann == nil {
				ann = maps.Clone(view.Annotations)
			}
			ann[k] = s
		}
	}
	var linux *specs.Linux
	if view.Linux != nil {
		for i, d := range view.Linux.Devices {
			if s, ok := original(d.Path); ok {
				if linux == nil {
					linux = &specs.Linux{Devices: slices.Clone(view.Linux.Devices)}
				}
				linux.Devices[i].Path = s
			}
		}
	}
	if ann == nil && linux == nil {
		return view
	}
	out := *view
	if ann != nil {
		out.Annotations = ann
	}
	if linux != nil {
		out.Linux = linux
	}
	return &out
}

// elideWalk walks a JSON text as the decoder reads it, copying it to e.text
// with long plain string values replaced.
type elideWalk struct {
	in     []byte
	copied int // in[:copied] is in e.text already
	e      elided
}

// value walks the value at in[i:] and returns the offset after it.
func (w *elideWalk) value(i, depth int) (int, bool) {
	i = skipSpace(w.in, i)
	if i >= len(w.in) || depth > elideDepth {
		return 0, false
	}
	switch w.in[i] {
	case '"':
		// The text has no backslash: the string ends at the next quote.
		n := bytes.IndexByte(w.in[i+1:], '"')
		if n < 0 {
			return 0, false
		}
		end := i + 1 + n + 1
		if s := w.in[i+1 : end-1]; len(s) >= elideMin && plain(s) {
			w.e.text = append(w.e.text, w.in[w.copied:i+1]...)
			w.e.text = append(w.e.text, w.e.placeholder(len(w.e.strings))...)
			w.e.strings = append(w.e.strings, s)
			w.copied = end - 1
		}
		return end, true
	case '{':
		return w.container(i+1, depth, '}')
	case '[':
		return w.container(i+1, depth, ']')
	}
	end := skipValue(w.in, i)
	return end, end > i
}

// container walks the members of an object (close '}') or the items of an
// array (close ']') after its opening bracket at in[i-1], and returns the
// offset after its closing one.
func (w *elideWalk) container(i, depth int, close byte) (int, bool) {
	if i = skipSpace(w.in, i); i < len(w.in) && w.in[i] == close {
		return i + 1, true
	}
	for {
		var ok bool
		if close == '}' {
			if i, ok = w.key(i); !ok {
				return 0, false
			}
		}
		if i, ok = w.value(i, depth+1); !ok {
			return 0, false
		}
		if i = skipSpace(w.in, i); i >= len(w.in) {
			return 0, false
		}
		switch w.in[i] {
		case ',':
			i++
		case close:
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// key walks a member's key and colon at in[i:] and returns the offset
// after the colon.
func (w *elideWalk) key(i int) (int, bool) {
	i = skipSpace(w.in, i)
	if i >= len(w.in) || w.in[i] != '"' {
		return 0, false
	}
	if i = skipString(w.in, i); i < 0 {
		return 0, false
	}
	if i = skipSpace(w.in, i); i >= len(w.in) || w.in[i] != ':' {
		return 0, false
	}
	return i + 1, true
}

// plain reports whether s is printable ASCII without quote or backslash:
// a JSON string's content that decodes to itself. It reads eight bytes at
// a time: a long string is what elision exists for.
func plain(s []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// zero reports whether a byte of v is 0, below reports whether one is
	// below n (n at most 0x80): exact, not estimates.
	zero := func(v uint64) bool { return (v-ones)&^v&highs != 0 }
	below := func(v uint64, n uint64) bool { return (v-ones*n)&^v&highs != 0 }
	for len(s) >= 8 {
		v := binary.LittleEndian.Uint64(s)
		if v&highs != 0 || below(v, 0x20) || zero(v^(ones*'"')) || zero(v^(ones*'\\')) || zero(v^(ones*0x7f)) {
			return false
		}
		s = s[8:]
	}
	for _, c := range s {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
