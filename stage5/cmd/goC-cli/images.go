package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"goc.dev/stage5/api"
)

func newImagesCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "images [flags]",
		Short:             "List images",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, _ []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			imgs, err := cl.Images()
			if err != nil {
				return err
			}
			if gl.format == "json" {
				return printJSON(c.OutOrStdout(), imgs)
			}
			return printImages(c.OutOrStdout(), imgs)
		},
	}
}

// printImages is images' table.
func printImages(out io.Writer, imgs []api.Image) error {
	w := tabwriter.NewWriter(out, 8, 1, 3, ' ', 0)
	fmt.Fprintln(w, "NAME\tLAYERS\tSIZE\tCREATED")
	for _, i := range imgs {
		fmt.Fprintf(w, "%s\t%d\t%.1f MB\t%s\n", i.Name, i.Layers, float64(i.Size)/1e6, i.Created.Format(time.RFC3339))
	}
	return w.Flush()
}
