package cgroupfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Plan is what a replay of a scenario knows in advance: the answers the
// kernel gives synchronously that a plain directory tree cannot, learned
// from an earlier run of the same scenario. In window W, each entry with a
// file makes that interface file refuse writes (the kernel refused the
// write the earlier run made: a controller not available, a file missing
// or read-only, a value out of range); each entry without a file makes the
// cgroup exist as the kernel would have filled it at mkdir, so that a
// runtime creating it and writing into it in one call meets its files.
type Plan struct {
	Entries []PlanEntry
}

// PlanEntry is one answer of a Plan.
type PlanEntry struct {
	Window int
	// Hier is the hierarchy's label ("cgroup2", "memory", "cpu,cpuacct").
	Hier string
	Path string
	// File is the refusing file; "" pre-creates the cgroup.
	File string
	// Why says what the kernel would have answered.
	Why string
}

// String renders the entry in one line.
func (e PlanEntry) String() string {
	if e.File == "" {
		return fmt.Sprintf("window %d: %s:%s exists as mkdir made it", e.Window, e.Hier, e.Path)
	}
	return fmt.Sprintf("window %d: %s:%s refuses writes (%s)", e.Window, e.Hier, filepath.Join(e.Path, e.File), e.Why)
}

// Empty reports whether the plan has no entry.
func (p Plan) Empty() bool { return len(p.Entries) == 0 }

// With returns the plan with more entries, sorted by window.
func (p Plan) With(more Plan) Plan {
	out := Plan{Entries: append(slices.Clone(p.Entries), more.Entries...)}
	slices.SortStableFunc(out.Entries, func(a, b PlanEntry) int { return a.Window - b.Window })
	return out
}

// SetPlan installs a replay plan; call it before the first window.
func (fs *FS) SetPlan(p Plan) { fs.plan = p }

// Learned returns the answers this run found the plain tree could not give
// synchronously, all from the first window that had any; a replay with
// Plan().With(Learned()) gives them. It is empty when the run was faithful.
func (fs *FS) Learned() Plan { return fs.learned }

// learn records an entry unless an earlier window already taught something
// (later windows may go differently once that one answers).
func (fs *FS) learn(e PlanEntry) {
	if len(fs.learned.Entries) > 0 && fs.learned.Entries[0].Window != e.Window {
		return
	}
	if slices.Contains(fs.learned.Entries, e) || slices.Contains(fs.plan.Entries, e) {
		return
	}
	fs.learned.Entries = append(fs.learned.Entries, e)
}

// placedDir is a cgroup a plan pre-created: a symlink at the cgroup's path
// to a filled directory elsewhere, so that the runtime's rmdir (unlink of
// the link) removes it as rmdir removes an empty cgroup.
type placedDir struct {
	h       *hierarchy
	rel     string
	scratch string
}

// trappedFile is an interface file a plan made refuse writes for a window.
type trappedFile struct {
	h    *hierarchy
	rel  string
	file string
}

func (fs *FS) hierByLabel(label string) *hierarchy {
	for _, h := range fs.hiers {
		if h.label() == label {
			return h
		}
	}
	return nil
}

// applyPlan prepares the plan's answers for the window being opened.
func (fs *FS) applyPlan() error {
	var entries []PlanEntry
	for _, e := range fs.plan.Entries {
		if e.Window == fs.window {
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return nil
	}
	slices.SortStableFunc(entries, func(a, b PlanEntry) int { return depth(a.Path) - depth(b.Path) })
	return fs.node(func() error {
		for _, e := range entries {
			h := fs.hierByLabel(e.Hier)
			if h == nil || e.File != "" || h.cgs[e.Path] != nil || h.cgs[parentRel(e.Path)] == nil {
				continue
			}
			if err := fs.place(h, e.Path); err != nil {
				return err
			}
			fs.logf("kernel answer replayed: %s", e)
		}
		for _, e := range entries {
			h := fs.hierByLabel(e.Hier)
			if h == nil || e.File == "" || h.cgs[e.Path] == nil {
				continue
			}
			p := filepath.Join(h.abs(e.Path), e.File)
			h.cgs[e.Path].dropFD(e.File)
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("cgroupfs: %w", err)
			}
			if err := os.Symlink(TrapTarget, p); err != nil {
				return fmt.Errorf("cgroupfs: %w", err)
			}
			delete(h.cgs[e.Path].rendered, e.File)
			h.cgs[e.Path].clean = false
			fs.trapped = append(fs.trapped, trappedFile{h, e.Path, e.File})
			fs.logf("kernel answer replayed: %s", e)
		}
		return nil
	})
}

// place pre-creates a cgroup as a link to a filled scratch directory.
func (fs *FS) place(h *hierarchy, rel string) error {
	scratch, err := os.MkdirTemp(fs.dir, ".placed-")
	if err != nil {
		return fmt.Errorf("cgroupfs: %w", err)
	}
	if err := os.Symlink(scratch, h.abs(rel)); err != nil {
		return fmt.Errorf("cgroupfs: %w", err)
	}
	cg := &cgroup{rel: rel, runtime: true, values: map[string]string{}, rendered: map[string]string{}}
	h.cgs[rel] = cg
	fs.placed = append(fs.placed, &placedDir{h: h, rel: rel, scratch: scratch})
	if err := fs.w.add(h.abs(rel)); err != nil {
		return err
	}
	return fs.render(h, cg)
}

// settlePlaced decides, for each pre-created cgroup, what the runtime did:
// removed it (the link is gone: its path is in removed), used it
// (something changed inside: it becomes a real directory) or never made it
// (it goes away).
func (fs *FS) settlePlaced(changes []change) ([]string, error) {
	var removed []string
	for _, p := range fs.placed {
		abs := p.h.abs(p.rel)
		fi, err := os.Lstat(abs)
		switch {
		case err != nil:
			fs.dropCgroup(p.h, p.rel)
			removed = append(removed, abs)
		case fi.Mode()&os.ModeSymlink != 0 && touched(changes, abs):
			if err := os.Remove(abs); err != nil {
				return nil, fmt.Errorf("cgroupfs: %w", err)
			}
			if err := os.Rename(p.scratch, abs); err != nil {
				return nil, fmt.Errorf("cgroupfs: %w", err)
			}
			continue
		default:
			if err := os.Remove(abs); err != nil {
				return nil, fmt.Errorf("cgroupfs: %w", err)
			}
			fs.dropCgroup(p.h, p.rel)
		}
		fs.w.forget(abs)
		if err := removeTree(p.scratch); err != nil {
			return nil, fmt.Errorf("cgroupfs: %w", err)
		}
	}
	fs.placed = nil
	return removed, nil
}

func touched(changes []change, dir string) bool {
	for _, c := range changes {
		if c.dir == dir || isBelow(c.dir, dir) {
			return true
		}
	}
	return false
}

// untrap gives the trapped files back their content.
func (fs *FS) untrap() error {
	for _, t := range fs.trapped {
		t.h.stale(t.rel, false)
		p := filepath.Join(t.h.abs(t.rel), t.file)
		if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("cgroupfs: %w", err)
			}
		}
	}
	fs.trapped = nil
	return nil
}
