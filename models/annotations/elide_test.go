package annotations

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/sim"
)

// longTexts are n drawn config.json texts and specs shims write out that
// are longer than memoMaxText.
func longTexts(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for seed := uint64(0); len(out) < n; seed += 50 {
		for _, text := range generatedTexts(t, 50, seed) {
			if len(text) > memoMaxText {
				out = append(out, text)
			}
		}
	}
	return out
}

// elideDefeating are texts made to defeat elision: long keys, long strings
// that do not decode to themselves, placeholders in the text, escapes that
// decode to one, long strings where the spec wants a number or a map, two
// long strings, texts that do not decode.
func elideDefeating() []string {
	l, m := strings.Repeat("x", 5000), strings.Repeat("y", 300)
	return []string{
		`{"annotations":{"a":"` + l + `"}}`,
		`{"annotations":{"` + l + `":"b"}}`,
		`{"annotations":{"a":"` + l + `","b":"~elided~0~elided~"}}`,
		`{"annotations":{"a":"` + l + `","b":"~elided~"}}`,
		`{"annotations":{"a":"` + l + `","b":"\u007eelided\u007e0\u007eelided\u007e"}}`,
		`{"annotations":{"a":"` + l + "\x01" + `"}}`,
		`{"annotations":{"a":"` + l + `é"}}`,
		`{"annotations":{"a":"` + l + "\xff" + `"}}`,
		`{"annotations":{"a":"` + l + "\x7f" + `"}}`,
		`{"linux":{"devices":[{"path":"/dev/vfio/` + l + `"}]}}`,
		`{"linux":{"devices":[{"path":"/dev/vfio/12","major":"` + l + `"}]}}`,
		`{"linux":{"sysctl":{"k":"` + l + `"}},"annotations":{"a":"b"}}`,
		`"` + l + `"`,
		`{"annotations":{"a":"` + l + `","b":"` + m + `","c":"` + l + `"}}`,
		`{"ociVersion":"` + l + `"}`,
		`{"annotations":{"a":"` + l + `"}} x`,
		`{"annotations":{"a":"` + l + `"}`,
		`{"annotations":{"a":"` + l,
		`{"annotations":{"a":["` + l + `"]}}`,
		`{"annotations":{"a":"` + l + `","a":"b"}}`,
		`{"annotations":{"a":"b","a":"` + l + `"}}`,
		`{"annotations":{"a":"` + l + `"},"Annotations":{"c":"` + l + `"}}`,
		`{"annotations":{"a":"` + l + `"},"annotations":null}`,
		`{"annotations":{"a":"` + l + `"}, "process": {"args": ["` + l + `"]}}`,
		`[` + strings.Repeat(`{"a":`, 40) + `"` + l + `"` + strings.Repeat(`}`, 40) + `]`,
		`{"annotations":{"a":"` + l + `"},"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`,
		`{"annotations":{"a":"` + l + `"},"x":tru}`,
		`{"annotations":{"a":"` + l + `"},}`,
		`{"annotations":{"a":"` + l + `" "b":"c"}}`,
		`{"annotations":{"a":"` + l + `"}]`,
	}
}

// TestElidedDecodeIsDecodeSpec: wherever elision applies, the view it
// gives is the whole decode's, on long drawn texts, the specs shims write
// out for them, texts made to defeat it and mutations of long drawn texts;
// and decodeSharedBytes gives DecodeSpec's view and error for all of them.
func TestElidedDecodeIsDecodeSpec(t *testing.T) {
	n, mutated := 150, 100
	if testing.Short() {
		n, mutated = 60, 30
	}
	drawn := longTexts(t, n)
	texts := append(append([]string(nil), drawn...), elideDefeating()...)
	ch := sim.NewPRNG(2)
	for _, text := range drawn[:mutated] {
		texts = append(texts, mutations(text, 4, ch)...)
	}
	applied := 0
	for i, text := range texts {
		wantSpec, wantErr := freshView(t, text)
		if spec, ok := elidedDecode([]byte(text)); ok {
			applied++
			if got := viewString(spec); got != wantSpec || wantErr != "<nil>" {
				t.Errorf("text %d: elided decode %s, whole decode %s, error %s:\n%.300s", i, got, wantSpec, wantErr, text)
			}
		}
		spec, err := decodeSharedBytes([]byte(text))
		checkAnswer(t, fmt.Sprintf("text %d", i), text, spec, err)
	}
	if applied < len(drawn)*9/10 || applied == len(texts) {
		t.Fatalf("elision applied to %d of %d texts (%d drawn): the test does not exercise both paths", applied, len(texts), len(drawn))
	}
}

