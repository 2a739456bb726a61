package main

import (
	"github.com/spf13/cobra"
)

func newVersionCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "version [flags]",
		Short:             "Show the goCd version information",
		Long:              "Show the goCd version information, as JSON: goCd's version, its API's and the goC it runs.",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, _ []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			v, err := cl.Version()
			if err != nil {
				return err
			}
			return printJSON(c.OutOrStdout(), v)
		},
	}
}
