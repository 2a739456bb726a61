package main

import (
	"github.com/spf13/cobra"
)

func newLogsCommand(gl *globals) *cobra.Command {
	var follow bool
	c := &cobra.Command{
		Use:               "logs [flags] CONTAINER",
		Short:             "Fetch the logs of a container",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			return cl.Logs(args[0], follow, c.OutOrStdout())
		},
	}
	c.Flags().BoolVarP(&follow, "follow", "f", false, "Follow log output")
	return c
}
