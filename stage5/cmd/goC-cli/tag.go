package main

import (
	"github.com/spf13/cobra"
)

func newTagCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "tag SOURCE_IMAGE TARGET_IMAGE",
		Short: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
		Long: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE, as docker tag: a second name for\n" +
			"the same image (the same ID, the same layers). TARGET_IMAGE is a reference (busybox is\n" +
			"docker.io/library/busybox:latest, HOST:PORT/REPO:TAG another registry's, for push); rmi of\n" +
			"one name leaves the other.",
		Args:              exactArgs(2, "need SOURCE_IMAGE and TARGET_IMAGE"),
		ValidArgsFunction: completeFirst(completeImages(gl)),
		RunE: func(_ *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			_, err = cl.Tag(args[0], args[1])
			return err
		},
	}
}
