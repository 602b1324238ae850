package faults

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/sim"
)

func TestJSONKeepsOrderAndRepeatedKeys(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"b":1,"a":[true,null,"x"],"b":2.50}`, `{"b": 1, "a": [true, null, "x"], "b": 2.50}` + "\n"},
		{`{"annotations":{"Foo":"1","foo":"2"},"Annotations":null}`, `{"annotations": {"Foo": "1", "foo": "2"}, "Annotations": null}` + "\n"},
		{`"<&>\u00e9\n"`, `"<&>é\n"` + "\n"},
		{`[]`, "[]\n"},
	}
	for _, tt := range tests {
		doc, err := ParseJSON([]byte(tt.in))
		if err != nil {
			t.Fatalf("ParseJSON(%s): %v", tt.in, err)
		}
		if got := doc.Render(); got != tt.want {
			t.Errorf("Render(%s) = %q, want %q", tt.in, got, tt.want)
		}
		again, err := ParseJSON([]byte(doc.Render()))
		if err != nil || again.Render() != doc.Render() {
			t.Errorf("%s does not read back: %v", tt.in, err)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":1}x`, `{"a":}`, `[1,]`, `nul`} {
		if _, err := ParseJSON([]byte(bad)); err == nil || !strings.Contains(err.Error(), "invalid JSON") {
			t.Errorf("ParseJSON(%q) = %v, want an invalid JSON error", bad, err)
		}
	}
}

func TestJSONRenderBreaksLongValues(t *testing.T) {
	long := Obj(Member{"annotations", Obj(Member{"k1", Str(strings.Repeat("a", 60))}, Member{"k2", Str(strings.Repeat("b", 60))})})
	want := "{\n  \"annotations\": {\n    \"k1\": \"" + strings.Repeat("a", 60) + "\",\n    \"k2\": \"" + strings.Repeat("b", 60) + "\"\n  }\n}\n"
	if got := long.Render(); got != want {
		t.Fatalf("Render =\n%s\nwant\n%s", got, want)
	}
}

func TestJSONRemovalsShallowestFirst(t *testing.T) {
	doc, _ := ParseJSON([]byte(`{"a":{"b":[1,2]},"c":3}`))
	var got []string
	for _, r := range doc.Removals() {
		got = append(got, strings.TrimSpace(r.Render()))
	}
	want := []string{`{"c": 3}`, `{"a": {"b": [1, 2]}}`, `{"a": {}, "c": 3}`, `{"a": {"b": [2]}, "c": 3}`, `{"a": {"b": [1]}, "c": 3}`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Removals = %q, want %q", got, want)
	}
	if doc.Nodes() != 5 {
		t.Fatalf("Nodes = %d, want 5", doc.Nodes())
	}
}

func TestMapSitesOfAnOCISpec(t *testing.T) {
	var got []string
	for _, s := range MapSites(&specs.Spec{}) {
		got = append(got, s.Path+"="+strings.Join(s.JSON, "."))
		if !s.Nil {
			t.Errorf("%s of a zero spec is not nil", s.Path)
		}
	}
	want := "Annotations=annotations Linux.Sysctl=linux.sysctl Linux.Resources.Rdma=linux.resources.rdma " +
		"Linux.Resources.Unified=linux.resources.unified Linux.NetDevices=linux.netDevices Linux.TimeOffsets=linux.timeOffsets"
	if strings.Join(got, " ") != want {
		t.Fatalf("MapSites(Spec) = %v\nwant %s", got, want)
	}
	full := &specs.Spec{Annotations: map[string]string{}}
	if s := MapSites(full)[0]; s.Nil || !s.Strings() {
		t.Fatalf("annotations site = %+v, want a non-nil string map", s)
	}
}

// decodeAnnotations decodes a document into an OCI spec as a runtime does.
func decodeAnnotations(t *testing.T, doc *JSON) map[string]string {
	t.Helper()
	var s specs.Spec
	if err := json.Unmarshal([]byte(doc.Render()), &s); err != nil {
		t.Fatalf("decode %s: %v", doc.Render(), err)
	}
	return s.Annotations
}

