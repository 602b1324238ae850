package campaign

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/faultsim/faultsim/internal/userfile"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/shrink"
	"github.com/faultsim/faultsim/sim"
)

// A native fuzz target (go test -fuzz, built with rapid.MakeFuzz) reads its
// input as rapid does: eight little-endian bytes to a draw, the last ones
// zero-padded, and a one-bit draw keeps the lowest bit. Its property draws
// the run seed (seedBits bits), then the case, every choice through the bit
// decoding of bits.go. DecodeFuzzInput reads the same bytes the same way
// without rapid, so a failing input that go test -fuzz saved (or that
// libFuzzer saved, as raw bytes) becomes a scenario file: faultsim import.

// seedBits is how many bits of a fuzz input choose the run seed.
const seedBits = 16

// fuzzHeader starts a go test fuzz corpus file.
const fuzzHeader = "go test fuzz v1\n"

// FuzzVariant is the variant a model's native fuzz target checks:
// "reference" when the model has one, else its first variant that is not
// buggy (a fuzz target must pass until it finds a real bug).
func FuzzVariant(m *models.Model) string {
	first := ""
	for _, v := range m.Variants {
		if v.Name == "reference" {
			return v.Name
		}
		if !v.Buggy && first == "" {
			first = v.Name
		}
	}
	return first
}

// SeedInput is the i-th entry of a model's seed corpus: run seed i and the
// case of campaign seed 1's i-th scenario.
func SeedInput(m *models.Model, i int) []byte {
	return EncodeFuzzInput(m, FuzzVariant(m), uint16(i), caseSeed(1, int64(i)))
}

// DrawFuzzCase draws from ch what a native fuzz input stands for, as the
// target reads its input: the run seed (seedBits choices of one bit), then
// a case of variant of m. It runs the case and sets the scenario's expect
// to its first violation, if any.
func DrawFuzzCase(m *models.Model, variant string, ch sim.Chooser) (*scenarios.Scenario, sim.Result, error) {
	seed := uint64(ch.Intn(1 << seedBits))
	c := m.Generate(ch, variant)
	s := &scenarios.Scenario{Name: m.Name + "-fuzz", Model: m.Name, Variant: variant, Seed: seed, Case: c}
	r, err := c.Run(sim.NewPRNG(seed), false)
	if err != nil {
		return nil, r, err
	}
	if len(r.Violations) > 0 {
		s.Expect = scenarios.Expect{Violation: r.Violations[0].Invariant}
	}
	return s, r, nil
}

// errShortInput ends a decode that ran out of bytes.
var errShortInput = errors.New("the input ends before the case does")

// byteBits reads a fuzz input's draws.
type byteBits struct{ data []byte }

func (b *byteBits) bit() int {
	if len(b.data) == 0 {
		panic(errShortInput)
	}
	var w [8]byte
	n := copy(w[:], b.data)
	b.data = b.data[n:]
	return int(binary.LittleEndian.Uint64(w[:]) & 1)
}

// bitsChooser decodes choices from any bit source.
type bitsChooser struct{ bit func() int }

// Intn decodes a choice.
func (c bitsChooser) Intn(n int) int { return DrawInt(n, c.bit) }

// DecodeFuzzInput rebuilds the scenario (run seed and case of variant) that
// a native fuzz input stands for, and runs it to fill in its expect.
func DecodeFuzzInput(model, variant string, data []byte) (s *scenarios.Scenario, r sim.Result, err error) {
	m, err := scenarios.LookupModel(model)
	if err != nil {
		return nil, r, err
	}
	if _, err := m.Variant(variant); err != nil {
		return nil, r, err
	}
	src := &byteBits{data}
	ch := bitsChooser{src.bit}
	defer func() {
		if p := recover(); p != nil {
			if p != errShortInput {
				panic(p)
			}
			s, err = nil, fmt.Errorf("%d-byte input: %w (a draw is 8 bytes)", len(data), errShortInput)
		}
	}()
	return DrawFuzzCase(m, variant, ch)
}

// CheckFuzzInput is a native fuzz target's check without rapid (for
// libFuzzer builds): an error for a violation, nil for a pass or an input
// too short to draw a case (which rapid skips).
func CheckFuzzInput(model string, data []byte) error {
	m, err := scenarios.LookupModel(model)
	if err != nil {
		return err
	}
	return checkFuzzInput(model, FuzzVariant(m), data)
}

