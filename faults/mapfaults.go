package faults

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/faultsim/faultsim/sim"
)

// MapFault is a data fault on a map of a component's input. It reshapes the
// map either in the JSON document the component will decode (ShapeJSON) or
// in a Go value it is handed (ShapeValue): absent, null, empty, with a key
// repeated in another case, with an oversize value. The model says which
// site; the fault decides nothing about the model.
type MapFault interface {
	Fault
	// ShapeJSON reshapes the member at site.JSON in doc (an object) and
	// reports whether it changed anything: entry faults leave a map of
	// non-string values with no entry to copy alone.
	ShapeJSON(c sim.Chooser, doc *JSON, site MapSite) bool
	// ShapeValue reshapes the map at site.Path in the struct ptr points to.
	// It returns an error when the fault has no Go form or the site cannot
	// be reached (a path through a slice).
	ShapeValue(c sim.Chooser, ptr any, site MapSite) error
}

// The map faults' names.
const (
	MapAbsent        = "map-absent"
	MapNull          = "map-null"
	MapEmpty         = "map-empty"
	MapKeyCase       = "map-key-case-duplicate"
	MapKeyRepeated   = "map-key-repeated"
	MapFieldCase     = "map-field-case-duplicate"
	MapValueOversize = "map-value-oversize"
)

// OversizeValue is the length of the value map-value-oversize writes: far
// beyond a typical annotation, within Kubernetes' 256 KiB total.
const OversizeValue = 16 << 10

// oversizeText is the value map-value-oversize writes, made once: strings
// are immutable, so every fault shares it.
var oversizeText = strings.Repeat("x", OversizeValue)

// SampleKey and SampleValue are the entry faults add to a string map that
// has none to duplicate.
const (
	SampleKey   = "example.com/team"
	SampleValue = "ml-platform"
)

type mapFault struct {
	name  string
	json  func(c sim.Chooser, parent *JSON, key string, site MapSite) bool
	value func(c sim.Chooser, m reflect.Value, site MapSite) (reflect.Value, error)
}

func (f mapFault) Name() string { return f.name }
func (f mapFault) Args() Args   { return nil }

func (f mapFault) ShapeJSON(c sim.Chooser, doc *JSON, site MapSite) bool {
	if site.InSlice || len(site.JSON) == 0 || doc.Kind != JSONObject {
		return false
	}
	parent := doc
	for _, k := range site.JSON[:len(site.JSON)-1] {
		next := parent.Get(k)
		if next == nil || next.Kind != JSONObject {
			if f.name == MapAbsent {
				return false // nothing on the way: the map is absent already
			}
			next = Obj()
			parent.Set(k, next)
		}
		parent = next
	}
	return f.json(c, parent, site.JSON[len(site.JSON)-1], site)
}

func (f mapFault) ShapeValue(c sim.Chooser, ptr any, site MapSite) error {
	if f.value == nil {
		return fmt.Errorf("fault %s has no form on Go values: it is about how JSON decodes", f.name)
	}
	if site.InSlice {
		return fmt.Errorf("map %s is inside a slice: expected a path of struct fields and pointers", site.Path)
	}
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("ShapeValue needs a non-nil pointer, got %T", ptr)
	}
	v = v.Elem()
	for _, name := range strings.Split(site.Path, ".") {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return fmt.Errorf("map %s: %s is not a struct field", site.Path, name)
		}
		v = v.FieldByName(name)
		if !v.IsValid() || !v.CanSet() {
			return fmt.Errorf("map %s: no settable field %s", site.Path, name)
		}
	}
	if v.Kind() != reflect.Map {
		return fmt.Errorf("map %s: the field is a %s, not a map", site.Path, v.Type())
	}
	nv, err := f.value(c, v, site)
	if err != nil {
		return err
	}
	v.Set(nv)
	return nil
}

// MapFaults returns the registered map faults in name order.
func MapFaults() []MapFault {
	var out []MapFault
	for _, s := range All() {
		if s.Kind != Data {
			continue
		}
		if f, _ := s.Build(nil); f != nil {
			if mf, ok := f.(MapFault); ok {
				out = append(out, mf)
			}
		}
	}
	return out
}

// MapFaultNames lists the map faults' names, sorted.
func MapFaultNames() []string {
	var out []string
	for _, f := range MapFaults() {
		out = append(out, f.Name())
	}
	return out
}

func registerMap(f mapFault, summary string) {
	Register(Spec{Name: f.name, Kind: Data, Summary: summary, Build: func(Args) (Fault, error) { return f, nil }})
}

// foldKey returns the first member key equal to key under Unicode case
// folding (how encoding/json matches field names), or "".
func foldKey(obj *JSON, key string) string {
	for _, m := range obj.Members {
		if strings.EqualFold(m.Key, key) {
			return m.Key
		}
	}
	return ""
}

// otherCase returns key with its first cased letter's case flipped, and
// false when key has no cased letter.
func otherCase(key string) (string, bool) {
	for i, r := range key {
		if up := strings.ToUpper(string(r)); up != string(r) {
			return key[:i] + up + key[i+len(string(r)):], true
		}
		if low := strings.ToLower(string(r)); low != string(r) {
			return key[:i] + low + key[i+len(string(r)):], true
		}
	}
	return key, false
}

// stringMap returns the object at parent[key] for an entry fault, making
// one with a sample entry when there is none to work on; nil when the
// map's values are not strings and it has no entry to copy.
func stringMap(parent *JSON, key string, site MapSite) *JSON {
	obj := parent.Get(key)
	if obj != nil && obj.Kind == JSONObject && len(obj.Members) > 0 {
		return obj
	}
	if !site.Strings() {
		return nil
	}
	obj = Obj(Member{SampleKey, Str(SampleValue)})
	parent.Set(key, obj)
	return obj
}