// TestElisionRefusesWhatItCannotRestore: the texts whose long strings do
// not decode to themselves, or whose placeholders could come from
// elsewhere, are not elided.
func TestElisionRefusesWhatItCannotRestore(t *testing.T) {
	l := strings.Repeat("x", 300)
	for _, text := range []string{
		`{"annotations":{"a":"` + l + `","b":"\u007eelided\u007e0\u007eelided\u007e"}}`,
		`{"annotations":{"a":"` + l + "\x01" + `"}}`,
		`{"annotations":{"a":"` + l + `é"}}`,
		`{"annotations":{"a":"` + l + "\xff" + `"}}`,
		`{"annotations":{"` + l + `":"b"}}`,
		`{"annotations":{"a":"` + l + `"}`,
	} {
		if e, ok := elide([]byte(text)); ok {
			t.Errorf("%.60q... was elided to %.80q", text, e.text)
		}
	}
	e, ok := elide([]byte(`{"a":"~elided~0~elided~","b":"` + l + `"}`))
	if !ok || strings.Count(string(e.text), "~elided~0~elided~") != 1 || !strings.Contains(string(e.text), e.placeholder(0)) {
		t.Errorf("a text holding a placeholder was elided to %q (ok %v): want another placeholder", e.text, ok)
	}
}

// TestPlainIsBytewise: plain, eight bytes at a time, agrees with a byte by
// byte check on every byte value at every position of a word and its tail.
func TestPlainIsBytewise(t *testing.T) {
	bytewise := func(s []byte) bool {
		for _, c := range s {
			if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	}
	for n := 1; n <= 19; n++ {
		for pos := range n {
			for c := range 256 {
				s := []byte(strings.Repeat("a", n))
				s[pos] = byte(c)
				if got, want := plain(s), bytewise(s); got != want {
					t.Fatalf("plain(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}

// TestSpecStringsLandAsTheyAre: no field of runtime-spec's Spec reached
// from it decodes a JSON string by its content other than as a Go string
// (a byte slice, a text or JSON unmarshaler, a ",string" option), which
// elision's proof needs: it fails when runtime-spec adds one.
func TestSpecStringsLandAsTheyAre(t *testing.T) {
	textU := reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonU := reflect.TypeFor[json.Unmarshaler]()
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		if typ.Implements(textU) || reflect.PointerTo(typ).Implements(textU) || typ.Implements(jsonU) || reflect.PointerTo(typ).Implements(jsonU) {
			t.Errorf("%s (%s) unmarshals itself", path, typ)
		}
		switch typ.Kind() {
		case reflect.Pointer, reflect.Array:
			walk(typ.Elem(), path)
		case reflect.Slice:
			if typ.Elem().Kind() == reflect.Uint8 {
				t.Errorf("%s is a byte slice: encoding/json decodes base64 into it", path)
			}
			walk(typ.Elem(), path+"[]")
		case reflect.Map:
			walk(typ.Key(), path+" key")
			walk(typ.Elem(), path+"[k]")
		case reflect.Struct:
			for i := range typ.NumField() {
				f := typ.Field(i)
				if strings.Contains(f.Tag.Get("json"), ",string") {
					t.Errorf("%s.%s has the ,string option", path, f.Name)
				}
				walk(f.Type, path+"."+f.Name)
			}
		}
	}
	walk(reflect.TypeFor[specs.Spec](), "Spec")
	if len(seen) < 50 {
		t.Fatalf("walked %d types: the walk does not reach the spec's members", len(seen))
	}
}
