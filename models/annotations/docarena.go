package annotations

import "github.com/faultsim/faultsim/faults"

// docArena hands out the values and object members of the documents the
// generator draws from chunks, one allocation for many: a document lives
// until it is rendered, and nothing of it is used again, so its values need
// not be allocated one by one. A chunk is never reused.
type docArena struct {
	nodes   []faults.JSON
	members []faults.Member
	// fresh allocates every value and member list on its own, as
	// faults.Str and faults.Obj do (TestArenaDrawsTheSameCases).
	fresh bool
}

// value returns a new value holding v.
func (a *docArena) value(v faults.JSON) *faults.JSON {
	if a.fresh {
		return &v
	}
	if len(a.nodes) == cap(a.nodes) {
		a.nodes = make([]faults.JSON, 0, 64)
	}
	a.nodes = append(a.nodes, v)
	return &a.nodes[len(a.nodes)-1]
}

// str is faults.Str.
func (a *docArena) str(s string) *faults.JSON {
	return a.value(faults.JSON{Kind: faults.JSONString, Text: s})
}

// obj is faults.Obj with room for n members: members set later do not
// grow it one by one, and appends beyond n move it out of the chunk.
func (a *docArena) obj(n int, members ...faults.Member) *faults.JSON {
	var ms []faults.Member
	if a.fresh {
		ms = make([]faults.Member, 0, n)
	} else {
		if cap(a.members)-len(a.members) < n {
			a.members = make([]faults.Member, 0, max(128, n))
		}
		at := len(a.members)
		a.members = a.members[:at+n]
		ms = a.members[at:at:(at + n)]
	}
	return a.value(faults.JSON{Kind: faults.JSONObject, Members: append(ms, members...)})
}

// arr is faults.Arr with room for n items.
func (a *docArena) arr(n int, items ...*faults.JSON) *faults.JSON {
	return a.value(faults.JSON{Kind: faults.JSONArray, Items: append(make([]*faults.JSON, 0, n), items...)})
}

// vfioDevices are the linux.devices entries of VFIO groups 0 to 127, made
// once: the generator lists them in the documents it draws, which no fault
// or render changes (TestSharedDeviceEntriesUnchanged).
var vfioDevices = func() []*faults.JSON {
	out := make([]*faults.JSON, 128)
	for g := range out {
		out[g] = VFIODeviceJSON(g)
	}
	return out
}()

// vfioDevice is VFIODeviceJSON(group), shared for groups 0 to 127 unless
// the arena is fresh.
func (a *docArena) vfioDevice(group int) *faults.JSON {
	if !a.fresh && group >= 0 && group < len(vfioDevices) {
		return vfioDevices[group]
	}
	return VFIODeviceJSON(group)
}