// TestMapFaultsDecodeAsDocumented applies every map fault to the
// annotations of a spec document and checks what encoding/json makes of it.
func TestMapFaultsDecodeAsDocumented(t *testing.T) {
	site := MapSites(&specs.Spec{})[0]
	base := func() *JSON {
		return Obj(Member{"ociVersion", Str("1.1.0")}, Member{"annotations", Obj(Member{"io.kubernetes.cri.container-type", Str("container")})})
	}
	tests := []struct {
		fault string
		pick  int // what the Chooser returns
		check func(m map[string]string) bool
		want  string
	}{
		{MapAbsent, 0, func(m map[string]string) bool { return m == nil }, "nil"},
		{MapNull, 0, func(m map[string]string) bool { return m == nil }, "nil"},
		{MapEmpty, 0, func(m map[string]string) bool { return m != nil && len(m) == 0 }, "empty, not nil"},
		{MapKeyCase, 0, func(m map[string]string) bool {
			return len(m) == 2 && m["io.kubernetes.cri.container-type"] == "container" && m["Io.kubernetes.cri.container-type"] != ""
		}, "both keys"},
		{MapKeyRepeated, 0, func(m map[string]string) bool { return m["io.kubernetes.cri.container-type"] == "container-again" }, "the later value"},
		{MapFieldCase, 0, func(m map[string]string) bool { return m == nil }, "nil (a later null)"},
		{MapFieldCase, 1, func(m map[string]string) bool { return len(m) == 2 && m[SampleKey] == SampleValue }, "merged"},
		{MapValueOversize, 0, func(m map[string]string) bool { return len(m["io.kubernetes.cri.container-type"]) == OversizeValue }, "a 16 KiB value"},
	}
	for _, tt := range tests {
		f, err := New(tt.fault, nil)
		if err != nil {
			t.Fatal(err)
		}
		doc := base()
		if !f.(MapFault).ShapeJSON(fixed(tt.pick), doc, site) {
			t.Errorf("%s changed nothing", tt.fault)
		}
		if m := decodeAnnotations(t, doc); !tt.check(m) {
			t.Errorf("%s (choice %d): annotations decode to %v, want %s\n%s", tt.fault, tt.pick, m, tt.want, doc.Render())
		}
	}
}

func TestMapFaultsOnGoValues(t *testing.T) {
	s := &specs.Spec{}
	sites := MapSites(s)
	unified := sites[3]
	if err := mustMapFault(t, MapEmpty).ShapeValue(fixed(0), s, unified); err != nil || s.Linux.Resources.Unified == nil {
		t.Fatalf("map-empty on %s: %v, %v", unified.Path, err, s.Linux)
	}
	if err := mustMapFault(t, MapKeyCase).ShapeValue(fixed(0), s, unified); err != nil || len(s.Linux.Resources.Unified) != 2 {
		t.Fatalf("map-key-case-duplicate: %v, %v", err, s.Linux.Resources.Unified)
	}
	before := maps.Clone(s.Linux.Resources.Unified)
	if err := mustMapFault(t, MapNull).ShapeValue(fixed(0), s, unified); err != nil || s.Linux.Resources.Unified != nil {
		t.Fatalf("map-null: %v, %v (was %v)", err, s.Linux.Resources.Unified, before)
	}
	if err := mustMapFault(t, MapFieldCase).ShapeValue(fixed(0), s, unified); err == nil {
		t.Fatal("map-field-case-duplicate has no Go form, but ShapeValue did not say so")
	}
}

func mustMapFault(t *testing.T, name string) MapFault {
	t.Helper()
	f, err := New(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f.(MapFault)
}

// fixed is a Chooser that always picks the same option.
type fixed int

func (f fixed) Intn(n int) int { return min(int(f), n-1) }

var _ sim.Chooser = fixed(0)
