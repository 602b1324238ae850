package all_test

import (
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/models"
	_ "github.com/faultsim/faultsim/models/all"
	"github.com/faultsim/faultsim/models/schema"
	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(models.Releasing(m)) }

// keyPaths collects the key paths of a YAML node ("steps[].ports[].host_port")
// into seen, and the values of every step's op into ops.
func keyPaths(n *yaml.Node, path string, seen map[string]bool, ops map[string]bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			p := k
			if path != "" {
				p = path + "." + k
			}
			seen[p] = true
			if p == "steps[].op" {
				ops[v.Value] = true
			}
			keyPaths(v, p, seen, ops)
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			keyPaths(item, path+"[]", seen, ops)
		}
	}
}

// TestReferenceDocumentsWhatTheModelsWrite: every model's reference is
// well formed (each key's parent documented, each operation's keys step
// keys), every key the codec writes for generated cases is documented (the
// node and faults keys by the shared references), and the generator draws
// every documented operation and no other.
func TestReferenceDocumentsWhatTheModelsWrite(t *testing.T) {
	shared := map[string]bool{}
	for _, r := range []schema.Reference{schema.NodeReference, schema.FaultsReference} {
		for _, f := range r.Fields {
			shared[f.Path] = true
		}
	}
	seeds := 300
	if testing.Short() {
		seeds = 100
	}
	for _, m := range models.All() {
		if m.Codec == nil {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			ref := m.Codec.Reference()
			documented := map[string]bool{}
			for _, f := range ref.Fields {
				if documented[f.Path] {
					t.Errorf("key %s documented twice", f.Path)
				}
				documented[f.Path] = true
				if f.Takes == "" || f.Doc == "" {
					t.Errorf("key %s: expected what it takes and what it means", f.Path)
				}
				if i := strings.LastIndexAny(f.Path, ".["); i > 0 && !documented[strings.TrimSuffix(f.Path[:i], "[]")] && !shared[f.Path[:i]] {
					t.Errorf("key %s: its parent %s is not documented before it", f.Path, f.Path[:i])
				}
			}
			steps := ref.Keys("steps[]")
			for _, op := range ref.Ops {
				for _, k := range op.Fields {
					if !slices.Contains(steps, k) {
						t.Errorf("operation %s takes %q, which is not a documented step key (%s)", op.Name, k, strings.Join(steps, ", "))
					}
				}
			}
			seen, ops := map[string]bool{}, map[string]bool{}
			for _, v := range m.Variants {
				for seed := range seeds {
					var b strings.Builder
					m.Codec.Format(&b, m.Generate(sim.NewPRNG(uint64(seed)), v.Name))
					var doc yaml.Node
					if err := yaml.Unmarshal([]byte(b.String()), &doc); err != nil {
						t.Fatalf("%s seed %d: the codec wrote YAML that does not parse: %v\n%s", v.Name, seed, err, b.String())
					}
					if len(doc.Content) > 0 {
						keyPaths(doc.Content[0], "", seen, ops)
					}
				}
			}
			for p := range seen {
				if !documented[p] && !shared[p] && !strings.HasPrefix(p, "node.tools.") && !strings.HasPrefix(p, "faults[].") {
					t.Errorf("the codec writes key %s, which the reference does not document", p)
				}
			}
			for op := range ops {
				if _, ok := ref.Op(op); !ok {
					t.Errorf("the generator draws operation %q, which the reference does not document (%s)", op, strings.Join(ref.OpNames(), ", "))
				}
			}
			for _, op := range ref.Ops {
				switch {
				case !ops[op.Name] && op.NotDrawn == "":
					t.Errorf("operation %s is documented but the generator never drew it in %d seeds of every variant (set its NotDrawn to say why)", op.Name, seeds)
				case ops[op.Name] && op.NotDrawn != "":
					t.Errorf("operation %s says it is not drawn (%s), but the generator drew it", op.Name, op.NotDrawn)
				}
			}
		})
	}
}
