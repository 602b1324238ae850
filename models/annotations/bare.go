package annotations

import (
	"time"

	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// RunBare runs the case's requests directly on shims of its variant, in
// time order: the shim's start routing (decode, type, sandbox) and Create
// or Delete, with no scheduler, invariants, round trips or trace. A shim
// that panics is dropped with its containers. It is the baseline harness
// overhead is measured against (models.Barer).
func (c *Case) RunBare(sim.Chooser) error {
	v, err := Variants.Lookup(c.Variant)
	if err != nil {
		return err
	}
	quiet := func(string, ...any) {}
	shims := map[string]Shim{} // by sandbox id
	owner := map[string]string{}
	for _, s := range modelkit.InTimeOrder(c.Steps, func(s *Step) time.Duration { return s.At }) {
		sbID, sh := owner[s.ID], Shim(nil)
		var raw []byte // a create's spec: what the shim reads, after the routing
		if s.Op == OpCreate {
			raw = []byte(s.Spec)
			spec, err := decodeSharedBytes(raw) // containerd's routing, as Run's
			if err != nil {
				continue
			}
			ctype, err := TypeOf(spec)
			if err != nil || sbID != "" {
				continue
			}
			sbID = s.ID
			if ctype == PodContainer {
				sbID, _ = SandboxOf(spec)
			} else if shims[sbID] == nil {
				shims[sbID] = v.Build(c.PCI, c.Config, quiet)
			}
		}
		if sh = shims[sbID]; sh == nil {
			continue
		}
		var opErr error
		crash := sim.Protect(func() {
			if s.Op == OpCreate {
				opErr = sh.Create(s.ID, raw)
			} else {
				opErr = sh.Delete(s.ID)
			}
		})
		switch {
		case crash != nil:
			delete(shims, sbID)
		case s.Op == OpCreate && opErr == nil:
			owner[s.ID] = sbID
		case s.Op == OpDelete && opErr == nil:
			delete(owner, s.ID)
			if s.ID == sbID {
				delete(shims, sbID)
			}
		}
	}
	return nil
}
