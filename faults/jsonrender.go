package faults

import (
	"bytes"
	"encoding/json"
	"strings"
)

// renderSize is the buffer Render starts with: a typical OCI config.json
// in one allocation.
const renderSize = 1024

// lineWidth is the width up to which Render keeps an object or array on one line.
const lineWidth = 96

// Render writes the document as readable JSON ending in a newline: an object
// or array that fits on one line stays on one line, others get one member a
// line, indented by two spaces. HTML characters are not escaped. ParseJSON
// reads back the same document.
func (j *JSON) Render() string {
	var b strings.Builder
	b.Grow(renderSize)
	j.render(&b, 0, 0)
	b.WriteByte('\n')
	return b.String()
}

func (j *JSON) render(b *strings.Builder, depth, col int) {
	if col+j.flatLenUpTo(lineWidth-col) <= lineWidth || (len(j.Members) == 0 && len(j.Items) == 0) {
		j.writeFlat(b)
		return
	}
	pad := strings.Repeat("  ", depth+1)
	if j.Kind == JSONObject {
		b.WriteString("{\n")
		for i, m := range j.Members {
			b.WriteString(pad)
			writeQuoted(b, m.Key)
			b.WriteString(": ")
			m.Value.render(b, depth+1, len(pad)+quotedLen(m.Key)+2)
			if i < len(j.Members)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(pad[2:] + "}")
		return
	}
	b.WriteString("[\n")
	for i, it := range j.Items {
		b.WriteString(pad)
		it.render(b, depth+1, len(pad))
		if i < len(j.Items)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(pad[2:] + "]")
}

// flatLenUpTo is the length of the value written on one line when that is
// at most limit, and some length above limit otherwise: render only asks
// whether a value fits, so a long one is not measured to its end.
func (j *JSON) flatLenUpTo(limit int) int {
	switch j.Kind {
	case JSONNull:
		return 4
	case JSONBool, JSONNumber:
		return len(j.Text)
	case JSONString:
		return quotedLenUpTo(j.Text, limit)
	case JSONArray:
		n := 2 + 2*max(len(j.Items)-1, 0)
		for _, it := range j.Items {
			if n > limit {
				return n
			}
			n += it.flatLenUpTo(limit - n)
		}
		return n
	}
	n := 2 + 2*max(len(j.Members)-1, 0)
	for _, m := range j.Members {
		if n > limit {
			return n
		}
		n += quotedLenUpTo(m.Key, limit-n) + 2
		if n > limit {
			return n
		}
		n += m.Value.flatLenUpTo(limit - n)
	}
	return n
}

// writeFlat writes the value on one line.
func (j *JSON) writeFlat(b *strings.Builder) {
	switch j.Kind {
	case JSONNull:
		b.WriteString("null")
	case JSONBool, JSONNumber:
		b.WriteString(j.Text)
	case JSONString:
		writeQuoted(b, j.Text)
	case JSONArray:
		b.WriteByte('[')
		for i, it := range j.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			it.writeFlat(b)
		}
		b.WriteByte(']')
	default:
		b.WriteByte('{')
		for i, m := range j.Members {
			if i > 0 {
				b.WriteString(", ")
			}
			writeQuoted(b, m.Key)
			b.WriteString(": ")
			m.Value.writeFlat(b)
		}
		b.WriteByte('}')
	}
}

func quotedLen(s string) int {
	if plainString(s) {
		return len(s) + 2
	}
	return len(quoteJSON(s))
}

// quotedLenUpTo is quotedLen(s) when that is at most limit, and some length
// above limit otherwise (quoting never makes a string shorter).
func quotedLenUpTo(s string, limit int) int {
	if len(s)+2 > limit {
		return len(s) + 2
	}
	return quotedLen(s)
}

func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// writeQuoted writes s quoted, as quoteJSON.
func writeQuoted(b *strings.Builder, s string) {
	if !plainString(s) {
		b.WriteString(quoteJSON(s))
		return
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// quoteJSON quotes a string as encoding/json does, without HTML escaping.
func quoteJSON(s string) string {
	if plainString(s) {
		return `"` + s + `"`
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
