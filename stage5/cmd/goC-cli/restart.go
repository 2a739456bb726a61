package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newRestartCommand(gl *globals) *cobra.Command {
	var seconds int
	c := &cobra.Command{
		Use:   "restart [flags] CONTAINER",
		Short: "Restart a container",
		Long: "Restart a container: stop it if it runs (SIGTERM, then SIGKILL after the grace period),\n" +
			"then start it.",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			if _, err := cl.Restart(args[0], seconds); err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.OutOrStdout(), args[0])
			return err
		},
	}
	c.Flags().IntVarP(&seconds, "time", "t", 10, "Seconds to wait for stop before killing it")
	return c
}
