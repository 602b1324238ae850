package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// JSONKind is the kind of a JSON value.
type JSONKind int

// The kinds of JSON value.
const (
	JSONNull JSONKind = iota
	JSONBool
	JSONNumber
	JSONString
	JSONArray
	JSONObject
)

// JSON is a JSON document as a runtime receives it, kept as written: an
// object's members in their order and with repeated keys, numbers as their
// text. encoding/json into a map loses both, yet both decide what a decoded
// struct ends up holding (a later member wins; field names match without
// regard to case), so data faults edit documents in this form.
type JSON struct {
	Kind JSONKind
	// Text is a string's value, a number's text, or "true"/"false".
	Text string
	// Members are an object's members, in document order.
	Members []Member
	// Items are an array's elements.
	Items []*JSON
}

// Member is one key and value of a JSON object.
type Member struct {
	Key   string
	Value *JSON
}

// Str, Num, Bool, Null, Obj and Arr build JSON values.
func Str(s string) *JSON { return &JSON{Kind: JSONString, Text: s} }

// Num is a number given as its JSON text, e.g. "241".
func Num(text string) *JSON { return &JSON{Kind: JSONNumber, Text: text} }

// Bool is true or false.
func Bool(b bool) *JSON {
	if b {
		return &JSON{Kind: JSONBool, Text: "true"}
	}
	return &JSON{Kind: JSONBool, Text: "false"}
}

// Null is null.
func Null() *JSON { return &JSON{Kind: JSONNull} }

// Obj is an object with the members in order.
func Obj(members ...Member) *JSON { return &JSON{Kind: JSONObject, Members: members} }

// Arr is an array of the items.
func Arr(items ...*JSON) *JSON { return &JSON{Kind: JSONArray, Items: items} }

// ParseJSON reads one JSON value, keeping member order and repeated keys.
// It accepts what encoding/json.Unmarshal accepts (invalid UTF-8 in strings
// becomes U+FFFD, as there) and rejects trailing data.
func ParseJSON(data []byte) (*JSON, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("invalid JSON: data after the top-level value at offset %d", dec.InputOffset())
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (*JSON, error) {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("invalid JSON: unexpected end of input")
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := &JSON{Kind: JSONObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("invalid JSON: %w", err)
				}
				val, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				v.Members = append(v.Members, Member{Key: kt.(string), Value: val})
			}
			return v, closing(dec)
		case '[':
			v := &JSON{Kind: JSONArray}
			for dec.More() {
				item, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				v.Items = append(v.Items, item)
			}
			return v, closing(dec)
		}
		return nil, fmt.Errorf("invalid JSON: unexpected %q", t)
	case string:
		return Str(t), nil
	case json.Number:
		return Num(t.String()), nil
	case bool:
		return Bool(t), nil
	default:
		return Null(), nil
	}
}

// closing reads the '}' or ']' that ends an object or array.
func closing(dec *json.Decoder) error {
	if _, err := dec.Token(); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("invalid JSON: unexpected end of input")
		}
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return nil
}

// Clone returns a deep copy.
func (j *JSON) Clone() *JSON {
	out := &JSON{Kind: j.Kind, Text: j.Text}
	if j.Members != nil {
		out.Members = make([]Member, len(j.Members))
		for i, m := range j.Members {
			out.Members[i] = Member{m.Key, m.Value.Clone()}
		}
	}
	if j.Items != nil {
		out.Items = make([]*JSON, len(j.Items))
		for i, it := range j.Items {
			out.Items[i] = it.Clone()
		}
	}
	return out
}

// Get returns the value of the last member named key exactly, or nil.
func (j *JSON) Get(key string) *JSON {
	for i := len(j.Members) - 1; i >= 0; i-- {
		if j.Members[i].Key == key {
			return j.Members[i].Value
		}
	}
	return nil
}

// Set replaces the value of the first member named key, or appends one.
func (j *JSON) Set(key string, v *JSON) {
	for i := range j.Members {
		if j.Members[i].Key == key {
			j.Members[i].Value = v
			return
		}
	}
	j.Members = append(j.Members, Member{key, v})
}

// Delete removes every member named key.
func (j *JSON) Delete(key string) {
	out := j.Members[:0]
	for _, m := range j.Members {
		if m.Key != key {
			out = append(out, m)
		}
	}
	j.Members = out
}

// Nodes counts the members and array items in the document: the measure
// shrinking reduces.
func (j *JSON) Nodes() int {
	n := len(j.Members) + len(j.Items)
	for _, m := range j.Members {
		n += m.Value.Nodes()
	}
	for _, it := range j.Items {
		n += it.Nodes()
	}
	return n
}

// Removals returns copies of the document each with one member or array
// item removed, shallowest first, so a shrinker drops whole subtrees before
// their parts.
func (j *JSON) Removals() []*JSON {
	var out []*JSON
	for depth := 0; ; depth++ {
		n := len(out)
		out = append(out, j.removalsAt(depth)...)
		if len(out) == n && !j.deeperThan(depth) {
			return out
		}
	}
}

func (j *JSON) deeperThan(depth int) bool {
	if depth == 0 {
		return len(j.Members)+len(j.Items) > 0
	}
	for _, m := range j.Members {
		if m.Value.deeperThan(depth - 1) {
			return true
		}
	}
	for _, it := range j.Items {
		if it.deeperThan(depth - 1) {
			return true
		}
	}
	return false
}

// removalsAt returns copies of j with one element at the given depth removed.
func (j *JSON) removalsAt(depth int) []*JSON {
	var out []*JSON
	if depth == 0 {
		for i := range j.Members {
			c := j.Clone()
			c.Members = append(c.Members[:i], c.Members[i+1:]...)
			out = append(out, c)
		}
		for i := range j.Items {
			c := j.Clone()
			c.Items = append(c.Items[:i], c.Items[i+1:]...)
			out = append(out, c)
		}
		return out
	}
	for i, m := range j.Members {
		for _, sub := range m.Value.removalsAt(depth - 1) {
			c := j.Clone()
			c.Members[i].Value = sub
			out = append(out, c)
		}
	}
	for i, it := range j.Items {
		for _, sub := range it.removalsAt(depth - 1) {
			c := j.Clone()
			c.Items[i] = sub
			out = append(out, c)
		}
	}
	return out
}

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
