package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
