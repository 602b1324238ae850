package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/faultsim/faultsim/internal/userfile"
)

// UnreplayableSuffix ends the name a written finding is moved to when it
// does not read back or replay to its expect: an error of faultsim, kept
// for its bug report and never reported as a finding.
const UnreplayableSuffix = ".unreplayable.yaml"

// WriteFinding writes a scenario that faultsim is about to report (a
// campaign's finding, an imported fuzz input) and checks the file as
// "faultsim run" will read it: it must parse back to the same file, model,
// variant, seed and expect, and replay to its expect. When it does not, the
// file is moved to <name>.unreplayable.yaml and the error says so. With
// path "" nothing is written and the bytes Format gives are checked.
func WriteFinding(path string, s *Scenario) error {
	if path == "" {
		if err := checkReplays(s, "(finding "+s.Name+")", Format(s)); err != nil {
			return fmt.Errorf("internal error: finding %s: %v (a bug of faultsim)", s.Name, err)
		}
		return nil
	}
	if err := WriteFile(path, s); err != nil {
		return err
	}
	data, err := userfile.Read(path, MaxFileSize)
	if err == nil {
		err = checkReplays(s, path, data)
	}
	if err == nil {
		return nil
	}
	kept := strings.TrimSuffix(path, ".yaml") + UnreplayableSuffix
	if rerr := os.Rename(path, kept); rerr != nil {
		return errors.Join(fmt.Errorf("internal error: the finding written to %s %v (a bug of faultsim)", path, err), rerr)
	}
	return fmt.Errorf("internal error: the finding written to %s %v; kept as %s, not reported (a bug of faultsim: please report it with that file)", path, err, kept)
}

// checkReplays checks that data, the file written for s, is s: it parses
// to the same file and fields, and its replay gives its expect.
func checkReplays(s *Scenario, file string, data []byte) error {
	back, err := Parse(file, data)
	if err != nil {
		return fmt.Errorf("does not parse back: %v", err)
	}
	if again := Format(back); !bytes.Equal(again, data) {
		return fmt.Errorf("reads back as another scenario:\n%s", again)
	}
	if back.Name != s.Name || back.Model != s.Model || back.Variant != s.Variant || back.Seed != s.Seed || back.Expect != s.Expect {
		return fmt.Errorf("reads back as %s %s/%s seed %d expect %s, written as %s %s/%s seed %d expect %s",
			back.Name, back.Model, back.Variant, back.Seed, back.Expect, s.Name, s.Model, s.Variant, s.Seed, s.Expect)
	}
	o, err := Run(back, false)
	if err != nil {
		return fmt.Errorf("does not replay: %v", err)
	}
	if !o.OK {
		return fmt.Errorf("replays to %s, not its expect %s", o.Got, back.Expect)
	}
	return nil
}
