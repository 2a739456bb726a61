package main

import (
	"github.com/spf13/cobra"
)

func newRmCommand(gl *globals) *cobra.Command {
	var force, volumes bool
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
			if volumes {
				return cl.RemoveWithVolumes(args[0], force)
			}
			return cl.Remove(args[0], force)
		},
	}
	c.Flags().BoolVarP(&force, "force", "f", false, "Force the removal of a running container (uses SIGKILL)")
	c.Flags().BoolVarP(&volumes, "volumes", "v", false, "Remove anonymous volumes associated with the container")
	return c
}
