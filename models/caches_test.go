package models_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/models"
)

// owned are the module's process-wide caches and pools, by file and
// variable, with the owner that empties them (each tested in its package).
var owned = map[string]string{
	"sim/node/spec.go parsedVersions":                "models.Release (node.ForgetVersions)",
	"sim/crash.go crashStacks":                       "models.Release (sim.ForgetCrashStacks)",
	"sim/crash.go crashStacksHeld":                   "models.Release (sim.ForgetCrashStacks)",
	"sim/cgroupfs/watchpool.go watchers":             "cgroups Model.Idle (cgroupfs.CloseIdle)",
	"sim/cgroupfs/kept.go keptTrees":                 "cgroups Model.Idle (cgroupfs.CloseIdle)",
	"sim/cgroupfs/kernel.go shared":                  "cgroups Model.Idle (cgroupfs.CloseIdle)",
	"models/hostport/mapping.go sandboxHashes":       "hostport Model.Idle",
	"models/hostport/invariants.go oracleBuffers":    "hostport Model.Idle",
	"sim/netfilter/nftmemo.go parsedNFT":             "hostport Model.Idle (netfilter.ForgetParsedRules)",
	"models/annotations/memo.go sharedSpecs":         "annotations Model.Idle",
	"models/annotations/parts.go sharedRests":        "annotations Model.Idle",
	"models/annotations/parts.go sharedMembers":      "annotations Model.Idle",
	"models/annotations/steptext.go sharedStepTexts": "annotations Model.Idle",
	"models/signals/idle.go taskCoroutines":          "signals Model.Idle",
}

// TestEveryCacheHasAnOwner finds the package-level variables of the
// module's non-test code that hold mutable shared state (a sync.Map,
// sync.Pool, atomic value, memo, a struct with a mutex, or what a new...()
// constructor makes) and checks that each is listed in owned, and that
// everything owned lists still exists.
func TestEveryCacheHasAnOwner(t *testing.T) {
	var found []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != ".." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, "../"))
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					var value ast.Expr
					if i < len(vs.Values) {
						value = vs.Values[i]
					}
					if sharedState(vs.Type, value) {
						found = append(found, rel+" "+name.Name)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range found {
		if owned[v] == "" {
			t.Errorf("%s is process-wide mutable state with no owner: give it one that empties it (a model's Idle, or models.Release) and list it in owned", v)
		}
	}
	for v := range owned {
		if !slices.Contains(found, v) {
			t.Errorf("owned lists %s, which is gone or no longer shared state", v)
		}
	}
}

// sharedState reports whether a package-level variable of this type and
// value is mutable state shared by the process.
func sharedState(typ, value ast.Expr) bool {
	if typ != nil {
		switch x := typ.(type) {
		case *ast.SelectorExpr:
			if p, ok := x.X.(*ast.Ident); ok && (p.Name == "atomic" || p.Name == "memo" ||
				p.Name == "sync" && (x.Sel.Name == "Map" || x.Sel.Name == "Pool") || p.Name == "sim" && x.Sel.Name == "Coroutines") {
				return true
			}
		case *ast.StarExpr:
			return sharedState(x.X, nil)
		case *ast.IndexExpr: // atomic.Pointer[T]
			return sharedState(x.X, nil)
		case *ast.IndexListExpr: // memo.Capped[K, V]
			return sharedState(x.X, nil)
		case *ast.StructType:
			for _, f := range x.Fields.List {
				if s, ok := f.Type.(*ast.SelectorExpr); ok && (s.Sel.Name == "Mutex" || s.Sel.Name == "RWMutex") {
					return true
				}
			}
		}
	}
	if u, ok := value.(*ast.UnaryExpr); ok { // &T{...}
		if lit, ok := u.X.(*ast.CompositeLit); ok && sharedState(lit.Type, nil) {
			return true
		}
	}
	if lit, ok := value.(*ast.CompositeLit); ok && lit.Type != nil && sharedState(lit.Type, nil) {
		return true
	}
	if call, ok := value.(*ast.CallExpr); ok {
		fun := call.Fun
		switch x := fun.(type) { // newT[V]() is an instantiated constructor
		case *ast.IndexExpr:
			fun = x.X
		case *ast.IndexListExpr:
			fun = x.X
		}
		if id, ok := fun.(*ast.Ident); ok && strings.HasPrefix(id.Name, "new") {
			return true
		}
	}
	return false
}

// TestReleaseCallsEveryIdle: models.Release runs each model's Idle, with
// the errors joined, and skips a model without one.
func TestReleaseCallsEveryIdle(t *testing.T) {
	var called []string
	errB := errors.New("b failed")
	ms := []*models.Model{
		{Name: "a", Idle: func() error { called = append(called, "a"); return nil }},
		{Name: "none"},
		{Name: "b", Idle: func() error { called = append(called, "b"); return errB }},
	}
	if err := models.Release(ms...); !errors.Is(err, errB) {
		t.Fatalf("Release = %v, want b's error", err)
	}
	if !slices.Equal(called, []string{"a", "b"}) {
		t.Fatalf("Idle called for %v, want [a b]", called)
	}
}
