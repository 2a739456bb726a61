package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newInspectCommand(gl *globals) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "inspect [flags] CONTAINER",
		Short: "Display detailed information on a container",
		Long: "Display detailed information on a container, as JSON, or through a Go template (--format)\n" +
			"over that JSON and Docker's shape of it: {{.State.Status}}, {{.Config.Labels}}, {{json .Config}}.",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			if format != "" {
				if _, err := parseFormat(format); err != nil {
					return usageError(c, 1, err)
				}
			}
			cl, err := gl.client()
			if err != nil {
				return err
			}
			ct, err := cl.Inspect(args[0])
			if err != nil {
				return err
			}
			if format == "" {
				return printJSON(c.OutOrStdout(), ct)
			}
			t, _ := parseFormat(format)
			if err := execFormat(c.OutOrStdout(), t, ct); err != nil {
				return fmt.Errorf("inspect: %w", err)
			}
			return nil
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "", "Format output using a Go template")
	return c
}
