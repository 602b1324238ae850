package annotations

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
)

// TestFreshDrawsTheSameCases: the generator with its shared device entries
// and remembered texts draws the cases, config.json texts byte for byte,
// that it draws making every entry anew and rendering every document, seed
// by seed.
func TestFreshDrawsTheSameCases(t *testing.T) {
	n := uint64(4000)
	if testing.Short() {
		n = 1000
	}
	for _, v := range Variants.All() {
		for seed := range n {
			got := generate(sim.NewPRNG(seed), v.Name, GenOptions{}, false)
			want := generate(sim.NewPRNG(seed), v.Name, GenOptions{}, true)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s seed %d: the generator draws\n%+v\nand fresh\n%+v", v.Name, seed, got, want)
			}
		}
	}
}

// TestSharedDeviceEntriesUnchanged: after cases drawn with every fault and
// run, each shared linux.devices entry still is, and renders as, the
// entry VFIODeviceJSON makes now.
func TestSharedDeviceEntriesUnchanged(t *testing.T) {
	for _, v := range Variants.All() {
		for seed := range uint64(1000) {
			c := Generate(sim.NewPRNG(seed), v.Name, GenOptions{MaxSteps: 10, MaxDevices: 4})
			if _, err := Run(c, nil, sim.NewPRNG(seed), false); err != nil {
				t.Fatal(err)
			}
		}
	}
	for g, e := range vfioDevices {
		want := VFIODeviceJSON(g)
		if !reflect.DeepEqual(e, want) || e.Render() != want.Render() {
			t.Errorf("group %d: the shared entry is %s, want %s", g, e.Render(), want.Render())
		}
	}
}

// TestStepTextMemoRendersAsTheDocument: after cases drawn and run, every
// text the generator remembers is what the document its key names renders
// to now, and a hit returns it.
func TestStepTextMemoRendersAsTheDocument(t *testing.T) {
	for _, v := range Variants.All() {
		for seed := range uint64(1000) {
			c := Generate(sim.NewPRNG(seed), v.Name, GenOptions{MaxSteps: 10, MaxDevices: 3})
			if _, err := Run(c, nil, sim.NewPRNG(seed), false); err != nil {
				t.Fatal(err)
			}
		}
	}
	checked := 0
	for i := range sharedStepTexts.slots {
		e := sharedStepTexts.slots[i].Load()
		if e == nil {
			continue
		}
		fields := strings.Split(e.before, "\x00")
		devices := faults.Arr()
		for _, f := range fields[3:] {
			g, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("slot %d: key %q", i, e.before)
			}
			devices.Items = append(devices.Items, VFIODeviceJSON(g))
		}
		want := specDoc(fields[1], fields[2], fields[0], devices).Render()
		if e.view != want || e.after != "" {
			t.Errorf("slot %d: key %q remembers\n%s\nthe document renders\n%s", i, e.before, e.view, want)
		}
		// A miss renders the document afresh, so only the key and a lookup
		// that does not render show that a hit returns the text.
		g := &specGen{}
		shared := sharedDevices(devices)
		if key, ok := g.stepKey(fields[1], fields[2], fields[0], shared); !ok || string(key) != e.before {
			t.Errorf("slot %d: the step's key is %q (%v), want %q", i, key, ok, e.before)
		}
		missed := false
		if got := sharedStepTexts.get([]byte(e.before), nil, func() string { missed = true; return want }, func(text string) int64 { return int64(len(text)) }); missed || got != want {
			t.Errorf("slot %d: a lookup of key %q returns\n%s\n(missed %v) want\n%s", i, e.before, got, missed, want)
		}
		if got := g.render(fields[1], fields[2], fields[0], shared); got != want {
			t.Errorf("slot %d: a lookup of key %q returns\n%s\nwant\n%s", i, e.before, got, want)
		}
		checked++
	}
	if checked < 100 {
		t.Fatalf("only %d texts remembered after 2,000 cases: the memo is not in use", checked)
	}
}

// sharedDevices is devices with each entry replaced by the shared one of
// its group.
func sharedDevices(devices *faults.JSON) *faults.JSON {
	out := faults.Arr()
	for _, d := range devices.Items {
		g, _ := strconv.Atoi(d.Members[3].Value.Text)
		out.Items = append(out.Items, vfioDevices[g])
	}
	return out
}
