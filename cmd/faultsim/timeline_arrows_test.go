package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
)

// The timeline's fields: each lane's lifeline with its x, and each message
// event with its sender, its recipient and its arrow's two ends.
var (
	lifelineRE = regexp.MustCompile(`<line class="lifeline" data-actor="([^"]*)" x1="(\d+)"`)
	messageRE  = regexp.MustCompile(`<g id="e\d+" class="event send message" data-actor="([^"]*)" data-to="([^"]*)"><title>[^<]*</title><line class="arrow" x1="(\d+)" y1="\d+" x2="(\d+)"`)
)

// TestTimelineArrowsEveryModel replays one corpus scenario of every
// registered model with --timeline and checks, from the timeline's
// attributes, that the model's calls between actors are drawn as arrows
// from the sender's lane to the recipient's.
func TestTimelineArrowsEveryModel(t *testing.T) {
	tests := map[string]struct {
		file string
		want []pair
	}{
		"hostport": {"regression-tool-failures-and-restart.yaml",
			[]pair{{"kubelet", "crio"}, {"crio", "kubelet"}, {"supervisor", "crio"}, {"crio", "iptables-restore"}}},
		"cgroups": {"incident-3-al2-kata-3.12.0-crash.yaml",
			[]pair{{"kubelet", "containerd"}, {"containerd", "shim-pod1"}, {"shim-pod1", "systemd"}, {"systemd", "shim-pod1"}, {"containerd", "kubelet"}}},
		"annotations": {"incident-4-kata-3.8.0-cri-pod-unaffected.yaml",
			[]pair{{"containerd", "kata/trainer"}, {"kata/trainer", "containerd"}}},
		"signals": {"incident-2-crun-1.16-shutdown-skips-grace.yaml",
			[]pair{{"kubelet", "crio"}, {"crio", "crun"}, {"crun", "systemd"}}},
		"hostname": {"regression-hostname-cut-trims-what-it-leaves.yaml",
			[]pair{{"kubelet", "crio"}, {"crio", "kubelet"}}},
	}
	dir := t.TempDir()
	for _, m := range models.All() {
		t.Run(m.Name, func(t *testing.T) {
			tt, ok := tests[m.Name]
			if !ok {
				// A model this table does not know yet: its drawn cases
				// must still draw some call as an arrow between lanes.
				if len(generatedArrows(t, dir, m)) == 0 {
					t.Fatalf("no arrow between two lanes in the timelines of 20 drawn %s cases: record calls between actors with sim.Trace.Send", m.Name)
				}
				return
			}
			got := arrows(t, filepath.Join("../../scenarios/corpus", tt.file), filepath.Join(dir, m.Name+".html"), 0)
			for _, w := range tt.want {
				if !slices.Contains(got, pair{w.from, w.to}) {
					t.Errorf("no arrow %s -> %s in the timeline of %s; arrows: %v", w.from, w.to, tt.file, got)
				}
			}
		})
	}
}

type pair struct{ from, to string }

// arrows replays file with --timeline out (exit want, or 1 when want is
// -1: the outcome may differ from the file's expect) and returns the
// arrows between lanes the timeline draws, checking that each goes from
// its sender's lifeline to its recipient's.
func arrows(t *testing.T, file, out string, want int) []pair {
	t.Helper()
	if code, text := run(t, "replay", "--timeline", out, file); code != want && !(want == -1 && code <= 1) {
		t.Fatalf("replay %s: exit %d\n%s", file, code, text)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lane := map[string]string{}
	for _, l := range lifelineRE.FindAllStringSubmatch(string(page), -1) {
		lane[l[1]] = l[2]
	}
	var got []pair
	for _, a := range messageRE.FindAllStringSubmatch(string(page), -1) {
		from, to, x1, x2 := a[1], a[2], a[3], a[4]
		if lane[from] == "" || lane[to] == "" || x1 != lane[from] || x2 != lane[to] {
			t.Errorf("arrow %s -> %s drawn from x=%s to x=%s, want from its lane (x=%s) to the recipient's (x=%s)", from, to, x1, x2, lane[from], lane[to])
		}
		if x, _ := strconv.Atoi(x1); x2 == x1 || x == 0 {
			t.Errorf("arrow %s -> %s starts at x=%s and ends at x=%s: not between two lanes", from, to, x1, x2)
		}
		got = append(got, pair{from, to})
	}
	return got
}

// generatedArrows draws cases of m's first variant, writes each as a
// scenario file and returns the arrows their timelines draw.
func generatedArrows(t *testing.T, dir string, m *models.Model) []pair {
	var got []pair
	for seed := uint64(1); seed <= 20; seed++ {
		v := m.Variants[0].Name
		s := &scenarios.Scenario{Name: "drawn", Model: m.Name, Variant: v, Seed: seed, Case: m.Generate(sim.NewPRNG(seed), v)}
		file := filepath.Join(dir, fmt.Sprintf("%s-%d.yaml", m.Name, seed))
		if err := scenarios.WriteFile(file, s); err != nil {
			t.Fatal(err)
		}
		got = append(got, arrows(t, file, strings.TrimSuffix(file, ".yaml")+".html", -1)...)
	}
	return got
}
