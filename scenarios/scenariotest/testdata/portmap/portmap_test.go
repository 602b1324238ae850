package portmap

import (
	"os"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/scenarios/scenariotest"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// TestMain registers both managers, so a scenario file naming either
// replays in any test of this package.
func TestMain(m *testing.M) {
	for name, build := range map[string]hostport.Builder{"portmap": New, "portmap-leaky": NewLeaky} {
		if _, err := hostport.Register(name, "example.com/portmap, its own nft layout", build); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// nftWorks keeps the nodes this manager supports: nft 1.0.1 or later.
func nftWorks(c models.Case) bool {
	n, err := hostport.StartNode(c.(*hostport.Case))
	if err != nil {
		return false
	}
	tool, err := n.LookPath("nft")
	return err == nil && tool.Version.AtLeast(netfilter.MinNFTVersion)
}

func out(t *testing.T) string {
	dir := os.Getenv("PORTMAP_OUT")
	if dir == "" {
		t.Fatal("PORTMAP_OUT is not set: scenariotest's TestSeparateModule runs this test")
	}
	return dir
}

func TestConformance(t *testing.T) {
	scenariotest.Conformance(t, "hostport", "portmap", scenariotest.Options{Scenarios: 400, Keep: nftWorks, Out: t.TempDir()})
}

func TestLeakyFails(t *testing.T) {
	scenariotest.Conformance(t, "hostport", "portmap-leaky", scenariotest.Options{Scenarios: 400, Keep: nftWorks, Out: out(t)})
}

// TestLeakyReplays replays the failures against the leaky manager, and
// checks each passes against the reference.
func TestLeakyReplays(t *testing.T) {
	dir := out(t)
	scenariotest.ReplayDir(t, dir)
	files, err := scenariotest.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		s, err := scenarios.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s.Variant, s.Origin = "reference", nil
		s.Case.(*hostport.Case).Variant = "reference"
		o, err := scenarios.Run(s, false)
		if err != nil || len(o.Result.Violations) > 0 {
			t.Errorf("%s on the reference: %v %v, want a pass", f, err, o.Result.Violations)
		}
	}
}
