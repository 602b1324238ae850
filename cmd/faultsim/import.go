package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/scenarios"
)

func newImportCmd() *cobra.Command {
	var model, variant, out, raw string
	cmd := &cobra.Command{
		Use:   "import [--model M] [--variant V] --out DIR FILE...",
		Short: "Turn native fuzz inputs (go test -fuzz, libFuzzer) into scenario files",
		Long: `Decodes each input of a model's native fuzz target as the target does (rapid.MakeFuzz:
eight bytes to a draw, the run seed, then the case) and writes scenario files to
--out: one per distinct failure, shrunk and named as a campaign names it, so
fuzzing and campaigns end in the same corpus; or one expecting pass.

FILE is a go test corpus file (testdata/fuzz/FuzzHostport/...: "go test fuzz v1")
or a raw libFuzzer input. --model defaults to the target in the file's directory
name (FuzzHostport -> hostport); --variant to the variant the target checks
(reference). --raw DIR instead writes each input's raw bytes into DIR (a libFuzzer
seed corpus from a go test corpus). Exit 0 on success, 2 on a bad file or flag.`,
		Example: "  faultsim import --out findings/ models/hostport/testdata/fuzz/FuzzHostport/3f1c0a2b9e8d7c6a",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if out == "" && raw == "" {
				return badInput("--out: missing: expected the directory to write scenario files to")
			}
			w := cmd.OutOrStdout()
			for _, file := range files {
				data, err := campaign.ReadFuzzFile(file)
				if err != nil {
					return badInput("%v", err)
				}
				if raw != "" {
					if err := os.MkdirAll(raw, 0o755); err != nil {
						return &exitError{2, err}
					}
					if err := os.WriteFile(filepath.Join(raw, filepath.Base(file)), data, 0o644); err != nil {
						return &exitError{2, err}
					}
					continue
				}
				m, v, err := importTarget(file, model, variant)
				if err != nil {
					return err
				}
				paths, err := campaign.ImportFuzzInput(m, v, data, file, out)
				if err != nil {
					return badInput("%v", err)
				}
				for _, p := range paths {
					fmt.Fprintf(w, "%s -> %s\n", file, p)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "model of the fuzz target (default: from the directory name FuzzModel)")
	cmd.Flags().StringVar(&variant, "variant", "", "variant the input runs (default: the one the fuzz target checks)")
	cmd.Flags().StringVar(&out, "out", "", "directory to write scenario files to")
	cmd.Flags().StringVar(&raw, "raw", "", "write the inputs' raw bytes to this directory instead")
	return cmd
}

// importTarget resolves the model and variant of a fuzz input.
func importTarget(file, model, variant string) (string, string, error) {
	if model == "" {
		dir := filepath.Base(filepath.Dir(file))
		for _, name := range scenarios.ModelNames() {
			if strings.EqualFold(dir, "Fuzz"+name) {
				model = name
			}
		}
		if model == "" {
			return "", "", badInput("%s: cannot tell the model from the directory %q: expected Fuzz<Model> (or give --model)", file, dir)
		}
	}
	m, err := scenarios.LookupModel(model)
	if err != nil {
		return "", "", badInput("--model: %v", err)
	}
	if variant == "" {
		variant = campaign.FuzzVariant(m)
	}
	if _, err := m.Variant(variant); err != nil {
		return "", "", badInput("--variant: %v", err)
	}
	return model, variant, nil
}
