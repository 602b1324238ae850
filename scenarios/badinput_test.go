package scenarios

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/internal/badinput"
	"github.com/faultsim/faultsim/models"
)

// wholeFile matches the errors about a file as a whole, which name no line.
var wholeFile = regexp.MustCompile(`^bad\.yaml: file `)

// withLine matches an error naming the file, then the line.
var withLine = regexp.MustCompile(`^bad\.yaml:[1-9][0-9]*: `)

// TestBadInput: each malformed file (internal/badinput's common ones and
// every registered model's own, 120-odd of them)
// gives one error on one line, naming the file, then the line (unless the
// file as a whole is wrong: empty or too large) and the field, and what was
// expected; never a panic.
func TestBadInput(t *testing.T) {
	cases := badinput.Cases()
	if len(cases) < 30 {
		t.Fatalf("%d malformed files, want at least 30", len(cases))
	}
	for _, m := range models.All() { // each model's own, from its directory
		if len(m.BadInputs) == 0 {
			t.Errorf("model %s lists no malformed files of its own (models.Model.BadInputs)", m.Name)
		}
	}
	for _, c := range cases {
		t.Run(c.Model+"/"+c.Name, func(t *testing.T) {
			_, err := parseWithin(t, "bad.yaml", []byte(c.Text))
			if err == nil {
				t.Fatalf("parsed without error, want %q", c.Want)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.Want) {
				t.Fatalf("error = %q, want it to contain %q", msg, c.Want)
			}
			if !withLine.MatchString(msg) && !wholeFile.MatchString(msg) {
				t.Fatalf("error = %q, want it to start with the file and the line (bad.yaml:N: ), or be about the whole file", msg)
			}
			if strings.Contains(msg, "\n") {
				t.Fatalf("error = %q, want one line", msg)
			}
		})
	}
}

// TestBadFiles: ParseFile refuses each special file (internal/badinput.Files:
// a FIFO, /dev/zero, a symlink loop, ...) within a second, naming the path
// and what it is; a FIFO once blocked the open forever and /dev/zero was
// read until memory ran out. (campaign's TestReadFuzzFileRefusesBadFiles
// checks ReadFuzzFile alike.)
func TestBadFiles(t *testing.T) {
	for _, c := range badinput.Files() {
		t.Run(c.Name, func(t *testing.T) {
			path, err := c.Make(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			err = within(t, time.Second, func() error { _, err := ParseFile(path); return err })
			if want := path + ": " + c.Want; err == nil || err.Error() != want {
				t.Errorf("ParseFile(%s) = %v, want %q", path, err, want)
			}
		})
	}
}

// within runs fn and fails the test when it does not return within d
// (the goroutine is left behind only when the test fails).
func within(t *testing.T, d time.Duration, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("did not return within %s", d)
		return nil
	}
}