// checkFuzzInput is CheckFuzzInput for any variant.
func checkFuzzInput(model, variant string, data []byte) error {
	s, r, err := DecodeFuzzInput(model, variant, data)
	if errors.Is(err, errShortInput) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(r.Violations) > 0 {
		return fmt.Errorf("%s\n%s", r.Violations[0], scenarios.Format(s))
	}
	return nil
}

// EncodeFuzzInput is the input that makes a fuzz target draw run seed
// (below 1<<16) and then the case that the campaign's case seed draws for
// variant: a seed corpus entry.
func EncodeFuzzInput(m *models.Model, variant string, runSeed uint16, caseSeed uint64) []byte {
	var out []byte
	put := func(b int) {
		var w [8]byte
		w[0] = byte(b)
		out = append(out, w[:]...)
	}
	for i := seedBits - 1; i >= 0; i-- {
		put(int(runSeed>>i) & 1)
	}
	src := newCaseChooser(caseSeed)
	m.Generate(bitsChooser{func() int { b := src.bit(); put(b); return b }}, variant)
	return out
}

// FormatFuzzFile renders an input as a go test fuzz corpus file.
func FormatFuzzFile(data []byte) []byte {
	return []byte(fuzzHeader + "[]byte(" + strconv.Quote(string(data)) + ")\n")
}

// ReadFuzzFile reads a fuzz input: a go test fuzz corpus file
// (testdata/fuzz/FuzzX/...) with one []byte value, or any other file as raw
// bytes (a libFuzzer crash file); a regular file of at most MaxFileSize
// bytes (userfile.Read).
func ReadFuzzFile(path string) ([]byte, error) {
	data, err := userfile.Read(path, scenarios.MaxFileSize)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, []byte(fuzzHeader)) {
		return data, nil
	}
	body := strings.TrimSpace(string(data[len(fuzzHeader):]))
	lit, ok := strings.CutPrefix(body, "[]byte(")
	lit, ok2 := strings.CutSuffix(lit, ")")
	if !ok || !ok2 || strings.Contains(lit, "\n") {
		return nil, fmt.Errorf("%s: expected one []byte(\"...\") value after %q", path, strings.TrimSpace(fuzzHeader))
	}
	s, err := strconv.Unquote(lit)
	if err != nil {
		return nil, fmt.Errorf("%s: []byte value: %v", path, err)
	}
	return []byte(s), nil
}

// ImportFuzzInput turns a fuzz input (source names it in the description)
// into scenario files in out and returns their paths: one per distinct
// failure, shrunk by the greedy shrinker and named as a campaign names the
// same signature, so fuzzing and campaigns end in one corpus; or, when the
// input passes, one file that expects pass.
func ImportFuzzInput(model, variant string, data []byte, source, out string) ([]string, error) {
	s, r, err := DecodeFuzzInput(model, variant, data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	st := Stream{model, variant}
	var written []string
	write := func(sc *scenarios.Scenario, name string) error {
		sc.Name = name
		path := filepath.Join(out, name+".yaml")
		if err := scenarios.WriteFinding(path, sc); err != nil {
			return err
		}
		written = append(written, path)
		return nil
	}
	if len(r.Violations) == 0 {
		s.Description = fmt.Sprintf("Imported from the native fuzz input %s (faultsim import); it passes.", source)
		h := fnvHash(data)
		return written, write(s, fmt.Sprintf("%s-%s-pass-%06x", model, variant, h&0xffffff))
	}
	seen := map[string]bool{}
	for _, v := range r.Violations {
		sig := signature(st.String(), v)
		if seen[sig] {
			continue
		}
		seen[sig] = true
		match := func(cs models.Case) (sim.Violation, bool) {
			rr, err := cs.Run(sim.NewPRNG(s.Seed), false)
			if err != nil {
				return sim.Violation{}, false
			}
			for _, v := range rr.Violations {
				if signature(st.String(), v) == sig {
					return v, true
				}
			}
			return sim.Violation{}, false
		}
		min, _ := shrink.Greedy(s.Case, func(cs models.Case) bool { _, ok := match(cs); return ok }, 5000, nil)
		mv, _ := match(min)
		sc := &scenarios.Scenario{Model: model, Variant: variant, Seed: s.Seed, Case: min, Expect: scenarios.Expect{Violation: v.Invariant},
			Description: fmt.Sprintf("Imported from the native fuzz input %s (faultsim import), shrunk from size %d to %d (greedy).\n%s",
				source, s.Case.Size(), min.Size(), mv)}
		if err := write(sc, findingName(sig)); err != nil {
			return written, err
		}
	}
	return written, nil
}

func fnvHash(data []byte) uint32 {
	h := fnv.New32a()
	h.Write(data)
	return h.Sum32()
}
