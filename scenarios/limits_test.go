package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// extremes are the largest and smallest values of the types numeric fields
// are written in (int64, uint64 and beyond, time.Duration), and the largest
// each field accepts (host ports and PCI groups 65535, CPU shares 262144,
// quota 2^40, memory 2^50, pids 4194304, systemd 999, 1000 tool failures,
// the last CPU 3, 24 h of virtual time), and the smallest.
var extremes = []string{
	"9223372036854775807", "-9223372036854775808", "18446744073709551615", "99999999999999999999999",
	"2562047h47m16.854775807s", "2562047h47m17s", "-2562047h47m16.854775808s", "24h", "1e308",
	"65535", "262144", "1099511627776", "1125899906842624", "4194304", "999", "1000", "3", "2", "1", "0",
}

// limitFiles are the templates a model keeps in its directory
// (models/<m>/testdata/limits/*.tmpl): the body of a scenario file with one
// numeric field left as V, one file per numeric field of the model.
func limitFiles(t *testing.T, model string) []string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join("..", "models", model, "testdata", "limits", "*.tmpl"))
	var out []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(data))
	}
	return out
}

// TestLargestValues: every numeric field of every model, given the largest
// and smallest values its type allows (and beyond), is refused at its line
// and field, or parses, replays within 10 s, and passes on the reference
// variant, which no value may break.
func TestLargestValues(t *testing.T) {
	for _, model := range ModelNames() {
		files := limitFiles(t, model)
		if len(files) == 0 {
			t.Fatalf("model %s has no templates in models/%s/testdata/limits: add one per numeric field", model, model)
		}
		for _, tmpl := range files {
			for _, v := range extremes {
				text := "name: x\nmodel: " + model + "\nvariant: reference\n" + strings.Replace(tmpl[strings.Index(tmpl, "\n")+1:], "V", v, 1)
				s, err := parseWithin(t, "limits.yaml", []byte(text))
				var pe *Error
				switch {
				case errors.As(err, &pe):
					if pe.Line == 0 || pe.Field == "" {
						t.Errorf("%s: error %v names no line and field\n%s", model, err, text)
					}
					continue
				case err != nil:
					t.Fatalf("%s: error %T %v, want a *Error\n%s", model, err, err, text)
				}
				err = within(t, 10*time.Second, func() error {
					o, err := Run(s, false)
					if err == nil && !o.OK {
						err = errors.New("reference variant " + o.Got)
					}
					return err
				})
				if err != nil {
					t.Errorf("%s: %v\n%s", model, err, text)
				}
			}
		}
	}
}
