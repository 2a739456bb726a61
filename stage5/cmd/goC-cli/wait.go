package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newWaitCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "wait [flags] CONTAINER",
		Short:             "Block until a container stops, then print its exit code",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			code, err := cl.Wait(args[0])
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.OutOrStdout(), code)
			return err
		},
	}
}
