package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"goc.dev/stage5/client"
)

func newImportCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "import [flags] NAME ARCHIVE|-",
		Short: "Import the contents from a tarball to create a filesystem image",
		Long: "Import the contents from a tarball (tar or tar.gz; - reads stdin) to create a filesystem\n" +
			"image named NAME. The archive is streamed to goCd, with a progress bar when stderr is a\n" +
			"terminal.",
		Args: exactArgs(2, "need NAME and ARCHIVE: a tar, a tar.gz or - for stdin"),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 1 { // ARCHIVE: a file
				return nil, cobra.ShellCompDirectiveDefault
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			return importImage(cl, args[0], args[1], c.OutOrStdout())
		},
	}
}

// importImage streams an archive (or stdin, "-") to goCd, with a progress
// bar when stderr is a terminal.
func importImage(c *client.Client, name, archive string, out io.Writer) error {
	f, size := os.Stdin, int64(-1)
	if archive != "-" {
		var err error
		if f, err = os.Open(archive); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	var body io.Reader = f
	var bar *progress
	if isTerminal(os.Stderr) {
		bar = newProgress(f, size, name, os.Stderr)
		body = bar
	}
	img, err := c.Import(name, body)
	if bar != nil {
		bar.done()
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s: %d layer(s), %.1f MB\n", img.Name, img.Layers, float64(img.Size)/1e6)
	return err
}
