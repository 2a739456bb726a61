package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newPushCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "push [flags] NAME:TAG",
		Short: "Upload an image to a registry",
		Long: "Upload an image to the registry its name says, as docker push (name it with tag first):\n" +
			"goCd writes each layer again as a gzipped tar and sends the blobs the registry lacks,\n" +
			"then the manifest, and prints its digest, with the credentials of goC-cli login.\n" +
			"Plain HTTP to loopback registries only.",
		Args:              exactArgs(1, "need exactly one image reference"),
		ValidArgsFunction: completeFirst(completeImages(gl)),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			if cl, err = withRegistryAuth(cl, args[0]); err != nil { // login.go
				return err
			}
			img, err := cl.Push(args[0])
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.OutOrStdout(), "%s: digest: %s\n", img.Name, img.Digest)
			return err
		},
	}
}
