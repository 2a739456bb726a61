package main

import (
	"github.com/spf13/cobra"
)

func newRmiCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "rmi [flags] IMAGE",
		Short:             "Remove an image",
		Args:              exactArgs(1, "need exactly one image"),
		ValidArgsFunction: completeFirst(completeImages(gl)),
		RunE: func(_ *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			return cl.RemoveImage(args[0])
		},
	}
}
