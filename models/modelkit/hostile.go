package modelkit

import (
	"fmt"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
)

// Renamer gives every distinct old name one new hostile name, distinct from
// the others, so that the fields naming one thing (a container's name and
// the steps and faults naming it) still agree: a model's Hostile uses it.
type Renamer struct {
	h     models.HostileSource
	label string
	names map[string]string
	used  map[string]bool
}

// NewRenamer returns a renamer drawing from h under label.
func NewRenamer(h models.HostileSource, label string) *Renamer {
	return &Renamer{h: h, label: label, names: map[string]string{}, used: map[string]bool{}}
}

// Get returns old's new name.
func (r *Renamer) Get(old string) string {
	if n, ok := r.names[old]; ok {
		return n
	}
	n := r.h.String(r.label)
	if r.used[n] {
		n = old // keep names distinct: the old one, numbered if taken
	}
	for k := 2; r.used[n]; k++ {
		n = fmt.Sprintf("%s-%d", old, k)
	}
	r.names[old], r.used[n] = n, true
	return n
}

// RenameFaults rebuilds the faults with their parameter param renamed by r.
func RenameFaults(fs []faults.Fault, param string, r *Renamer) ([]faults.Fault, error) {
	out := make([]faults.Fault, len(fs))
	for i, f := range fs {
		raw := map[string]string{}
		for _, a := range f.Args() {
			raw[a.Name] = a.Value
			if a.Name == param {
				raw[a.Name] = r.Get(a.Value)
			}
		}
		nf, err := faults.New(f.Name(), raw)
		if err != nil {
			return nil, fmt.Errorf("fault %s with %s renamed: %w", f.Name(), param, err)
		}
		out[i] = nf
	}
	return out, nil
}
