package main

import (
	"github.com/spf13/cobra"
)

func newRmCommand(gl *globals) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:               "rm [flags] CONTAINER",
		Short:             "Remove a container",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(_ *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			return cl.Remove(args[0], force)
		},
	}
	c.Flags().BoolVarP(&force, "force", "f", false, "Force the removal of a running container (uses SIGKILL)")
	return c
}
