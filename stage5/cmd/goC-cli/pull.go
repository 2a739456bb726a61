package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newPullCommand(gl *globals) *cobra.Command {
	var platform string
	c := &cobra.Command{
		Use:   "pull [flags] REF",
		Short: "Download an image from a registry",
		Long: "Download an image from a registry into goCd's store, as docker pull: busybox is\n" +
			"docker.io/library/busybox:latest, HOST:PORT/REPO:TAG another registry, REPO@sha256:… one\n" +
			"manifest. Layers goCd has are not fetched again; every blob's digest is checked.\n" +
			"Each layer's progress goes to stderr: bars on a terminal, a line per step otherwise.",
		Args:              exactArgs(1, "need exactly one image reference"),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			if cl, err = withRegistryAuth(cl, args[0]); err != nil { // login.go
				return err
			}
			img, err := cl.PullProgress(args[0], platform, stderrPullView().show) // pullview.go
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.OutOrStdout(), "%s: %d layer(s), %.1f MB\n", img.Name, img.Layers, float64(img.Size)/1e6)
			return err
		},
	}
	c.Flags().StringVar(&platform, "platform", "", "OS/ARCH[/VARIANT] to take from a multi-platform image (default linux/amd64)")
	return c
}
