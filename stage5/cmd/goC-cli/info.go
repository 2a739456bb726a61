package main

import (
	"github.com/spf13/cobra"
)

func newInfoCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "info [flags]",
		Short:             "Display system-wide information",
		Long:              "Display system-wide information, as JSON: goCd's containers, images, cgroup version.",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, _ []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			i, err := cl.Info()
			if err != nil {
				return err
			}
			return printJSON(c.OutOrStdout(), i)
		},
	}
}
