package main

import (
	"github.com/spf13/cobra"
)

func newPauseCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "pause CONTAINER",
		Short:             "Pause all processes within a container",
		Long:              "Pause all processes within a container: goCd freezes its cgroup (goC pause).",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(_ *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			return cl.Pause(args[0])
		},
	}
}
