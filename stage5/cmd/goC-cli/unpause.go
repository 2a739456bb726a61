package main

import (
	"github.com/spf13/cobra"
)

func newUnpauseCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "unpause CONTAINER",
		Short:             "Unpause all processes within a container",
		Long:              "Unpause all processes within a container: goCd thaws its cgroup (goC resume).",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(_ *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			return cl.Unpause(args[0])
		},
	}
}
