package main

import (
	"github.com/spf13/cobra"
)

func newInspectCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "inspect [flags] CONTAINER",
		Short:             "Display detailed information on a container",
		Long:              "Display detailed information on a container, as JSON.",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			ct, err := cl.Inspect(args[0])
			if err != nil {
				return err
			}
			return printJSON(c.OutOrStdout(), ct)
		},
	}
}
