package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/probe"
)

// newProbeCmd is faultsim probe: read the real node (never change it) and
// print it as a scenario file's node: section.
func newProbeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "probe",
		Short: "Print this machine as a scenario's node: section (distro, kernel, cgroups, tools)",
		Long: `probe reads this machine, changing nothing: the kernel release, /etc/os-release,
the cgroup mounts of /proc/self/mountinfo and the cgroup2 root's controllers,
and the versions that iptables, ip6tables, iptables-restore, ip6tables-restore,
iptables-legacy, iptables-nft, nft, conmon, crun and runc print with --version.
It prints them as the node: section of a scenario file, the same for every
model: the nearest known distro (same cgroup mode, newest kernel not newer
than this one's), this kernel, this cgroup mode and these tools' versions,
with comments for what the section cannot hold (controllers, tools the
distro has and this node lacks, which a tool-missing fault removes).

  faultsim probe > node.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := probe.NewReader().Read()
			if err != nil {
				return &exitError{1, err}
			}
			out, err := n.Format()
			if err != nil {
				return &exitError{1, err}
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), out)
			return err
		},
	}
	return cmd
}
