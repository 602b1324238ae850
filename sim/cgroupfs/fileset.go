package cgroupfs

import "strings"

// setKey says what decides a cgroup's interface files: the hierarchy's
// version, whether it is the root, and the controllers enabled for it in
// order, packed four bits each (a controller's index in controllers, plus
// one).
type setKey struct {
	v2, root bool
	ctrls    uint64
}

// packControllers packs an ordered list of known controllers into a
// setKey's ctrls; ok is false when a name is unknown or the list is too
// long to pack (the set is then computed uncached).
func packControllers(names []string) (packed uint64, ok bool) {
	if len(names) > 16 {
		return 0, false
	}
	for i, name := range names {
		idx := -1
		for j := range controllers {
			if controllers[j].name == name {
				idx = j
				break
			}
		}
		if idx < 0 || idx >= 15 {
			return 0, false
		}
		packed |= uint64(idx+1) << (4 * i)
	}
	return packed, true
}

// fileSet returns the interface files the kernel has in a cgroup, in a
// fixed order (core files, then each enabled controller's). The result is
// shared: callers must not modify it. Sets are computed once for each
// kernel facts and setKey (the facts they derive from are fixed).
func (fs *FS) fileSet(h *hierarchy, cg *cgroup) []fileFact {
	enabled := fs.enabled(h, cg)
	packed, ok := packControllers(enabled)
	key := setKey{v2: h.v2, root: cg.rel == "/", ctrls: packed}
	if ok {
		if set, hit := fs.facts.sets.Load(key); hit {
			return set.([]fileFact)
		}
	}
	set := fs.facts.computeSet(h.v2, key.root, enabled)
	if ok {
		fs.facts.sets.Store(key, set)
	}
	return set
}

// computeSet lists the files of a cgroup (the root or not) of a v1 or v2
// hierarchy with the given controllers enabled.
func (kf *kernelFacts) computeSet(v2, root bool, enabled []string) []fileFact {
	var out []fileFact
	add := func(f fileFact) {
		if (f.where != rootOnly || root) && (f.where != nonRoot || !root) {
			// A default reads as a line: ending it here spares every
			// rendering the concatenation.
			if f.def != "" && !strings.HasSuffix(f.def, "\n") {
				f.def += "\n"
			}
			out = append(out, f)
		}
	}
	for _, f := range kf.core(v2) {
		add(f)
	}
	for _, name := range enabled {
		for _, f := range kf.controller(v2, name) {
			add(f)
		}
	}
	return out
}
