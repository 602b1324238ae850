package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
)

func newListCmd() *cobra.Command {
	var only string
	cmd := &cobra.Command{
		Use:   "list [models|variants|faults|invariants|ops|fields|reference]",
		Short: "List models, variants, faults, invariants, operations and scenario-file keys",
		Long: `list prints the models, their variants and invariants, and the fault catalog:
each fault with its kind, parameters, summary, and the models whose components
consume it (a scenario file of another model refuses it at parse time). With
--model M only what model M knows is listed: its variants, its invariants, and
the faults it consumes (with the node's tools it runs).

"list ops" prints each model's step operations and the keys each takes;
"list fields" every key a scenario file may give, what it takes and means
(the keys of every model first); "list reference" all of it, for every
model, as the Markdown of REFERENCE.md.`,
		Example: `  faultsim list ops --model signals
  faultsim list fields --model hostport
  faultsim list faults --model cgroups`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: []string{"models", "variants", "faults", "invariants", "ops", "fields", "reference"},
		RunE: func(cmd *cobra.Command, args []string) error {
			what := "all"
			if len(args) == 1 {
				what = args[0]
			}
			if only != "" {
				if _, err := scenarios.LookupModel(only); err != nil {
					return badInput("--model: %v", err)
				}
			}
			listed := func(model string) bool { return only == "" || only == model }
			w := cmd.OutOrStdout()
			switch what {
			case "all":
				listModels(w, listed)
				listVariants(w, listed)
				listFaults(w, listed)
				listInvariants(w, listed)
			case "models":
				listModels(w, listed)
			case "variants":
				listVariants(w, listed)
			case "faults":
				listFaults(w, listed)
			case "invariants":
				listInvariants(w, listed)
			case "ops":
				listOps(w, listed)
			case "fields":
				listFields(w, listed)
			case "reference":
				if only != "" {
					return badInput("list reference covers every model: expected no --model")
				}
				writeReference(w)
			default:
				return badInput("list %q: expected models, variants, faults, invariants, ops, fields or reference", what)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&only, "model", "", "list only what this model knows (its variants, invariants and the faults it consumes)")
	return cmd
}

func listModels(w io.Writer, listed func(model string) bool) {
	fmt.Fprintln(w, "MODELS")
	for _, name := range scenarios.ModelNames() {
		if !listed(name) {
			continue
		}
		m, _ := models.Lookup(name)
		fmt.Fprintf(w, "  %-28s %s\n", m.Name, m.Summary)
		if len(m.Tools) > 0 {
			fmt.Fprintf(w, "  %-28s runs %s\n", "", strings.Join(m.Tools, ", "))
		}
	}
}

func listVariants(w io.Writer, listed func(model string) bool) {
	for _, name := range scenarios.ModelNames() {
		if !listed(name) {
			continue
		}
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

func listFaults(w io.Writer, listed func(model string) bool) {
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
		var by []string
		for _, m := range scenarios.ModelNames() {
			if mm, _ := models.Lookup(m); mm.Consumes(s.Name) {
				by = append(by, m)
			}
		}
		if !slices.ContainsFunc(by, listed) {
			continue
		}
		fmt.Fprintf(w, "  %-7s %-40s %s [%s]\n", s.Kind, name, s.Summary, strings.Join(by, ", "))
	}
}

func listInvariants(w io.Writer, listed func(model string) bool) {
	for _, name := range scenarios.ModelNames() {
		if !listed(name) {
			continue
		}
		m, _ := models.Lookup(name)
		fmt.Fprintf(w, "INVARIANTS (%s)\n", m.Name)
		for _, inv := range m.Invariants {
			fmt.Fprintf(w, "  %-34s %s\n", inv.Name, inv.Summary)
		}
	}
}
