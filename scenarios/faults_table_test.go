package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/schema"
	"github.com/faultsim/faultsim/sim"
)

// TestEveryFaultIsConsumedOrRefused runs every registered fault against
// every model: a model that consumes a fault shows its effect (a generated
// case run with and without it differs in outcome or in trace, beyond the
// line that declares the fault), and a model that does not refuses it at
// parse time with the file, line and field. Nothing is silently ignored.
func TestEveryFaultIsConsumedOrRefused(t *testing.T) {
	cases := 80
	if testing.Short() {
		cases = 30
	}
	for _, name := range ModelNames() {
		m, _ := LookupModel(name)
		drawn := drawCases(m, cases)
		for _, f := range faults.All() {
			t.Run(name+"/"+f.Name, func(t *testing.T) {
				if !m.Consumes(f.Name) {
					refused(t, m, drawn[0], f)
					return
				}
				if f.Kind == faults.Data {
					labelled(t, m, drawn, f)
					return
				}
				if !showsEffect(t, m, drawn, f) {
					t.Fatalf("%s consumes %s, but no case of %d showed an effect of it", name, f.Name, len(drawn))
				}
			})
		}
	}
}

// drawCases draws n scenarios of a model's first variant, as files write them.
func drawCases(m *models.Model, n int) []*Scenario {
	out := make([]*Scenario, n)
	for i := range out {
		c := m.Generate(sim.NewPRNG(uint64(i+1)), m.Variants[0].Name)
		out[i] = &Scenario{Name: "table", Model: m.Name, Variant: m.Variants[0].Name, Seed: 1, Case: c}
	}
	return out
}

// refused checks that a scenario of m listing f is refused at parse time,
// naming the file, the line and the field.
func refused(t *testing.T, m *models.Model, base *Scenario, f *faults.Spec) {
	t.Helper()
	text := withFault(string(Format(base)), "{fault: "+f.Name+"}")
	_, err := Parse("table.yaml", []byte(text))
	if err == nil {
		t.Fatalf("%s does not consume %s, yet a scenario listing it parses:\n%s", m.Name, f.Name, text)
	}
	want := regexp.MustCompile(`^table\.yaml:\d+: faults\[\d+\]\.fault: `)
	if !want.MatchString(err.Error()) {
		t.Fatalf("refusal of %s does not name file, line and field: %v", f.Name, err)
	}
}

// labelled checks that m's generator labels some step with the data fault f
// (the input it describes was drawn) and that the label parses back.
func labelled(t *testing.T, m *models.Model, drawn []*Scenario, f *faults.Spec) {
	t.Helper()
	for i := range 2000 {
		s := &Scenario{Name: "table", Model: m.Name, Variant: m.Variants[0].Name, Seed: 1,
			Case: m.Generate(sim.NewPRNG(uint64(i+1)), m.Variants[0].Name)}
		text := string(Format(s))
		if !regexp.MustCompile(`(fault: |faults: \[.*)` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(text) {
			continue
		}
		if _, err := Parse("table.yaml", []byte(text)); err != nil {
			t.Fatalf("a step labelled with %s does not parse: %v", f.Name, err)
		}
		return
	}
	t.Fatalf("%s consumes the data fault %s, but its generator never drew it in 2000 cases", m.Name, f.Name)
}

// showsEffect looks for a case where f changes the outcome or the trace:
// cases the generator drew with f are run without it; otherwise f, with
// each value its parameters allow, is added to the drawn cases.
func showsEffect(t *testing.T, m *models.Model, drawn []*Scenario, f *faults.Spec) bool {
	t.Helper()
	item := regexp.MustCompile(`(?m)^  - \{fault: ` + regexp.QuoteMeta(f.Name) + `\b.*\}\n`)
	tried := 0
	for i := 0; i < 3000 && tried < 30; i++ {
		v := m.Variants[i%len(m.Variants)].Name
		s := &Scenario{Name: "table", Model: m.Name, Variant: v, Seed: 1, Case: m.Generate(sim.NewPRNG(uint64(i+1)), v)}
		text := string(Format(s))
		for _, line := range item.FindAllString(text, -1) {
			tried++
			if differs(t, text, withoutFault(text, line)) {
				return true
			}
		}
	}
	for _, s := range drawn[:min(len(drawn), 10)] {
		text := string(Format(s))
		for _, args := range paramValues(f, text) {
			with := withFault(text, "{fault: "+f.Name+args+"}")
			if _, err := Parse("table.yaml", []byte(with)); err != nil {
				continue // a name this fault cannot take (the scenario's own, say)
			}
			if differs(t, with, text) {
				return true
			}
		}
	}
	return false
}

// paramValues are the parameter lists to try for f in a scenario text:
// every allowed value of an enumerated parameter, the lowest of a bounded
// number, 1s for a duration, and for a name each object the text names.
func paramValues(f *faults.Spec, text string) []string {
	out := []string{""}
	for _, p := range f.Params {
		if p.Default != "" {
			continue
		}
		var values []string
		switch {
		case len(p.OneOf) > 0:
			values = p.OneOf
		case p.Type == faults.Int:
			values = []string{fmt.Sprint(max(p.Min, 1))}
		case p.Type == faults.Duration:
			values = []string{"1s"}
		default:
			for _, m := range objectName.FindAllStringSubmatch(text, -1) {
				if !slices.Contains(values, m[2]) {
					values = append(values, m[2])
				}
			}
		}
		var next []string
		for _, prefix := range out {
			for _, v := range values {
				next = append(next, prefix+", "+p.Name+": "+schema.Quote(v))
			}
		}
		out = next
	}
	return out
}

// differs runs two scenario texts and reports whether their outcomes or
// traces differ, the lines declaring faults aside.
func differs(t *testing.T, a, b string) bool {
	t.Helper()
	ra, rb := runText(t, a), runText(t, b)
	return ra != rb
}

// objectName finds the names a scenario gives its objects.
var objectName = regexp.MustCompile(`\b(name|sandbox|container|id): "?([A-Za-z0-9._-]+)"?`)

func runText(t *testing.T, text string) string {
	t.Helper()
	s, err := Parse("table.yaml", []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	o, err := Run(s, true)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(o.Got + "\n")
	for _, e := range o.Result.Trace.Events() {
		if e.Kind == sim.FaultEvent && e.At == 0 && strings.HasPrefix(e.What, "fault ") && strings.HasSuffix(e.What, ")") {
			continue // the declaration of a fault, not its effect
		}
		b.WriteString(e.String() + "\n")
	}
	return b.String()
}

// withoutFault removes a fault item, and the faults: section it leaves empty.
func withoutFault(text, line string) string {
	text = strings.Replace(text, line, "", 1)
	if i := strings.Index(text, "\nfaults:\n"); i >= 0 && !strings.HasPrefix(text[i+len("\nfaults:\n"):], "  - ") {
		text = text[:i+1] + text[i+len("\nfaults:\n"):]
	}
	return text
}

// withFault adds a fault item to a scenario text's faults: section.
func withFault(text, item string) string {
	if i := strings.Index(text, "\nfaults:\n"); i >= 0 {
		at := i + len("\nfaults:\n")
		return text[:at] + "  - " + item + "\n" + text[at:]
	}
	i := strings.Index(text, "\nsteps:")
	return text[:i+1] + "faults:\n  - " + item + "\n" + text[i+1:]
}
