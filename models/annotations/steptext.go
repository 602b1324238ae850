package annotations

import (
	"strconv"

	"github.com/faultsim/faultsim/faults"
)

// A create without a map fault renders a document that is a function of
// its container type, id, pod and devices alone (specDoc), and campaigns
// draw the same few thousand of them over and over. So the generator
// remembers the text by those, when each device is a shared VFIO entry
// (vfioDevices: an entry a device fault made is not named by its group),
// and builds and renders the document only the first time.
// TestStepTextMemoRendersAsTheDocument draws cases with and without it.

// sharedStepTexts remembers rendered config.json texts by stepKey.
var sharedStepTexts = newPartMemo[string](partBudget)

// render is specDoc(id, pod, criType, devices).Render(), remembered.
func (g *specGen) render(id, pod, criType string, devices *faults.JSON) string {
	key, ok := g.stepKey(id, pod, criType, devices)
	if !ok {
		return specDoc(id, pod, criType, devices).Render()
	}
	return sharedStepTexts.get(key, nil, func() string { return specDoc(id, pod, criType, devices).Render() },
		func(text string) int64 { return int64(len(text)) })
}

// stepKey names the document of a create in g.key, and false when a device
// is not a shared entry or the generator is fresh. The fields are each
// followed by a byte they cannot hold.
func (g *specGen) stepKey(id, pod, criType string, devices *faults.JSON) ([]byte, bool) {
	if g.fresh {
		return nil, false
	}
	k := append(g.key[:0], criType...)
	k = append(append(append(append(k, 0), id...), 0), pod...)
	for _, d := range devices.Items {
		group := sharedGroup(d)
		if group < 0 {
			return nil, false
		}
		k = strconv.AppendInt(append(k, 0), int64(group), 10)
	}
	g.key = k
	return k, true
}

// sharedGroup is the group of a shared device entry, or -1.
func sharedGroup(d *faults.JSON) int {
	for g, e := range vfioDevices {
		if e == d {
			return g
		}
	}
	return -1
}
