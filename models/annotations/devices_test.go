package annotations

import (
	"reflect"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// TestSharedDevicesDrawTheSameCases: the generator with its shared device
// entries draws the cases, config.json texts byte for byte, that it draws
// making every entry anew, seed by seed.
func TestSharedDevicesDrawTheSameCases(t *testing.T) {
	n := uint64(4000)
	if testing.Short() {
		n = 1000
	}
	for _, v := range Variants.All() {
		for seed := range n {
			got := generate(sim.NewPRNG(seed), v.Name, GenOptions{}, false)
			want := generate(sim.NewPRNG(seed), v.Name, GenOptions{}, true)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s seed %d: with shared entries the generator draws\n%+v\nwith new ones\n%+v", v.Name, seed, got, want)
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
