package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/probe"
)

// newProbeCmd is faultsim probe: read the real node (never change it) and
// print it as a scenario file's node: section.
func newProbeCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "probe",
		Short: "Print this machine as a scenario's node: section (kernel, distro, cgroups, tools)",
		Long: `probe reads this machine, changing nothing: the kernel release, /etc/os-release,
the cgroup mounts of /proc/self/mountinfo and the cgroup2 root's controllers,
and the versions that iptables, ip6tables, iptables-restore, ip6tables-restore,
iptables-legacy, iptables-nft, nft, conmon, crun and runc print with --version.
It prints them as the node: section of a scenario file of the hostport model
(distro, kernel, tools) or, with --model cgroups, of the cgroups model (the
nearest named profile of the node's cgroup mode, and a faults: section with a
kernel-version fault when another simulated kernel is nearer the node's than
the profile's), with comments for what the sections cannot hold.

  faultsim probe > node.yaml                 the hostport model's node
  faultsim probe --model cgroups             the cgroups model's node`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := probe.NewReader().Read()
			if err != nil {
				return &exitError{1, err}
			}
			out, err := n.Format(format)
			if err != nil {
				return badInput("%v", err)
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), out)
			return err
		},
	}
	cmd.Flags().StringVar(&format, "model", "hostport", "the model whose node section to print: "+strings.Join(probe.Formats, " or "))
	return cmd
}
