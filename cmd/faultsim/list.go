package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
)

func newListCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "list [models|variants|faults|invariants]",
		Short:     "List models, variants, faults and invariants, one line of description each",
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: []string{"models", "variants", "faults", "invariants"},
		RunE: func(cmd *cobra.Command, args []string) error {
			what := "all"
			if len(args) == 1 {
				what = args[0]
			}
			w := cmd.OutOrStdout()
			switch what {
			case "all":
				listModels(w)
				listVariants(w)
				listFaults(w)
				listInvariants(w)
			case "models":
				listModels(w)
			case "variants":
				listVariants(w)
			case "faults":
				listFaults(w)
			case "invariants":
				listInvariants(w)
			default:
				return badInput("list %q: expected models, variants, faults or invariants", what)
			}
			return nil
		},
	}
}

func listModels(w io.Writer) {
	fmt.Fprintln(w, "MODELS")
	for _, name := range scenarios.ModelNames() {
		m, _ := models.Lookup(name)
		fmt.Fprintf(w, "  %-28s %s\n", m.Name, m.Summary)
	}
}

func listVariants(w io.Writer) {
	for _, name := range scenarios.ModelNames() {
		m, _ := models.Lookup(name)
		fmt.Fprintf(w, "VARIANTS (%s)\n", m.Name)
		for _, v := range m.Variants {
			kind := "fixed"
			if v.Buggy {
				kind = "buggy"
			}
			fmt.Fprintf(w, "  %-28s %s: %s\n", v.Name, kind, v.Summary)
		}
		if m.Name == "hostport" {
			fmt.Fprintf(w, "  %-28s %s\n", "option disable_hostport_mapping", "any variant: a manager that does nothing (CRI-O --disable-hostport-mapping)")
		}
	}
}

func listFaults(w io.Writer) {
	fmt.Fprintln(w, "FAULTS")
	for _, s := range faults.All() {
		var ps []string
		for _, p := range s.Params {
			ps = append(ps, p.Name+"="+string(p.Type))
		}
		name := s.Name
		if len(ps) > 0 {
			name += "(" + strings.Join(ps, ",") + ")"
		}
		fmt.Fprintf(w, "  %-7s %-40s %s\n", s.Kind, name, s.Summary)
	}
}

func listInvariants(w io.Writer) {
	for _, name := range scenarios.ModelNames() {
		m, _ := models.Lookup(name)
		fmt.Fprintf(w, "INVARIANTS (%s)\n", m.Name)
		for _, inv := range m.Invariants {
			fmt.Fprintf(w, "  %-34s %s\n", inv.Name, inv.Summary)
		}
	}
}
