package faults

import (
	"reflect"
	"strings"
)

// MapSite is a map-typed field reachable from a Go type through exported
// struct fields and pointers: a place where a decoded input, or a struct
// left at its zero value, hands a component a nil map. Writing to it
// without a check panics with "assignment to entry in nil map".
type MapSite struct {
	// Path is the Go field path, e.g. "Linux.Resources.Unified".
	Path string
	// JSON is the path of JSON member names encoding/json decodes it from,
	// e.g. ["linux", "resources", "unified"].
	JSON []string
	// Type is the map's type, e.g. map[string]string.
	Type reflect.Type
	// Nil reports whether the map (or a pointer on the way) is nil in the
	// value MapSites was given.
	Nil bool
	// InSlice is set when the path crosses a slice or array ("[]" in Path);
	// the Shape methods do not reach such sites.
	InSlice bool
}

// Strings reports whether the map's keys and values are strings, the form
// annotations, labels, sysctls and unified cgroup files take.
func (s MapSite) Strings() bool {
	return s.Type.Key().Kind() == reflect.String && s.Type.Elem().Kind() == reflect.String
}

// MapSites lists, in field order, every map field reachable from v through
// exported fields, pointers, slices and arrays. v is a value or a pointer
// to one; nil pointers on the way are followed by type, and their maps
// reported Nil. Recursive types are visited once per path.
func MapSites(v any) []MapSite { return mapSites(v, false) }

// ZeroValueMapSites is MapSites over unexported fields too, within the
// package of v's type (other packages' internals are theirs): the maps a
// struct's methods may write when the struct was declared, not built by
// its constructor (var s T; s.m[k] = v). The Shape methods reach only
// exported sites; the others are for a model to inspect and test.
func ZeroValueMapSites(v any) []MapSite { return mapSites(v, true) }

func mapSites(v any, unexported bool) []MapSite {
	var out []MapSite
	rv := reflect.ValueOf(v)
	root := rv.Type()
	for root.Kind() == reflect.Pointer {
		root = root.Elem()
	}
	w := mapWalker{unexported: unexported, pkg: root.PkgPath(), seen: map[reflect.Type]bool{}, out: &out}
	w.walk(rv.Type(), rv, "", nil, false)
	return out
}

type mapWalker struct {
	unexported bool
	pkg        string // unexported fields are followed only in this package
	seen       map[reflect.Type]bool
	out        *[]MapSite
}

func (w mapWalker) walk(t reflect.Type, v reflect.Value, path string, jpath []string, inSlice bool) {
	switch t.Kind() {
	case reflect.Pointer:
		var ev reflect.Value
		if v.IsValid() && !v.IsNil() {
			ev = v.Elem()
		}
		w.walk(t.Elem(), ev, path, jpath, inSlice)
	case reflect.Slice, reflect.Array:
		w.walk(t.Elem(), reflect.Value{}, path+"[]", append(jpath[:len(jpath):len(jpath)], "[]"), true)
	case reflect.Map:
		*w.out = append(*w.out, MapSite{Path: strings.TrimPrefix(path, "."), JSON: jpath, Type: t,
			Nil: !v.IsValid() || v.IsNil(), InSlice: inSlice})
	case reflect.Struct:
		if w.seen[t] {
			return
		}
		w.seen[t] = true
		defer delete(w.seen, t)
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, ok := jsonName(f)
			if !ok || (!f.IsExported() && (!w.unexported || t.PkgPath() != w.pkg)) {
				continue
			}
			var fv reflect.Value
			if v.IsValid() {
				fv = v.Field(i)
			}
			jp := jpath
			if !f.Anonymous || f.Tag.Get("json") != "" {
				jp = append(jpath[:len(jpath):len(jpath)], name)
			}
			w.walk(f.Type, fv, path+"."+f.Name, jp, inSlice)
		}
	}
}

// jsonName is the member name encoding/json reads a field from, and false
// for a field it skips.
func jsonName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name, true
	}
	return f.Name, true
}