func init() {
	registerMap(mapFault{name: MapAbsent,
		json: func(_ sim.Chooser, parent *JSON, key string, _ MapSite) bool {
			changed := false
			for k := foldKey(parent, key); k != ""; k = foldKey(parent, key) {
				parent.Delete(k)
				changed = true
			}
			return changed
		},
		value: func(_ sim.Chooser, m reflect.Value, _ MapSite) (reflect.Value, error) {
			return reflect.Zero(m.Type()), nil
		},
	}, "the map's member is absent from the document (ctr run sends no annotations): it decodes to a nil map")
	registerMap(mapFault{name: MapNull,
		json: func(_ sim.Chooser, parent *JSON, key string, _ MapSite) bool {
			if k := foldKey(parent, key); k != "" {
				key = k
			}
			parent.Set(key, Null())
			return true
		},
		value: func(_ sim.Chooser, m reflect.Value, _ MapSite) (reflect.Value, error) {
			return reflect.Zero(m.Type()), nil
		},
	}, "the map's member is null: it decodes to a nil map")
	registerMap(mapFault{name: MapEmpty,
		json: func(_ sim.Chooser, parent *JSON, key string, _ MapSite) bool {
			if k := foldKey(parent, key); k != "" {
				key = k
			}
			parent.Set(key, Obj())
			return true
		},
		value: func(_ sim.Chooser, m reflect.Value, _ MapSite) (reflect.Value, error) {
			return reflect.MakeMap(m.Type()), nil
		},
	}, "the map is {}: it decodes to an empty, non-nil map (and encodes back to nothing under omitempty)")
	registerMap(mapFault{name: MapKeyCase,
		json: func(c sim.Chooser, parent *JSON, key string, site MapSite) bool {
			obj := stringMap(parent, key, site)
			if obj == nil {
				return false
			}
			m := obj.Members[c.Intn(len(obj.Members))]
			k, ok := otherCase(m.Key)
			if ok {
				v := m.Value.Clone()
				if v.Kind == JSONString {
					v.Text += "-" + k
				}
				obj.Members = append(obj.Members, Member{k, v})
			}
			return ok
		},
		value: func(c sim.Chooser, m reflect.Value, site MapSite) (reflect.Value, error) {
			if m.Type().Key().Kind() != reflect.String {
				return m, fmt.Errorf("map %s has no string keys", site.Path)
			}
			out := reflect.MakeMap(m.Type())
			keys := m.MapKeys()
			for _, k := range keys {
				out.SetMapIndex(k, m.MapIndex(k))
			}
			if len(keys) == 0 {
				if !site.Strings() {
					return m, nil
				}
				out.SetMapIndex(reflect.ValueOf(SampleKey).Convert(m.Type().Key()), reflect.ValueOf(SampleValue).Convert(m.Type().Elem()))
				keys = out.MapKeys()
			}
			sortValues(keys)
			k := keys[c.Intn(len(keys))]
			if other, ok := otherCase(k.String()); ok {
				out.SetMapIndex(reflect.ValueOf(other).Convert(m.Type().Key()), out.MapIndex(k))
			}
			return out, nil
		},
	}, "an entry of the map repeated under a key differing in case (map keys are case-sensitive: both must be kept)")
	registerMap(mapFault{name: MapKeyRepeated,
		json: func(c sim.Chooser, parent *JSON, key string, site MapSite) bool {
			obj := stringMap(parent, key, site)
			if obj == nil {
				return false
			}
			m := obj.Members[c.Intn(len(obj.Members))]
			v := m.Value.Clone()
			if v.Kind == JSONString {
				v.Text += "-again"
			}
			obj.Members = append(obj.Members, Member{m.Key, v})
			return true
		},
	}, "a key of the map given twice in the document: encoding/json keeps the later value")
	registerMap(mapFault{name: MapFieldCase,
		json: func(c sim.Chooser, parent *JSON, key string, site MapSite) bool {
			other, ok := otherCase(key)
			if !ok {
				return false
			}
			v := Null()
			if c.Intn(2) == 1 && site.Strings() {
				v = Obj(Member{SampleKey, Str(SampleValue)})
			}
			parent.Members = append(parent.Members, Member{other, v})
			return true
		},
	}, "the map's member given again under a name differing in case: encoding/json matches names regardless of case, so a later null resets the map to nil and a later object merges into it")
	registerMap(mapFault{name: MapValueOversize,
		json: func(c sim.Chooser, parent *JSON, key string, site MapSite) bool {
			if !site.Strings() {
				return false
			}
			obj := stringMap(parent, key, site)
			m := &obj.Members[c.Intn(len(obj.Members))]
			m.Value = Str(oversizeText)
			return true
		},
		value: func(c sim.Chooser, m reflect.Value, site MapSite) (reflect.Value, error) {
			if !site.Strings() {
				return m, nil
			}
			out := reflect.MakeMap(m.Type())
			keys := m.MapKeys()
			for _, k := range keys {
				out.SetMapIndex(k, m.MapIndex(k))
			}
			k := reflect.ValueOf(SampleKey).Convert(m.Type().Key())
			if len(keys) > 0 {
				sortValues(keys)
				k = keys[c.Intn(len(keys))]
			}
			out.SetMapIndex(k, reflect.ValueOf(oversizeText).Convert(m.Type().Elem()))
			return out, nil
		},
	}, fmt.Sprintf("one value of the map is %d KiB long", OversizeValue>>10))
}

// sortValues sorts string-kinded map keys, so draws over them are stable.
func sortValues(keys []reflect.Value) {
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
}
