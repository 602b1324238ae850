package portmap

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/annotations"
	"github.com/faultsim/faultsim/models/cgroups"
	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/scenarios/scenariotest"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// TestMain registers every implementation, so a scenario file naming one
// replays in any test of this package.
func TestMain(m *testing.M) {
	const sum = "example.com/portmap"
	must := func(_ func(), err error) {
		if err != nil {
			panic(err)
		}
	}
	must(hostport.Register("portmap", sum, New))
	must(hostport.Register("portmap-leaky", sum, NewLeaky))
	must(annotations.Register("shim", sum, NewShim))
	must(annotations.Register("shim-leaky", sum, NewLeakyShim))
	must(cgroups.Register("controller", sum, NewController))
	must(cgroups.Register("controller-leaky", sum, NewLeakyController))
	must(signals.Register("stoploop", sum, signals.Impl{StopLoop: StopLoop{}, AskKillSignal: true}))
	must(signals.Register("stoploop-no-sigkill", sum, signals.Impl{StopLoop: StopLoop{NoKill: true}, AskKillSignal: true}))
	os.Exit(m.Run())
}

// nftWorks keeps the nodes the hostport manager supports: nft 1.0.1 or
// later.
func nftWorks(c models.Case) bool {
	hc, ok := c.(*hostport.Case)
	if !ok {
		return true
	}
	n, err := hostport.StartNode(hc)
	if err != nil {
		return false
	}
	tool, err := n.LookPath("nft")
	return err == nil && tool.Version.AtLeast(netfilter.MinNFTVersion)
}

// impls are, per model, the correct implementation, the leaky one, and
// how many scenarios a campaign draws.
var impls = []struct {
	model, good, leaky string
	scenarios          int
}{
	{"hostport", "portmap", "portmap-leaky", 400},
	{"annotations", "shim", "shim-leaky", 200},
	{"cgroups", "controller", "controller-leaky", 20},
	{"signals", "stoploop", "stoploop-no-sigkill", 300},
}

func out(t *testing.T, model string) string {
	dir := os.Getenv("PORTMAP_OUT")
	if dir == "" {
		t.Fatal("PORTMAP_OUT is not set: scenariotest's TestSeparateModule runs this test")
	}
	return filepath.Join(dir, model)
}

func TestConformance(t *testing.T) {
	for _, im := range impls {
		t.Run(im.model, func(t *testing.T) {
			scenariotest.Conformance(t, im.model, im.good, scenariotest.Options{Scenarios: im.scenarios, Keep: nftWorks, Out: t.TempDir()})
		})
	}
}

func TestLeakyFails(t *testing.T) {
	for _, im := range impls {
		t.Run(im.model, func(t *testing.T) {
			scenariotest.Conformance(t, im.model, im.leaky, scenariotest.Options{Scenarios: im.scenarios, Keep: nftWorks, Out: out(t, im.model)})
		})
	}
}

// TestLeakyReplays replays the failures against the leaky implementations,
// and checks each passes against the model's reference.
func TestLeakyReplays(t *testing.T) {
	for _, im := range impls {
		t.Run(im.model, func(t *testing.T) {
			dir := out(t, im.model)
			scenariotest.ReplayDir(t, dir)
			files, err := scenariotest.Files(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				scenariotest.PassesAs(t, f, "reference")
			}
		})
	}
}
