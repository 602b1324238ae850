package annotations

import (
	"strings"
	"testing"
)

// TestSpecBlockForm: a spec is written as a YAML block exactly when
// blockSafe says it reads back byte for byte that way.
func TestSpecBlockForm(t *testing.T) {
	for _, text := range []string{
		"{\"ociVersion\": \"1.1.0\"}\n",
		"{}",
		"{\"a\": 1} \n",
		"{\"a\":\n\n1}\n",
		"{\"k\": \"\u00e9\t\"}\n",
		"{\"k\": \"\x01\"}\n",
		"not json at all: [\n",
	} {
		c := &Case{Variant: "reference", PCI: DefaultNode(), Config: DefaultConfig(),
			Steps: []Step{{Op: OpCreate, ID: "a", Spec: text}}}
		var b strings.Builder
		codec{}.Format(&b, c)
		if blockSafe(text) != strings.Contains(b.String(), "spec: |") {
			t.Fatalf("%q: block form = %v:\n%s", text, blockSafe(text), b.String())
		}
	}
}
