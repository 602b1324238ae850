package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// devel is what version says when the module version is unknown (a build
// from a source tree rather than `go install module@version`).
const devel = "(devel)"

// versionText renders build information as version prints it:
//
//	faultsim v0.3.0
//	module github.com/faultsim/faultsim
//	commit 3e91c55e1f0d... (modified), 2026-12-03T18:20:00Z
//	go1.26.8 linux/amd64
//
// The module version is Main.Version ("(devel)" when empty or unknown);
// the commit is the vcs.revision the go command stamped, "(modified)" when
// vcs.modified is true, and "unknown" when the build carried none
// (-buildvcs=false, or no git at build time).
func versionText(bi *debug.BuildInfo, ok bool) string {
	version, module, goVersion := devel, "unknown", runtime.Version()
	var rev, when string
	modified := false
	if ok && bi != nil {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		if bi.Main.Path != "" {
			module = bi.Main.Path
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			case "vcs.time":
				when = s.Value
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "faultsim %s\nmodule %s\n", version, module)
	if rev == "" {
		b.WriteString("commit unknown\n")
	} else {
		b.WriteString("commit " + rev)
		if modified {
			b.WriteString(" (modified)")
		}
		if when != "" {
			b.WriteString(", " + when)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print faultsim's module version, commit and Go version",
		Long: `Prints the module version (a tag or pseudo-version for
"go install github.com/faultsim/faultsim/cmd/faultsim@VERSION", "(devel)" for a
build from a source tree), the commit the binary was built from ("(modified)"
when the tree had uncommitted changes, "unknown" when the build recorded none)
and the Go version and platform.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			bi, ok := debug.ReadBuildInfo()
			fmt.Fprint(cmd.OutOrStdout(), versionText(bi, ok))
			return nil
		},
	}
}
