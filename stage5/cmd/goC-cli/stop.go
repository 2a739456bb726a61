package main

import (
	"github.com/spf13/cobra"
)

func newStopCommand(gl *globals) *cobra.Command {
	var seconds int
	c := &cobra.Command{
		Use:               "stop [flags] CONTAINER",
		Short:             "Stop a running container",
		Long:              "Stop a running container: SIGTERM, then SIGKILL after the grace period.",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(_ *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			_, err = cl.Stop(args[0], seconds)
			return err
		},
	}
	c.Flags().IntVarP(&seconds, "time", "t", 10, "Seconds to wait for stop before killing it")
	return c
}
