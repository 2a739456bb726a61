package main

import (
	"github.com/spf13/cobra"
)

func newKillCommand(gl *globals) *cobra.Command {
	var signal string
	c := &cobra.Command{
		Use:               "kill [flags] CONTAINER",
		Short:             "Kill a running container",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(_ *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			return cl.Kill(args[0], signal)
		},
	}
	c.Flags().StringVarP(&signal, "signal", "s", "KILL", "Signal to send to the container")
	return c
}
